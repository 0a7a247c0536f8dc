// Lesson 3 — the container life cycle: `run -d` with a monitor process,
// `ps`, `logs`, `stop`, `kill`, `exec` (setns), `rm`, `inspect`, `stats`,
// with docker's behaviour and exit codes, under concurrency and after
// kill -9 of kubik or of the monitor.
//
// Kernel facts are read from the host: the container's init and monitor
// (pids from `inspect`, checked in /proc), the namespaces and cgroup of an
// exec'd process (/proc/PID/ns/*, /proc/PID/cgroup), the cgroup directories.
#include "lesson3.hpp"

#include <signal.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <regex>
#include <set>

namespace kubik::test {
namespace {

class Lifecycle : public Cgroups {
protected:
    /// Polls until a process of the container (init or below) has signal
    /// `sig` in its /proc/PID/status mask `key` (SigIgn: ignored, SigCgt:
    /// caught): the shell has set its trap, so the test may send the signal.
    bool wait_for_trap(pid_t init, int sig, const std::string& key) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        do {
            for (const auto& p : descendants_of(init))
                if (status_mask(p.pid, key) & (uint64_t{1} << (sig - 1))) return true;
            std::this_thread::sleep_for(10ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }

    /// Polls until `who` has exited (collecting it if it was re-parented to us).
    bool wait_until_gone(const ProcInfo& who, std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        do {
            reap_zombie_children();
            if (!is_alive(who)) return true;
            std::this_thread::sleep_for(10ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }
};

const std::regex kRfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");

// ---------------------------------------------------------------------------
// run -d

TEST_F(Lifecycle, RunDetachedPrintsTheIdAndReturns) {
    auto r = krun({"-d", "--name", "web", "busybox", "sleep", "30"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9a-f]{64}\n"))) << "docker prints the full id\n" << r.describe();
    // Start-up included, so generous for a loaded host: a run -d that waits
    // for the container takes the 30 s of its sleep.
    EXPECT_LT(r.elapsed.count(), 10000) << "run -d returns once the container runs\n" << r.describe();
    EXPECT_FALSE(r.pipes_held_open) << "the monitor or the container still holds kubik's stdout\n" << r.describe();
    const std::string id = trimmed(r.out);
    EXPECT_EQ(container_dirs(), std::vector<std::string>{id});

    // It keeps running after kubik returned: init is alive, and runs the command.
    auto state = inspect("web").value("State", nlohmann::json::object());
    EXPECT_EQ(state.value("Status", ""), "running") << state.dump(2);
    EXPECT_EQ(state.value("Running", false), true) << state.dump(2);
    pid_t init = state.value("Pid", 0);
    ASSERT_GT(init, 0) << state.dump(2);
    auto info = process_info(init);
    ASSERT_TRUE(info) << "State.Pid " << init << " is not a process";
    EXPECT_EQ(info->comm, "kubik-init");
    EXPECT_TRUE(wait_for_child(init, "sleep", 5s)) << "kubik-init has no child `sleep`";

    r = kubik({"rm", "-f", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "web\n") << r.describe();
    EXPECT_FALSE(is_alive(*info)) << "rm -f must kill the container";
    expect_no_container_state("after rm -f");
}

// With -t the command writes to a pty, not to pipes; init must not keep
// kubik's stdout either, or `id=$(kubik run -dt ...)` waits for the container.
TEST_F(Lifecycle, RunDetachedWithATerminalReturnsToo) {
    auto r = krun({"-d", "-t", "--name", "tty", "busybox", "sleep", "30"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_FALSE(r.pipes_held_open) << "the monitor or the container still holds kubik's stdout\n" << r.describe();
    EXPECT_LT(r.elapsed.count(), 10000) << "run -dt returns once the container runs\n" << r.describe();
    EXPECT_EQ(inspect("tty").value("State", nlohmann::json::object()).value("Status", ""), "running");
    r = kubik({"rm", "-f", "tty"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

TEST_F(Lifecycle, RunDetachedWithRmIsRemovedWhenItExits) {
    auto id = start({"--rm", "busybox", "sh", "-c", "sleep 0.2"});
    ASSERT_FALSE(id.empty());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::error_code ec;
    while (fs::exists(root_ / "containers" / id, ec) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(fs::exists(root_ / "containers" / id, ec)) << "--rm: the container is removed when it exits";
    // Its monitor removed the cgroup before the directory; now it exits.
    for (int i = 0; i < 250; ++i) {
        reap_zombie_children();
        auto rest = descendants_of(::getpid());
        if (std::none_of(rest.begin(), rest.end(), [](const ProcInfo& p) { return p.state != 'Z'; })) break;
        std::this_thread::sleep_for(20ms);
    }
    expect_no_container_state("after --rm");
}

TEST_F(Lifecycle, RunDetachedThatCannotStartLeavesNothing) {
    auto r = krun({"-d", "--name", "broken", "busybox", "no-such-command"});
    EXPECT_EQ(r.exit_code, 127) << r.describe();
    EXPECT_NE(r.err.find("executable file not found"), std::string::npos) << r.describe();
    EXPECT_EQ(r.out, "") << "no id for a container that never ran\n" << r.describe();
    expect_no_container_state("after a failed run -d");

    auto id = start({"--name", "taken", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    r = krun({"-d", "--name", "taken", "busybox", "sleep", "30"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("Conflict"), std::string::npos) << r.describe();
    EXPECT_EQ(container_dirs(), std::vector<std::string>{id}) << "the second run must leave nothing";
    r = kubik({"rm", "-f", "taken"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

// ---------------------------------------------------------------------------
// ps, inspect, names and ids

TEST_F(Lifecycle, PsListsRunningContainersAndAllWithA) {
    auto up = start({"--name", "up", "busybox", "sleep", "30"});
    ASSERT_FALSE(up.empty());
    auto r = krun({"--name", "done", "busybox", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();

    r = kubik({"ps"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << "a header and one running container\n" << r.describe();
    EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\s*)")))
        << "docker's columns: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES\n" << r.describe();
    EXPECT_EQ(lines[1].rfind(up.substr(0, 12) + " ", 0), 0u) << "a row starts with the 12-digit id\n" << r.describe();
    EXPECT_NE(lines[1].find("busybox"), std::string::npos) << r.describe();
    EXPECT_NE(lines[1].find("\"sleep 30\""), std::string::npos) << r.describe();
    EXPECT_NE(lines[1].find("Up "), std::string::npos) << r.describe();
    EXPECT_TRUE(std::regex_search(lines[1], std::regex(R"(\bup\s*$)"))) << "NAMES is the last column\n" << r.describe();

    r = kubik({"ps", "-q"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, up.substr(0, 12) + "\n") << "-q: short ids of running containers only\n" << r.describe();

    r = kubik({"ps", "-a"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 3u) << "-a lists exited containers too\n" << r.describe();
    std::string done_row = std::regex_search(lines[1], std::regex(R"(\bdone\s*$)")) ? lines[1] : lines[2];
    EXPECT_NE(done_row.find("Exited (0)"), std::string::npos) << r.describe();

    r = kubik({"ps", "-a", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << "--format json: one JSON object per line\n" << r.describe();
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& line : lines) {
        auto doc = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(!doc.is_discarded() && doc.is_object()) << line;
        by_name[doc.value("Names", "")] = doc;
    }
    ASSERT_TRUE(by_name.count("up") && by_name.count("done")) << r.describe();
    EXPECT_EQ(by_name["up"].value("ID", ""), up.substr(0, 12));
    EXPECT_EQ(by_name["up"].value("State", ""), "running");
    EXPECT_EQ(by_name["done"].value("State", ""), "exited");
    for (const char* key : {"Command", "CreatedAt", "Image", "Status", "Ports", "RunningFor"})
        EXPECT_TRUE(by_name["up"].contains(key)) << "docker's ps JSON has " << key << ": " << by_name["up"].dump();

    r = kubik({"rm", "-f", "up", "done"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    r = kubik({"ps", "-a", "-q"});
    EXPECT_EQ(r.out, "") << r.describe();
    expect_no_container_state("after rm -f");
}

TEST_F(Lifecycle, ContainerResolvesByNameIdAndUniquePrefix) {
    auto id = start({"--name", "finder", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    for (const std::string& ref : {std::string("finder"), id, id.substr(0, 12), id.substr(0, 5)}) {
        auto r = kubik({"inspect", ref});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
        auto doc = nlohmann::json::parse(r.out, nullptr, false);
        ASSERT_FALSE(doc.is_discarded()) << r.describe();
        EXPECT_EQ(doc[0].value("Id", ""), id) << "`" << ref << "` must resolve to the container";
    }
    auto r = kubik({"inspect", "nothing-like-it"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("No such container: nothing-like-it"), std::string::npos) << r.describe();
    // stop, kill and rm print what was typed, as docker does, not the name.
    r = kubik({"kill", "-s", "USR1", id.substr(0, 12)});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, id.substr(0, 12) + "\n") << r.describe();
    r = kubik({"rm", "-f", id.substr(0, 12)});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, id.substr(0, 12) + "\n") << "rm prints the reference as given\n" << r.describe();
    expect_no_container_state("after rm -f");
}

TEST_F(Lifecycle, InspectShowsConfigAndState) {
    auto id = start({"--name", "insp", "-e", "FOO=bar", "--memory", "64m", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    auto doc = inspect("insp");
    EXPECT_EQ(doc.value("Id", ""), id) << doc.dump(2);
    EXPECT_EQ(doc.value("Name", ""), "/insp") << "docker's Name has a leading slash";
    for (const char* key : {"Id", "Name", "State", "Config", "HostConfig"})
        EXPECT_TRUE(doc.contains(key)) << "inspect has no " << key << "\n" << doc.dump(2);
    const auto state = doc.value("State", nlohmann::json::object());
    for (const char* key : {"Status", "Running", "Pid", "ExitCode", "OOMKilled", "StartedAt", "FinishedAt"})
        EXPECT_TRUE(state.contains(key)) << "State has no " << key << "\n" << state.dump(2);
    EXPECT_EQ(state.value("Status", ""), "running");
    EXPECT_EQ(state.value("Running", false), true);
    EXPECT_EQ(state.value("OOMKilled", true), false);
    auto init = process_info(state.value("Pid", 0));
    ASSERT_TRUE(init) << state.dump(2);
    EXPECT_EQ(init->comm, "kubik-init");
    EXPECT_TRUE(std::regex_match(state.value("StartedAt", ""), kRfc3339)) << state.dump(2);
    const auto config = doc.value("Config", nlohmann::json::object());
    EXPECT_EQ(config.value("Cmd", nlohmann::json::array()), nlohmann::json({"sleep", "30"})) << config.dump(2);
    auto env = config.value("Env", std::vector<std::string>{});
    EXPECT_NE(std::find(env.begin(), env.end(), "FOO=bar"), env.end()) << config.dump(2);
    EXPECT_EQ(doc.value("HostConfig", nlohmann::json::object()).value("Memory", 0LL), 67108864LL)
        << doc["HostConfig"].dump(2);

    auto r = kubik({"stop", "insp"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto after = inspect("insp").value("State", nlohmann::json::object());
    EXPECT_EQ(after.value("Status", ""), "exited") << after.dump(2);
    EXPECT_EQ(after.value("Running", true), false) << after.dump(2);
    EXPECT_EQ(after.value("ExitCode", -1), 143) << "sleep ended by SIGTERM\n" << after.dump(2);
    EXPECT_TRUE(std::regex_match(after.value("FinishedAt", ""), kRfc3339)) << after.dump(2);
    EXPECT_GE(after.value("FinishedAt", ""), after.value("StartedAt", "")) << after.dump(2);
    EXPECT_FALSE(is_alive(*init));

    r = kubik({"rm", "insp"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm");
}

TEST_F(Lifecycle, UnknownContainerIsAnError) {
    for (std::vector<std::string> args : {std::vector<std::string>{"stop", "nope"},
                                          {"rm", "nope"},
                                          {"rm", "-f", "nope"},
                                          {"logs", "nope"},
                                          {"inspect", "nope"},
                                          {"kill", "nope"},
                                          {"exec", "nope", "true"}}) {
        auto r = kubik(args);
        EXPECT_EQ(r.exit_code, 1) << "docker exits 1 for an unknown container\n" << r.describe();
        EXPECT_NE(r.err.find("No such container: nope"), std::string::npos) << r.describe();
    }
    expect_no_container_state("after commands on an unknown container");
}

// ---------------------------------------------------------------------------
// logs

TEST_F(Lifecycle, LogsKeepStdoutAndStderrApart) {
    auto talk = start({"--name", "talk", "busybox", "sh", "-c", "echo out1; echo err1 >&2; echo out2"});
    ASSERT_FALSE(talk.empty());
    auto count = start({"--name", "count", "busybox", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done"});
    ASSERT_FALSE(count.empty());
    ASSERT_TRUE(wait_until_exited("talk"));
    ASSERT_TRUE(wait_until_exited("count"));

    auto r = kubik({"logs", "talk"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "out1\nout2\n") << "the container's stdout goes to logs' stdout\n" << r.describe();
    EXPECT_EQ(r.err, "err1\n") << "the container's stderr goes to logs' stderr\n" << r.describe();

    r = kubik({"logs", "--tail", "2", "count"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "line4\nline5\n") << r.describe();

    r = kubik({"logs", "-t", "count"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 5u) << r.describe();
    for (size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        ASSERT_TRUE(std::regex_match(lines[i], m, std::regex(R"((\S+) (line\d))"))) << lines[i];
        EXPECT_TRUE(std::regex_match(m[1].str(), kRfc3339)) << "-t prefixes an RFC 3339 time: " << lines[i];
        EXPECT_EQ(m[2].str(), "line" + std::to_string(i + 1));
    }

    r = kubik({"rm", "talk", "count"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm");
}

TEST_F(Lifecycle, LogsFollowEndsWhenTheContainerStops) {
    // "second" waits for /go, which the test creates only once logs -f is
    // following: otherwise logs -f could start after the container finished
    // and pass by printing the whole log and exiting.
    auto id = start({"--name", "slow", "busybox", "sh", "-c",
                     "echo first; while [ ! -e /go ]; do sleep 0.05; done; echo second"});
    ASSERT_FALSE(id.empty());
    Child follow(kubik_argv({"logs", "-f", "slow"}));
    // Still running a while later, although the container runs on: it follows
    // (a logs without -f prints what there is and exits at once).
    std::this_thread::sleep_for(500ms);
    auto self = process_info(follow.pid());
    if (!self || self->state == 'Z') {
        auto r = follow.finish(5s);
        FAIL() << "logs -f ended while the container was still running\n" << r.describe();
    }
    auto go = kubik({"exec", "slow", "touch", "/go"});
    ASSERT_EQ(go.exit_code, 0) << "could not release the container\n" << go.describe();
    auto r = follow.finish(15s);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_FALSE(r.timed_out) << "logs -f must end when the container stops\n" << r.describe();
    EXPECT_EQ(r.out, "first\nsecond\n") << "logs -f prints what comes while it follows\n" << r.describe();
    ASSERT_TRUE(wait_until_exited("slow"));
    r = kubik({"rm", "slow"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm");
}

// ---------------------------------------------------------------------------
// stop, kill, rm

TEST_F(Lifecycle, StopEndsAContainerWithSigterm) {
    auto id = start({"--name", "polite", "busybox", "sleep", "100"});
    ASSERT_FALSE(id.empty());
    auto init = process_info(init_pid("polite"));
    ASSERT_TRUE(init);
    ASSERT_TRUE(wait_for_child(init->pid, "sleep", 5s));

    auto r = kubik({"stop", "-t", "10", "polite"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "polite\n") << "docker prints each container as it was named\n" << r.describe();
    EXPECT_LT(r.elapsed.count(), 5000) << "sleep dies of SIGTERM at once; no need to wait for -t\n" << r.describe();
    EXPECT_FALSE(is_alive(*init));
    auto state = inspect("polite").value("State", nlohmann::json::object());
    EXPECT_EQ(state.value("ExitCode", -1), 143) << "128 + SIGTERM\n" << state.dump(2);
    EXPECT_EQ(state.value("Status", ""), "exited") << state.dump(2);
    for (const auto& d : existing_cgroup_dirs(id)) ADD_FAILURE() << "the cgroup of a stopped container is left: " << d;

    // Stopping a stopped container is fine (docker exits 0).
    r = kubik({"stop", "polite"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "polite\n") << r.describe();

    r = kubik({"rm", "polite"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm");
}

TEST_F(Lifecycle, StopKillsAContainerThatIgnoresSigterm) {
    auto id = start({"--name", "stubborn", "busybox", "sh", "-c", "trap '' TERM; sleep 100"});
    ASSERT_FALSE(id.empty());
    pid_t init = init_pid("stubborn");
    ASSERT_GT(init, 0);
    ASSERT_TRUE(wait_for_trap(init, SIGTERM, "SigIgn")) << "the shell never set its trap";

    auto r = kubik({"stop", "-t", "1", "stubborn"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_GE(r.elapsed.count(), 900) << "stop must give the container -t 1 seconds before SIGKILL\n" << r.describe();
    EXPECT_LT(r.elapsed.count(), 8000) << r.describe();
    auto state = inspect("stubborn").value("State", nlohmann::json::object());
    EXPECT_EQ(state.value("ExitCode", -1), 137) << "SIGKILL after the grace period: 128 + 9\n" << state.dump(2);
    EXPECT_EQ(state.value("Running", true), false) << state.dump(2);

    r = kubik({"rm", "stubborn"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm");
}

TEST_F(Lifecycle, KillSendsTheSignal) {
    auto id = start({"--name", "sig", "busybox", "sh", "-c",
                     "trap 'echo got USR1' USR1; while :; do sleep 0.1; done"});
    ASSERT_FALSE(id.empty());
    pid_t init = init_pid("sig");
    ASSERT_GT(init, 0);
    ASSERT_TRUE(wait_for_trap(init, SIGUSR1, "SigCgt")) << "the shell never set its trap";

    auto r = kubik({"kill", "-s", "USR1", "sig"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "sig\n") << r.describe();
    std::string logged;
    for (int i = 0; i < 100 && logged.find("got USR1") == std::string::npos; ++i) {
        std::this_thread::sleep_for(50ms);
        logged = kubik({"logs", "sig"}).out;
    }
    EXPECT_EQ(logged, "got USR1\n") << "init must pass USR1 on to the command";
    EXPECT_EQ(inspect("sig").value("State", nlohmann::json::object()).value("Running", false), true)
        << "USR1 (trapped) must not stop the container";

    r = kubik({"kill", "-s", "NOSUCHSIGNAL", "sig"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("invalid signal"), std::string::npos) << r.describe();
    EXPECT_EQ(inspect("sig").value("State", nlohmann::json::object()).value("Running", false), true);

    r = kubik({"kill", "sig"});
    EXPECT_EQ(r.exit_code, 0) << "kill sends SIGKILL by default\n" << r.describe();
    ASSERT_TRUE(wait_until_exited("sig"));
    EXPECT_EQ(inspect("sig").value("State", nlohmann::json::object()).value("ExitCode", -1), 137);

    r = kubik({"kill", "sig"});
    EXPECT_EQ(r.exit_code, 1) << "killing a stopped container is an error (docker: is not running)\n"
                              << r.describe();
    r = kubik({"rm", "sig"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm");
}

TEST_F(Lifecycle, RmOfARunningContainerNeedsForce) {
    auto id = start({"--name", "busy", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    auto init = process_info(init_pid("busy"));
    ASSERT_TRUE(init);

    auto r = kubik({"rm", "busy"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("running"), std::string::npos) << "say why: the container is running\n" << r.describe();
    EXPECT_TRUE(is_alive(*init)) << "rm without -f must not touch a running container";
    EXPECT_EQ(inspect("busy").value("State", nlohmann::json::object()).value("Running", false), true);

    r = kubik({"rm", "-f", "busy"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "busy\n") << r.describe();
    EXPECT_FALSE(is_alive(*init));
    r = kubik({"inspect", "busy"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    expect_no_container_state("after rm -f");
}

// ---------------------------------------------------------------------------
// exec

TEST_F(Lifecycle, ExecJoinsTheContainersNamespacesAndCgroup) {
    auto id = start({"--name", "box", "--memory", "64m", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    pid_t init = init_pid("box");
    ASSERT_GT(init, 0);

    Child exec(kubik_argv({"exec", "box", "sleep", "31"}));
    std::optional<ProcInfo> joined;
    for (int i = 0; i < 500 && !joined; ++i) {
        joined = wait_for_descendant(exec.pid(), "sleep", 20ms);
        auto self_info = process_info(exec.pid());
        if (!joined && (!self_info || self_info->state == 'Z')) break;  // exec gave up
    }
    if (!joined) {
        auto r = exec.finish(5s);
        if (mentions_stub(r, 3)) ADD_FAILURE() << "kubik says lesson 3 (cgroups) is not implemented yet";
        FAIL() << "`kubik exec box sleep 31` started no sleep\n" << r.describe();
    }
    const pid_t self = ::getpid();
    for (const char* ns : {"ipc", "uts", "net", "pid", "mnt"}) {
        EXPECT_EQ(namespace_of(joined->pid, ns), namespace_of(init, ns))
            << "the exec'd command must be in the container's " << ns << " namespace";
        EXPECT_NE(namespace_of(joined->pid, ns), namespace_of(self, ns)) << ns;
    }
    auto ids = nspid_of(joined->pid);
    ASSERT_EQ(ids.size(), 2u) << "the exec'd command is one pid namespace below the host";
    EXPECT_GT(ids.back(), 1) << "PID 1 is the container's init";
    for (const char* controller : {"memory", "cpu", "cpuacct", "pids"})
        EXPECT_EQ(cgroup_of(joined->pid, controller), cgroup_path(id))
            << "the exec'd command must count against the container's " << controller << " limits";

    ASSERT_EQ(::kill(joined->pid, SIGTERM), 0);
    auto r = exec.finish(10s);
    EXPECT_EQ(r.exit_code, 143) << "exec exits with its command's code (128 + SIGTERM)\n" << r.describe();

    // What the command sees from inside.
    r = kubik({"exec", "box", "sh", "-c", "hostname; cat /proc/1/comm"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, id.substr(0, 12) + "\nkubik-init\n") << "the container's hostname and its /proc\n" << r.describe();

    r = kubik({"rm", "-f", "box"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

TEST_F(Lifecycle, ExecExitCodesEnvAndWorkdir) {
    auto id = start({"--name", "box", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());

    auto r = kubik({"exec", "box", "sh", "-c", "exit 3"});
    EXPECT_EQ(r.exit_code, 3) << r.describe();
    r = kubik({"exec", "box", "no-such-command"});
    EXPECT_EQ(r.exit_code, 127) << r.describe();
    EXPECT_NE(r.err.find("executable file not found"), std::string::npos) << r.describe();
    r = kubik({"exec", "-e", "K=V", "box", "sh", "-c", "echo $K"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "V\n") << r.describe();
    r = kubik({"exec", "-w", "/tmp", "box", "pwd"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "/tmp\n") << r.describe();
    r = kubik({"exec", "box", "pwd"});
    EXPECT_EQ(r.out, "/\n") << "the container's working directory by default\n" << r.describe();

    r = kubik({"rm", "-f", "box"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

// runc's CVE-2024-21626 through `exec -w`: the caller of `kubik exec` holds a
// directory of the host's open, and /proc/self/fd/N inside the container is
// that directory. The command must not start there (lesson 2's
// namespaces_test.cpp takes the four routes of `run`).
TEST_F(Lifecycle, ExecWorkdirThroughAnInheritedDescriptorIsRefused) {
    auto id = start({"--name", "box", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());

    HeldDirectory held(root_ / "hostdir");
    auto r = kubik({"exec", "-w", held.fd_path(), "box", "sh", "-c", "cat marker; ls ../../.."},
                   held.passed_on());
    EXPECT_EQ(r.out.find(held.marker()), std::string::npos)
        << "the exec'd command read a file of the host's through " << held.fd_path() << "\n" << r.describe();
    EXPECT_EQ(r.exit_code, 125) << "a working directory outside the container is kubik's error\n" << r.describe();
    EXPECT_NE(r.err.find("\"" + held.fd_path() + "\""), std::string::npos)
        << "the error names the working directory\n" << r.describe();

    r = kubik({"exec", "box", "true"});
    EXPECT_EQ(r.exit_code, 0) << "the container is unharmed by a refused exec\n" << r.describe();
    r = kubik({"rm", "-f", "box"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

TEST_F(Lifecycle, ExecIntoAStoppedContainerFails) {
    auto id = start({"--name", "gone", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    auto r = kubik({"stop", "-t", "1", "gone"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    r = kubik({"exec", "gone", "true"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("not running"), std::string::npos) << r.describe();
    r = kubik({"rm", "gone"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm");
}

// ---------------------------------------------------------------------------
// stats

TEST_F(Lifecycle, StatsShowsARowPerRunningContainer) {
    auto capped = start({"--name", "capped", "--memory", "64m", "busybox", "sleep", "30"});
    ASSERT_FALSE(capped.empty());
    auto unlimited = start({"--name", "free", "busybox", "sleep", "30"});
    ASSERT_FALSE(unlimited.empty());
    auto r = krun({"--name", "over", "busybox", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();

    r = kubik({"stats", "--no-stream"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 3u) << "a header and a row per running container\n" << r.describe();
    for (const char* column : {"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS"})
        EXPECT_NE(lines[0].find(column), std::string::npos) << "no column " << column << "\n" << r.describe();
    std::map<std::string, std::string> rows;
    for (size_t i = 1; i < lines.size(); ++i) {
        std::smatch m;
        if (std::regex_search(lines[i], m, std::regex(R"(^[0-9a-f]{12}\s+(\S+))"))) rows[m[1].str()] = lines[i];
    }
    ASSERT_TRUE(rows.count("capped") && rows.count("free")) << r.describe();
    EXPECT_TRUE(std::regex_search(rows["capped"], std::regex(R"(/ 64MiB)"))) << "--memory 64m is the limit\n"
                                                                              << r.describe();
    EXPECT_TRUE(std::regex_search(rows["capped"], std::regex(R"(\s2\s*$)"))) << "PIDS: kubik-init and sleep\n"
                                                                            << r.describe();

    r = kubik({"rm", "-f", "capped", "free", "over"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

// ---------------------------------------------------------------------------
// Concurrency: the state is written under a lock and names are claimed
// atomically.

TEST_F(Lifecycle, TwentyParallelRunsAllSucceed) {
    constexpr int kCount = 20;
    std::vector<std::unique_ptr<Child>> runs;
    for (int i = 0; i < kCount; ++i)
        runs.push_back(std::make_unique<Child>(
            kubik_argv({"run", "-d", "--name", "c" + std::to_string(i), "busybox", "sleep", "30"})));
    std::set<std::string> ids;
    for (auto& child : runs) {
        auto r = child->finish(60s);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        ids.insert(trimmed(r.out));
    }
    runs.clear();
    EXPECT_EQ(ids.size(), static_cast<size_t>(kCount)) << "20 distinct ids";

    auto r = kubik({"ps", "-q"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(lines_of(r.out).size(), static_cast<size_t>(kCount)) << "all 20 are running\n" << r.describe();
    std::vector<std::string> names{"rm", "-f"};
    for (int i = 0; i < kCount; ++i) names.push_back("c" + std::to_string(i));
    RunOptions o;
    o.timeout = 60s;
    r = kubik(names, o);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f of all 20");
}

TEST_F(Lifecycle, TwoParallelRunsWithOneNameOneWins) {
    for (int round = 0; round < 5; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        Child a(kubik_argv({"run", "-d", "--name", "same", "busybox", "sleep", "30"}));
        Child b(kubik_argv({"run", "-d", "--name", "same", "busybox", "sleep", "30"}));
        auto ra = a.finish(30s), rb = b.finish(30s);
        const RunResult& winner = ra.exit_code == 0 ? ra : rb;
        const RunResult& loser = ra.exit_code == 0 ? rb : ra;
        EXPECT_EQ(winner.exit_code, 0) << ra.describe() << "\n" << rb.describe();
        EXPECT_EQ(loser.exit_code, 125) << "exactly one may have the name\n" << ra.describe() << "\n" << rb.describe();
        EXPECT_NE(loser.err.find("Conflict"), std::string::npos) << loser.describe();
        EXPECT_EQ(container_dirs().size(), 1u) << "the loser leaves nothing";
        auto r = kubik({"rm", "-f", "same"});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        expect_no_container_state("after rm -f");
    }
}

// ---------------------------------------------------------------------------
// Crash safety: kill -9 at the worst moment leaves state that ps shows and
// rm -f cleans completely.

TEST_F(Lifecycle, KilledMonitorLeavesAContainerThatRmCleans) {
    auto id = start({"--name", "orphan", "--memory", "64m", "busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    auto state = inspect("orphan").value("State", nlohmann::json::object());
    auto monitor = process_info(state.value("MonitorPid", 0));
    auto init = process_info(state.value("Pid", 0));
    ASSERT_TRUE(monitor && init) << state.dump(2);
    ASSERT_EQ(monitor->comm, "kubik-monitor");

    ASSERT_EQ(::kill(monitor->pid, SIGKILL), 0);
    EXPECT_TRUE(wait_until_gone(*init, 5s)) << "the container's init must die with its monitor (PR_SET_PDEATHSIG)";

    auto r = kubik({"ps", "-a"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << "ps -a still lists the container\n" << r.describe();
    std::printf("ps -a after kill -9 of the monitor:\n%s", r.out.c_str());
    EXPECT_TRUE(std::regex_search(lines[1], std::regex(R"(\borphan\s*$)"))) << r.describe();
    EXPECT_EQ(lines[1].find("Up "), std::string::npos) << "its init is gone: it is not up\n" << r.describe();
    EXPECT_EQ(inspect("orphan").value("State", nlohmann::json::object()).value("Running", true), false);

    r = kubik({"rm", "-f", "orphan"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

TEST_F(Lifecycle, KilledForegroundRunLeavesAContainerThatRmCleans) {
    Child run(kubik_argv({"run", "--name", "fg", "--memory", "64m", "busybox", "sleep", "30"}));
    auto init = wait_for_child(run.pid(), "kubik-init");
    ASSERT_TRUE(init) << "kubik run has no child kubik-init";
    ASSERT_TRUE(wait_for_child(init->pid, "sleep"));
    std::string id;
    for (int i = 0; i < 100 && id.empty(); ++i) {
        auto doc = nlohmann::json::parse(KubikTest::kubik({"inspect", "fg"}).out, nullptr, false);
        if (!doc.is_discarded() && doc.is_array() && doc[0]["State"].value("Running", false)) id = doc[0].value("Id", "");
        else std::this_thread::sleep_for(20ms);
    }
    ASSERT_FALSE(id.empty()) << "inspect never showed the container running";

    ASSERT_EQ(::kill(run.pid(), SIGKILL), 0);
    auto r = run.finish(10s);
    EXPECT_EQ(r.term_signal, SIGKILL) << r.describe();
    EXPECT_TRUE(wait_until_gone(*init, 5s)) << "the container's init must die with kubik (PR_SET_PDEATHSIG)";

    r = kubik({"ps", "-a"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    std::printf("ps -a after kill -9 of kubik run:\n%s", r.out.c_str());
    auto rows = lines_of(r.out);
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                            [](const std::string& row) { return std::regex_search(row, std::regex(R"(\bfg\s*$)")); }))
        << "ps -a still lists the container\n" << r.describe();

    r = kubik({"rm", "-f", "fg"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after rm -f");
}

}  // namespace
}  // namespace kubik::test
