// Fixtures: one state root per test, the busybox image, the lesson gate, and
// the cleanup that runs whether the test passed or not.
#include "kubik_test.hpp"

#include "core/files.hpp"
#include "image/image_store.hpp"
#include "net/netlink.hpp"
#include "net/nft.hpp"

#include <fcntl.h>

#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#ifndef KUBIK_BIN
#error "KUBIK_BIN must be defined by tests/CMakeLists.txt ($<TARGET_FILE:kubik>)"
#endif
#ifndef KUBIK_TEST_ROOTS
#error "KUBIK_TEST_ROOTS must be defined by tests/CMakeLists.txt"
#endif

namespace kubik::test {

std::string kubik_binary() { return KUBIK_BIN; }
fs::path test_roots_dir() { return KUBIK_TEST_ROOTS; }
std::string busybox_binary() {
    const char* over = std::getenv("KUBIK_TEST_BUSYBOX");
    return over && *over ? over : "/bin/busybox";
}

namespace {

// gtest names may hold '/' (parameterised tests); a directory name can't.
std::string safe_name(std::string s) {
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
    return s.substr(0, 80);
}

std::string describe(const ProcInfo& p) {
    return "pid " + std::to_string(p.pid) + " (" + p.comm + ", state " + p.state + ", parent " +
           std::to_string(p.ppid) + ")";
}

// Kills and reaps everything below the test process. Because we are a child
// subreaper, a container process whose kubik died was re-parented to us, so
// this finds it even when the process tree was broken.
void kill_descendants() {
    for (int round = 0; round < 50; ++round) {
        reap_zombie_children();
        auto rest = descendants_of(::getpid());
        for (const auto& p : rest) ::kill(p.pid, SIGKILL);
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
        if (rest.empty()) return;
        std::this_thread::sleep_for(20ms);
    }
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

// Lesson 6: kubik makes a state root's default network (its bridge
// kb-HASH and its nftables table kubik-HASH) on the first `run` and, as
// docker with docker0, never removes it; user networks live until `network
// rm`. A test's root goes at its end, so its networks must go too, or every
// test of every lesson would leave a bridge on the host.
void record_network_name(const std::string& kind, const std::string& name) {
    // The leak check (tests/leaks/leak_check.cpp) reads these: what is left
    // of them is this build's leak, anything else another's.
    const std::string line = kind + " " + name + "\n";
    const fs::path file = test_roots_dir().parent_path() / "test-network-names";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    (void)!::write(fd, line.data(), line.size());
    ::close(fd);
}

std::string nft_tool() {
    for (const char* p : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"})
        if (::access(p, X_OK) == 0) return p;
    return "";
}

// Deletes the root's bridges (the default one and every network.json's) and
// its nftables table; what could not be done, one line each.
std::vector<std::string> remove_networks_of(const fs::path& root) {
    std::vector<std::string> problems;
    std::set<std::string> links{"kb-" + nft::root_hash(root)};
    std::error_code ec;
    for (const auto& dir : fs::directory_iterator(root / "networks", ec)) {
        try {
            auto j = nlohmann::json::parse(read_text(dir.path() / "network.json").value_or("{}"));
            links.insert(j.value("Bridge", ""));
        } catch (const std::exception&) {
        }
    }
    for (const auto& name : links) {
        if (name.rfind("kb-", 0) != 0 || !fs::exists(fs::path("/sys/class/net") / name, ec)) continue;
        try {
            net::RouteSocket sock;
            net::Link link(rtnl_link_alloc());
            rtnl_link_set_name(link.get(), name.c_str());
            net::check(rtnl_link_delete(sock.get(), link.get()), "delete the test's bridge " + name);
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
    }
    const std::string table = nft::table_name(root);
    const std::string nft = nft_tool();
    if (table.rfind("kubik-", 0) == 0 && !nft.empty() && run({nft, "list", "table", "ip", table}).exit_code == 0) {
        auto r = run({nft, "delete", "table", "ip", table});
        if (r.exit_code != 0) problems.push_back("delete the test's nftables table " + table + ": " + r.err);
    }
    return problems;
}

}  // namespace

void KubikTest::SetUp() {
    // See the class comment: orphans come to us, not to the host's init.
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0) << std::strerror(errno);
    ASSERT_EQ(::geteuid(), 0u) << "kubik's gate tests run as root (namespaces, mounts)";
    ASSERT_TRUE(fs::exists(kubik_binary())) << "kubik binary missing: " << kubik_binary();

    std::error_code ec;
    fs::create_directories(test_roots_dir(), ec);
    ASSERT_FALSE(ec) << "create " << test_roots_dir() << ": " << ec.message();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = safe_name(std::string(info->test_suite_name()) + "." + info->name());
    std::string templ = (test_roots_dir() / (name + "-XXXXXX")).string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr) << "mkdtemp " << templ << ": " << std::strerror(errno);
    root_ = fs::weakly_canonical(templ);
    record_network_name("link", "kb-" + nft::root_hash(root_));
    record_network_name("table", nft::table_name(root_));

    std::random_device rd;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", rd());
    cgroup_parent_ = test_cgroup_prefix() + suffix;
}

std::vector<std::string> KubikTest::cgroups_left() const {
    std::vector<std::string> out;
    if (cgroup_parent_.empty()) return out;
    for (const auto& m : cgroup_mounts())
        for (const auto& d : cgroups_below(m.mount_point / cgroup_parent_)) {
            std::string pids;
            std::istringstream procs(read_text(d / "cgroup.procs").value_or(""));
            for (std::string pid; procs >> pid;) pids += " " + pid;
            out.push_back("cgroup left behind: " + d.string() +
                          (pids.empty() ? " (empty)" : " (processes:" + pids + ")"));
        }
    return out;
}

void KubikTest::TearDown() {
    // Monitors of detached containers that have finished are our children
    // (we are a subreaper): collect them before looking for leftovers.
    reap_zombie_children();
    // 1. Report: anything still running that the test started, any mount or
    //    process under the root, any container's cgroup below the parent.
    //    The test fails on any of them.
    for (const auto& p : descendants_of(::getpid()))
        if (p.state != 'Z') ADD_FAILURE() << "process left running after the test: " << describe(p);
    if (!root_.empty())
        for (const auto& leak : leaks_under(root_)) ADD_FAILURE() << leak;
    for (const auto& leak : cgroups_left()) ADD_FAILURE() << leak;

    // 2. Clean up regardless, so one bad test doesn't poison the next one.
    kill_descendants();
    if (!root_.empty()) {
        for (int round = 0; round < 10; ++round) {
            auto leaks = leaks_under(root_);
            if (leaks.empty()) break;
            // Processes tied to the root that aren't our descendants
            // (something that escaped the process tree, e.g. a daemon).
            for (const auto& p : list_processes())
                if (p.pid != ::getpid() && !tie_to(p.pid, root_).empty()) ::kill(p.pid, SIGKILL);
            // Deepest mount first; MNT_DETACH so a busy mount still goes.
            auto mounts = mounts_of("self");
            std::reverse(mounts.begin(), mounts.end());
            for (const auto& m : mounts)
                if (is_under(m.mount_point, root_)) ::umount2(m.mount_point.c_str(), MNT_DETACH);
            while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
            std::this_thread::sleep_for(20ms);
        }
        for (const auto& problem : remove_networks_of(root_)) ADD_FAILURE() << problem;
        std::error_code ec;
        fs::remove_all(root_, ec);
        if (ec) ADD_FAILURE() << "could not remove the test root " << root_ << ": " << ec.message();
    }
    // The cgroup parent kubik created (it never removes a parent, as docker
    // doesn't), in every hierarchy; only ours, and what is left in it.
    if (!cgroup_parent_.empty())
        for (const auto& m : cgroup_mounts())
            for (const auto& problem : destroy_cgroup_tree(m.mount_point / cgroup_parent_)) ADD_FAILURE() << problem;
    for (const auto& p : host_paths_) {
        std::error_code ec;
        fs::remove_all(p, ec);
    }
}

std::vector<std::string> KubikTest::kubik_argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{kubik_binary(), "--root", root_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    bool names_parent = std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a == "--cgroup-parent" || a.rfind("--cgroup-parent=", 0) == 0;
    });
    // build too: its RUN steps are containers, with cgroups of their own.
    if (!args.empty() && (args[0] == "run" || args[0] == "build") && !names_parent && !cgroup_parent_.empty())
        argv.insert(argv.begin() + 4, {"--cgroup-parent", cgroup_parent_});
    return argv;
}

