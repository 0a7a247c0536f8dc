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
#include "kubik_test.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>

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

}  // namespace
}  // namespace kubik::test
