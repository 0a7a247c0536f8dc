#include "network_sweep.hpp"

#include "subprocess.hpp"

#include <gtest/gtest.h>

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