RunResult KubikTest::kubik(const std::vector<std::string>& args, const RunOptions& options) {
    return run(kubik_argv(args), options);
}

std::vector<std::string> KubikTest::container_dirs() const { return entries(root_ / "containers"); }

void KubikTest::expect_no_container_state(const std::string& context) const {
    EXPECT_EQ(joined(container_dirs()), "")
        << context << ": a container directory was left in " << root_ / "containers";
    EXPECT_EQ(joined(entries(root_ / "names")), "")
        << context << ": a container name was left claimed in " << root_ / "names";
    for (const auto& leak : leaks_under(root_)) ADD_FAILURE() << context << ": " << leak;
    reap_zombie_children();
    for (const auto& p : descendants_of(::getpid()))
        if (p.state != 'Z') ADD_FAILURE() << context << ": process left running: " << describe(p);
    for (const auto& leak : cgroups_left()) ADD_FAILURE() << context << ": " << leak;
}

void BusyboxTest::SetUp() {
    KubikTest::SetUp();
    if (HasFatalFailure()) return;
    std::vector<std::string> args{"image", "busybox"};
    if (const char* over = std::getenv("KUBIK_TEST_BUSYBOX"); over && *over)
        args.insert(args.end(), {"--busybox", over});
    auto r = KubikTest::kubik(args);
    ASSERT_EQ(r.exit_code, 0) << "making the busybox image failed\n" << r.describe();
    // The image is in the content-addressed store (ROOT/store), not a directory of its own.
    auto listed = KubikTest::kubik({"images", "-q", "busybox"});
    ASSERT_EQ(listed.exit_code, 0) << listed.describe();
    ASSERT_EQ(listed.out.size(), 13u) << "`kubik image busybox` made no busybox image\n" << listed.describe();
}

