// The leak check: ctest runs it after every gate test (FIXTURES_CLEANUP in
// tests/CMakeLists.txt) to prove the whole run left nothing on the host.
// Each test already checks its own state root and cgroup parent; this catches
// what slipped between them (a test program that crashed before its
// TearDown, a process that escaped the tree). It reports, then cleans up, so
// one leak doesn't fail the next run too. A process counts as ours when it is
// tied to test-roots/ (tie_to: root, cwd, an open file, its command line, or
// the overlay in its mount table), which finds every kubik-init and
// kubik-monitor the tests started; a cgroup is ours when its top-level
// directory starts with this build's test_cgroup_prefix().
//
// Network (lesson 6): interfaces named kb-* and kv* and nftables tables named
// kubik-* are kubik's. A lesson-6 test records every such name it may make
// (its root's default bridge and table, its user networks' bridges, its
// containers' veths) in BUILD/test-network-names before kubik makes it, so
// what is left of those is this build's leak: reported, then removed. Others
// (another build's tests, running right now; someone's kubik by hand) are
// noted and left alone.
#include "kubik_test.hpp"

#include "net/netlink.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace kubik::test {
namespace {

TEST(Leaks, NothingIsMountedUnderTestRoots) {
    auto mounts = mounts_of("self");
    std::reverse(mounts.begin(), mounts.end());  // deepest first for the cleanup
    for (const auto& m : mounts) {
        if (!is_under(m.mount_point, test_roots_dir())) continue;
        ADD_FAILURE() << "mount left on the host: " << m.line;
        ::umount2(m.mount_point.c_str(), MNT_DETACH);
    }
}

TEST(Leaks, NoContainerProcessIsLeft) {
    for (const auto& p : list_processes()) {
        if (p.pid == ::getpid()) continue;
        const std::string why = tie_to(p.pid, test_roots_dir());
        if (!why.empty()) {
            ADD_FAILURE() << "process left: pid " << p.pid << " (" << p.comm << "), " << why;
            ::kill(p.pid, SIGKILL);
        } else if (p.comm == "kubik-init") {
            // A container, but not one of ours: its root, files and mount
            // table don't touch test-roots/ (someone runs kubik by hand on
            // this machine). Worth a note, not a failure of this test run.
            std::cout << "note: pid " << p.pid << " (kubik-init) belongs to a container outside "
                      << test_roots_dir() << "; left alone\n";
        }
    }
}

TEST(Leaks, NoMonitorIsLeft) {
    // A detached container's monitor names the state root on its command line
    // (kubik-monitor KUBIK ROOT ID PID); once it execs `kubik __finish ROOT ...`
    // it keeps doing so.
    for (const auto& p : list_processes()) {
        if (p.comm != "kubik-monitor") continue;
        const std::string why = tie_to(p.pid, test_roots_dir());
        if (why.empty()) {
            std::cout << "note: pid " << p.pid << " (kubik-monitor) watches a container outside "
                      << test_roots_dir() << "; left alone\n";
            continue;
        }
        ADD_FAILURE() << "monitor left: pid " << p.pid << ", " << why;
        ::kill(p.pid, SIGKILL);
    }
}

TEST(Leaks, NoTestCgroupIsLeft) {
    // Every test's cgroup parent is PREFIX-RANDOM at the top of each
    // hierarchy, and its TearDown removes it.
    const std::string ours = test_cgroup_prefix();
    std::set<std::string> others;
    for (const auto& m : cgroup_mounts()) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(m.mount_point, ec)) {
            const std::string name = e.path().filename().string();
            if (!e.is_directory(ec) || name.rfind("kubik-test-", 0) != 0) continue;
            if (name.rfind(ours, 0) != 0) {
                others.insert(name);  // another build's tests, maybe running right now
                continue;
            }
            ADD_FAILURE() << "cgroup left behind: " << e.path();
            for (const auto& problem : destroy_cgroup_tree(e.path())) ADD_FAILURE() << problem;
        }
    }
    for (const auto& name : others)
        std::cout << "note: cgroup " << name << " belongs to another build's tests (not " << ours
                  << "*); left alone\n";
}

TEST(Leaks, TestRootsIsEmpty) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(test_roots_dir(), ec)) {
        ADD_FAILURE() << "state root left behind: " << e.path();
        std::error_code ignored;
        fs::remove_all(e.path(), ignored);
    }
}

