// Lesson 3 — crash safety of the container store. kubik can be killed
// (kill -9, the OOM killer, a power cut) between any two steps of making a
// container, and its state file can be damaged (a full disk, a bad edit).
// Whatever is left must be either a container that `ps -a` shows and
// `rm -f` removes completely — processes, cgroups in every hierarchy,
// mounts, name, directory — or debris that kubik sweeps by itself.
//
// Kernel facts come from the host: processes (/proc), the cgroup
// directories of every hierarchy, the mount table; the store's files are
// looked at directly.
#include "lesson3.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace kubik::test {
namespace {

class CrashSafety : public Cgroups {
protected:
    /// SIGKILLs every process the test has started (all are kubik's: the
    /// `kubik run` processes, monitors, containers), until none is left:
    /// a crash that takes the whole process tree at once.
    void kill_everything_we_started() {
        for (int round = 0; round < 50; ++round) {
            auto all = descendants_of(::getpid());
            bool any = false;
            for (const auto& p : all)
                if (p.state != 'Z') {
                    ::kill(p.pid, SIGKILL);
                    any = true;
                }
            reap_zombie_children();
            if (!any) return;
            std::this_thread::sleep_for(5ms);
        }
    }

    /// The entries of ROOT/SUB (containers, names), dot files included.
    std::vector<std::string> store_entries(const std::string& sub) const {
        std::vector<std::string> out;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(root_ / sub, ec)) out.push_back(e.path().filename().string());
        std::sort(out.begin(), out.end());
        return out;
    }

    /// `ps -a --format json`: short id -> State, for every row.
    std::map<std::string, std::string> listed() {
        auto r = kubik({"ps", "-a", "--format", "json"});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        std::map<std::string, std::string> rows;
        for (const auto& line : lines_of(r.out)) {
            auto doc = nlohmann::json::parse(line, nullptr, false);
            if (doc.is_discarded()) {
                ADD_FAILURE() << "ps --format json printed a line that is not JSON: " << line;
                continue;
            }
            rows[doc.value("ID", "")] = doc.value("State", "");
        }
        return rows;
    }

    /// What is on disk is what ps shows: every container directory is a
    /// listed container, every name belongs to one, nothing half-made stays.
    void expect_everything_visible(const std::string& context) {
        auto rows = listed();
        for (const auto& dir : store_entries("containers")) {
            EXPECT_TRUE(rows.count(dir.substr(0, 12)))
                << context << ": ROOT/containers/" << dir << " is on disk, but `ps -a` doesn't show it";
        }
        for (const auto& name : store_entries("names")) {
            std::error_code ec;
            auto id = fs::read_symlink(root_ / "names" / name, ec).string();
            EXPECT_TRUE(!ec && rows.count(id.substr(0, 12)))
                << context << ": the name " << name << " is claimed for " << id << ", which `ps -a` doesn't show";
        }
    }

    /// rm -f of everything ps -a lists; then nothing of any container is left.
    void remove_all_and_expect_nothing(const std::string& context) {
        auto rows = listed();
        std::vector<std::string> args{"rm", "-f"};
        for (const auto& [id, state] : rows) args.push_back(id);
        if (args.size() > 2) {
            auto r = kubik(args);
            EXPECT_EQ(r.exit_code, 0) << context << r.describe();
        }
        reap_zombie_children();
        EXPECT_EQ(listed().size(), 0u) << context << ": ps -a still lists containers after rm -f of all of them";
        EXPECT_EQ(store_entries("containers"), std::vector<std::string>{}) << context << ": container directories left";
        EXPECT_EQ(store_entries("names"), std::vector<std::string>{}) << context << ": names left claimed";
        expect_no_container_state(context);
    }