fs::path BusyboxTest::image_rootfs(const std::string& name) const {
    return ImageStore(root_).find(name).layers.back().dir;
}

nlohmann::json BusyboxTest::image_config(const std::string& name) const {
    return ImageStore(root_).find(name).config_doc;
}

void BusyboxTest::set_image_config(const std::string& name, const nlohmann::json& config) {
    ImageStore store(root_);
    Image image = store.find(name);
    auto manifest = nlohmann::json::parse(read_file(store.blob_path(image.manifest_digest)));
    std::vector<std::pair<std::string, std::string>> layers;
    for (const auto& layer : manifest.at("layers"))
        layers.emplace_back(layer.at("digest").get<std::string>(), layer.at("mediaType").get<std::string>());
    ImageStore::Lock lock(store);
    store.add_image(config, layers, {ImageRef::parse(name)});
}

std::string LessonTest::stub_marker() const {
    return "not implemented yet: lesson " + std::to_string(lesson_) + " ";
}

bool LessonTest::mentions_stub(const RunResult& r, int n) {
    return r.err.find("not implemented yet: lesson " + std::to_string(n) + " ") != std::string::npos;
}

void LessonTest::SetUp() {
    BusyboxTest::SetUp();
    if (HasFatalFailure()) return;
    // Once per test program: ctest runs every test in its own process, and
    // when the program runs all tests at once the answer doesn't change.
    static std::map<int, std::string> verdicts;
    auto found = verdicts.find(lesson_);
    if (found == verdicts.end()) {
        const auto args = gate_args();
        auto r = KubikTest::kubik(args);
        std::string command = "kubik";
        for (const auto& a : args) command += " " + a;
        std::string verdict;
        if (mentions_stub(r, lesson_))
            verdict = "lesson " + std::to_string(lesson_) + " (" + topic_ +
                      ") is not implemented yet, so its tests can't pass. kubik said:\n" + r.err;
        else if (r.exit_code != 0 && r.err.find("not implemented yet: lesson ") != std::string::npos)
            verdict = "an earlier lesson is not implemented yet, and lesson " + std::to_string(lesson_) +
                      " (" + topic_ + ") builds on it. kubik said:\n" + r.err;
        else if (r.exit_code != 0)
            verdict = "a container doesn't start: `" + command + "` must exit 0 before "
                      "lesson " + std::to_string(lesson_) + " can be tested\n" + r.describe();
        found = verdicts.emplace(lesson_, verdict).first;
    }
    if (!found->second.empty()) FAIL() << found->second;
}

RunResult LessonTest::kubik(const std::vector<std::string>& args, const RunOptions& options) {
    auto r = KubikTest::kubik(args, options);
    if (mentions_stub(r, lesson_))
        ADD_FAILURE() << "kubik says lesson " << lesson_ << " (" << topic_
                      << ") is not implemented yet\n" << r.describe();
    return r;
}

}  // namespace kubik::test