TEST(Leaks, NoRootlessTestUserIsLeft) {
    // tests/rootless/ makes a user kbrl-PID for each test and removes it in
    // its destructor; one whose test process is gone was left by a crash.
    std::ifstream passwd("/etc/passwd");
    for (std::string line; std::getline(passwd, line);) {
        if (!line.starts_with("kbrl-")) continue;
        const std::string name = line.substr(0, line.find(':'));
        const pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + 5));
        if (pid > 0 && ::kill(pid, 0) == 0) continue; // its test still runs
        ADD_FAILURE() << "rootless test user left behind: " << name;
        run({"/usr/sbin/userdel", name});
    }
}

TEST(Leaks, NoHostMarkersAreLeft) {
    // Markers the chroot tests create in /tmp and the working directory the
    // process tests may create at / while lesson 1 is a stub. Their names
    // carry this build's tag (build_tag()); another build's, maybe in use by
    // its tests right now, are noted and left alone.
    const std::string tag = build_tag() + "-";
    std::set<std::string> others;
    auto check = [&](const fs::path& dir, const std::string& kind, const std::string& what) {
        const std::string prefix = "kubik-test-" + kind + "-";
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir, ec)) {
            const std::string name = e.path().filename().string();
            if (name.rfind(prefix, 0) != 0) continue;
            if (name.compare(prefix.size(), tag.size(), tag) != 0) {
                others.insert(e.path().string());
                continue;
            }
            ADD_FAILURE() << what << ": " << e.path();
            std::error_code ignored;
            fs::remove_all(e.path(), ignored);
        }
    };
    check("/tmp", "marker", "host marker left behind");
    check("/", "wd", "working directory created on the host");
    for (const auto& path : others)
        std::cout << "note: " << path << " is not this build's (tag " << build_tag() << "); left alone\n";
}

// What lesson 6's tests made on the host: "link NAME" and "table NAME" lines
// (tests/06-network/lesson6.cpp, record_host_name()).
std::map<std::string, std::set<std::string>> recorded_network_names() {
    std::map<std::string, std::set<std::string>> names;
    std::ifstream in(test_roots_dir().parent_path() / "test-network-names");
    for (std::string kind, name; in >> kind >> name;) names[kind].insert(name);
    return names;
}

// The nft tool (tests may use it; the runtime never does), "" when absent.
std::string nft_tool() {
    for (const char* p : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"})
        if (::access(p, X_OK) == 0) return p;
    return "";
}

TEST(Leaks, NoNetworkInterfaceOfTheTestsIsLeft) {
    const auto ours = recorded_network_names()["link"];
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/sys/class/net", ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("kb-", 0) != 0 && name.rfind("kv", 0) != 0) continue;
        // A veth of ours may be named after its peer's container only: any
        // kv* plugged into one of our bridges is ours too.
        std::string master;
        std::error_code ignored;
        if (fs::is_symlink(e.path() / "master", ignored))
            master = fs::read_symlink(e.path() / "master", ignored).filename().string();
        if (!ours.count(name) && !ours.count(master)) {
            std::cout << "note: interface " << name << " is not one this build's tests made; left alone\n";
            continue;
        }
        ADD_FAILURE() << "network interface left on the host: " << name
                      << (master.empty() ? "" : " (a port of " + master + ")");
        try {
            net::RouteSocket sock;
            net::Link link(rtnl_link_alloc());
            rtnl_link_set_name(link.get(), name.c_str());
            rtnl_link_delete(sock.get(), link.get());
        } catch (const std::exception& error) {
            ADD_FAILURE() << "could not delete " << name << ": " << error.what();
        }
    }
}

TEST(Leaks, NoNftablesTableOfTheTestsIsLeft) {
    const auto ours = recorded_network_names()["table"];
    const std::string nft = nft_tool();
    if (nft.empty()) {
        std::cout << "note: no nft tool here; kubik's tables were not checked\n";
        return;
    }
    auto r = run({nft, "list", "tables", "ip"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string table, family, name;
        words >> table >> family >> name;
        if (table != "table" || family != "ip" || name.rfind("kubik-", 0) != 0) continue;
        if (!ours.count(name)) {
            std::cout << "note: nftables table ip " << name << " is not one this build's tests made; left alone\n";
            continue;
        }
        ADD_FAILURE() << "nftables table left on the host: ip " << name;
        auto d = run({nft, "delete", "table", "ip", name});
        EXPECT_EQ(d.exit_code, 0) << d.describe();
    }
}

TEST(Leaks, ZzForgetsTheNetworkNamesOfThisRun) {
    // Last (gtest runs tests in the order they are defined): the names were
    // checked above; the next run records its own.
    std::error_code ec;
    fs::remove(test_roots_dir().parent_path() / "test-network-names", ec);
}

}  // namespace
}  // namespace kubik::test