    /// Runs `kubik run -d ...` and returns its id, the init's and the
    /// monitor's pids.
    struct Detached {
        std::string id;
        ProcInfo init, monitor;
    };
    Detached start_detached(const std::string& name) {
        Detached d;
        d.id = start({"--name", name, "--memory", "64m", "busybox", "sleep", "60"});
        if (d.id.empty()) return d;
        auto state = inspect(name).value("State", nlohmann::json::object());
        if (auto p = process_info(state.value("Pid", 0))) d.init = *p;
        // `run -d` returns once the monitor has recorded itself, a moment
        // before it execs kubik-monitor: until then it is still "kubik".
        const pid_t monitor = state.value("MonitorPid", 0);
        for (int i = 0; i < 400; ++i) {
            if (auto p = process_info(monitor)) d.monitor = *p;
            if (d.monitor.comm == "kubik-monitor") break;
            std::this_thread::sleep_for(5ms);
        }
        EXPECT_EQ(d.monitor.comm, "kubik-monitor") << state.dump(2);
        return d;
    }

    fs::path state_file(const std::string& id) const { return root_ / "containers" / id / "container.json"; }
};

// ---------------------------------------------------------------------------
// Fault injection: kill at many moments of the start, then rm -f.

TEST_F(CrashSafety, KillsAtEveryMomentOfAStartLeaveOnlyWhatRmRemoves) {
    // Three ways to crash, each at 30 moments spread over the first 85 ms
    // of a start (a start here takes 5–30 ms, so the early moments fall in
    // the middle of it and the late ones after it):
    //   run-d    the `kubik run -d` process alone (its monitor goes on);
    //   tree     `kubik run -d` and everything it started, at once;
    //   fg       a foreground `kubik run`.
    struct Mode {
        const char* name;
        bool detach, whole_tree;
    };
    const Mode modes[] = {{"run-d", true, false}, {"tree", true, true}, {"fg", false, false}};
    const int kMoments = 30;
    std::map<std::string, int> kills, statuses;
    for (const auto& mode : modes) {
        for (int i = 0; i < kMoments; ++i) {
            std::string name = std::string("c-") + mode.name + "-" + std::to_string(i);
            std::vector<std::string> args{"run"};
            if (mode.detach) args.push_back("-d");
            args.insert(args.end(), {"--name", name, "--memory", "64m", "busybox", "sleep", "60"});
            Child run(kubik_argv(args));
            // Denser early: 0, 0.1, 0.4, 0.9 ... 84 ms.
            std::this_thread::sleep_for(std::chrono::microseconds(i * i * 100));
            ::kill(run.pid(), SIGKILL);
            run.finish(10s);
            if (mode.whole_tree) kill_everything_we_started();
            ++kills[mode.name];
        }
        reap_zombie_children();
        expect_everything_visible(std::string("after kills of ") + mode.name);
        for (const auto& [id, state] : listed()) ++statuses[state];
        // Every name whose creator was killed can be used again.
        remove_all_and_expect_nothing(std::string("after kills of ") + mode.name);
        auto r = krun({"--rm", "--name", std::string("c-") + mode.name + "-0", "busybox", "true"});
        EXPECT_EQ(r.exit_code, 0) << "a name whose creator was killed must be free after rm\n" << r.describe();
    }
    std::printf("kills:");
    for (const auto& [mode, n] : kills) std::printf(" %s %d", mode.c_str(), n);
    std::printf("; what ps -a showed before rm -f:");
    for (const auto& [state, n] : statuses) std::printf(" %s %d", state.c_str(), n);
    std::printf("; left after rm -f: %s\n", HasFailure() ? "see the failures above" : "nothing");
}

