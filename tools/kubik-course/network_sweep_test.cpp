#include "network_sweep.hpp"

#include "subprocess.hpp"
#include "test_run.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace kubik::course;

namespace {

bool tool_ok(std::vector<std::string> argv) {
    ProcessOptions o;
    o.argv = std::move(argv);
    o.timeout = std::chrono::seconds(10);
    return run_process(o).succeeded();
}

// Runs `body` in a child with a network namespace of its own (links and
// nftables tables are per namespace), so the sweep's `ip` and `nft` only
// ever see what the child made. Returns the child's exit code.
int in_own_netns(const std::function<int()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::unshare(CLONE_NEWNET) != 0) ::_exit(100);
        ::_exit(body());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

} // namespace

TEST(NetworkSweep, NamesFileIsBesideTheTestsFolder) {
    EXPECT_EQ(network_names_file("/b/tests/test-06-network"), fs::path("/b/test-network-names"));
    EXPECT_EQ(network_names_mark("/nonexistent/test-network-names"), 0u);
}

TEST(NetworkSweep, RemovesOnlyWhatTheRunRecordedAndStillExists) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace of its own)";
    const fs::path file = fs::temp_directory_path() / ("kubik-sweep-test-" + std::to_string(::getpid()));
    const int code = in_own_netns([&] {
        for (const char* name : {"kb-sweep0", "kb-keep0", "eth9"})
            if (!tool_ok({"ip", "link", "add", name, "type", "bridge"})) return 1;
        if (!tool_ok({"nft", "add", "table", "ip", "kubik-sweep0"})) return 2;
        {
            std::ofstream out(file);
            out << "link kb-keep0\n";  // before the mark: an earlier run's
        }
        const auto mark = network_names_mark(file);
        {
            std::ofstream out(file, std::ios::app);
            out << "link kb-sweep0\ntable kubik-sweep0\nlink kb-gone0\nlink eth9\ntable kubik\n";
        }
        const auto report = remove_recorded_networks(file, mark);
        if (!report.empty()) return 3;
        if (tool_ok({"ip", "link", "show", "dev", "kb-sweep0"})) return 4;
        if (tool_ok({"nft", "list", "table", "ip", "kubik-sweep0"})) return 5;
        // Recorded before the mark, or not kubik's: left alone.
        if (!tool_ok({"ip", "link", "show", "dev", "kb-keep0"}) || !tool_ok({"ip", "link", "show", "dev", "eth9"}))
            return 6;
        return 0;
    });
    fs::remove(file);
    EXPECT_EQ(code, 0) << "1-2: setup failed; 3: a removal failed; 4: bridge kept; 5: table kept; "
                          "6: a name outside the run's or not kubik's was removed";
}

// The sweep as run_test_binary_isolated() uses it: a fake test program in
// BUILD/tests/ makes a bridge, records it as the fixture does, and hangs
// until the time limit kills it; its bridge must be gone afterwards. One
// that ends by itself keeps what it made (its own teardown's job, and
// another program of the build may be using names recorded since).
TEST(NetworkSweep, AKilledTestProgramsBridgeIsRemovedAndAFinishedOnesIsNot) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace of its own)";
    const fs::path build = fs::temp_directory_path() / ("kubik-sweep-build-" + std::to_string(::getpid()));
    fs::create_directories(build / "tests");
    const auto fake = [&](const std::string& name, const std::string& bridge, bool hang) {
        const fs::path script = build / "tests" / name;
        std::ofstream(script) << "#!/bin/sh\n"
                                 "echo 'link " << bridge << "' >> ../test-network-names\n"
                                 "ip link add " << bridge << " type bridge || exit 3\n"
                              << (hang ? "exec sleep 60\n" : "exit 0\n");
        fs::permissions(script, fs::perms::owner_all);
        return script;
    };
    const int code = in_own_netns([&] {
        IsolatedRunOptions options;
        options.timeout = std::chrono::milliseconds(1500);
        const auto killed = run_test_binary_isolated(fake("hangs", "kb-killed0", true), options);
        if (!killed.timed_out) return 1;
        if (tool_ok({"ip", "link", "show", "dev", "kb-killed0"})) return 2;
        const auto finished = run_test_binary_isolated(fake("ends", "kb-ended0", false), options);
        if (finished.timed_out || finished.exit_code != 0) return 3;
        if (!tool_ok({"ip", "link", "show", "dev", "kb-ended0"})) return 4;
        return 0;
    });
    fs::remove_all(build);
    EXPECT_EQ(code, 0) << "1: the hanging program was not timed out; 2: its bridge was left; "
                          "3: the finished program failed; 4: the finished program's bridge was removed";
}