// Debris of a creator killed half-way (the store's own steps, made by hand):
// a name whose container doesn't exist, a directory still being built.
TEST_F(CrashSafety, HalfMadeDebrisIsSweptAndItsNameFree) {
    auto r = krun({"--rm", "busybox", "true"}); // makes the store's directories
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string ghost(64, 'a');
    fs::create_symlink(ghost, root_ / "names" / "ghost");
    fs::create_directories(root_ / "containers" / (".new-" + ghost) / "upper");

    r = kubik({"ps", "-a"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(lines_of(r.out).size(), 1u) << "debris is not a container\n" << r.describe();
    EXPECT_FALSE(fs::exists(root_ / "containers" / (".new-" + ghost))) << "ps must sweep a half-built directory";
    EXPECT_FALSE(fs::is_symlink(root_ / "names" / "ghost")) << "ps must sweep a name that points nowhere";

    fs::create_symlink(ghost, root_ / "names" / "ghost");
    r = krun({"--rm", "--name", "ghost", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 0) << "a name that points nowhere must not block `run --name`\n" << r.describe();
    expect_no_container_state("after the sweep");
}

// ---------------------------------------------------------------------------
// A state file that can't be read.

struct Damage {
    const char* name;
    const char* how;
};

class DamagedState : public CrashSafety, public ::testing::WithParamInterface<Damage> {
protected:
    void damage(const std::string& id) {
        auto path = state_file(id);
        std::string what = GetParam().how;
        if (what == "missing") {
            fs::remove(path);
            return;
        }
        std::string text = read_text(path).value_or("");
        std::ofstream out(path, std::ios::trunc | std::ios::binary);
        if (what == "truncated") out << text.substr(0, text.size() / 2);
        else if (what == "garbage") out << std::string("\x00\xff\x13 not json {", 16);
        // "empty": nothing
    }
};

TEST_P(DamagedState, PsShowsItAndRmRemovesEverything) {
    auto c = start_detached("damaged");
    ASSERT_FALSE(c.id.empty());
    ASSERT_GT(c.init.pid, 0);
    auto cgroups = existing_cgroup_dirs(c.id);
    ASSERT_FALSE(cgroups.empty()) << "the container has no cgroup (" << host_.describe() << ")";
    damage(c.id);

    auto r = kubik({"ps", "-a"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto rows = lines_of(r.out);
    ASSERT_EQ(rows.size(), 2u) << "ps -a must show a container whose state can't be read\n" << r.describe();
    EXPECT_TRUE(std::regex_search(rows[1], std::regex(R"(Unknown.*\bdamaged\s*$)"))) << r.describe();
    EXPECT_NE(r.err.find("warning"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find(state_file(c.id).string()), std::string::npos) << "the warning names the file\n"
                                                                         << r.describe();
    EXPECT_TRUE(is_alive(c.init)) << "ps must not touch the container";

    r = kubik({"inspect", "damaged"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();

    r = kubik({"rm", "-f", "damaged"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "damaged\n") << r.describe();
    EXPECT_FALSE(is_alive(c.init)) << "rm -f must kill the processes of its cgroup";
    EXPECT_FALSE(is_alive(c.monitor)) << "rm -f returns once the monitor is gone";
    for (const auto& dir : cgroups) EXPECT_FALSE(fs::exists(dir)) << "cgroup left: " << dir;
    expect_no_container_state("after rm -f of a damaged container");
}

TEST_P(DamagedState, MonitorRemovesTheCgroupWhenTheContainerEnds) {
    auto c = start_detached("ends");
    ASSERT_FALSE(c.id.empty());
    auto cgroups = existing_cgroup_dirs(c.id);
    ASSERT_FALSE(cgroups.empty()) << host_.describe();
    damage(c.id);

    ASSERT_EQ(::kill(c.init.pid, SIGKILL), 0);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while ((is_alive(c.monitor) || !existing_cgroup_dirs(c.id).empty()) && std::chrono::steady_clock::now() < deadline) {
        reap_zombie_children();
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_FALSE(is_alive(c.monitor)) << "the monitor must finish";
    for (const auto& dir : existing_cgroup_dirs(c.id))
        ADD_FAILURE() << "the monitor left the cgroup " << dir << " of a container whose state it can't read";

    auto r = kubik({"rm", "-f", "ends"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

INSTANTIATE_TEST_SUITE_P(Files, DamagedState,
                         ::testing::Values(Damage{"Empty", "empty"}, Damage{"CutShort", "truncated"},
                                           Damage{"Garbage", "garbage"}, Damage{"Missing", "missing"}),
                         [](const ::testing::TestParamInfo<Damage>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace kubik::test
