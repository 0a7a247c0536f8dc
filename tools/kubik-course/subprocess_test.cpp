#include "subprocess.hpp"
#include "test_run.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace kubik::course;
using namespace std::chrono_literals;

namespace {

ProcessResult sh(const std::string& script, std::chrono::milliseconds timeout = 0ms, std::size_t limit = 1 << 20) {
    ProcessOptions options;
    options.argv = {"/bin/sh", "-c", script};
    options.timeout = timeout;
    options.output_limit = limit;
    return run_process(options);
}

// Running (a zombie waiting for its parent to reap it is dead enough).
bool alive(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return false;
    const auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

} // namespace

TEST(Subprocess, CapturesOutputAndExitCode) {
    const auto result = sh("echo out; echo err >&2; exit 3");
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_EQ(result.signal, 0);
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.output, "out\nerr\n");
    EXPECT_FALSE(result.succeeded());
    EXPECT_TRUE(sh("true").succeeded());
}

TEST(Subprocess, ReportsTheSignalThatEndedIt) {
    const auto result = sh("kill -SEGV $$");
    EXPECT_EQ(result.signal, SIGSEGV);
}

TEST(Subprocess, MissingProgramIsAStartFailure) {
    ProcessOptions options;
    options.argv = {"/nonexistent/program"};
    const auto result = run_process(options);
    EXPECT_TRUE(result.start_failed);
    EXPECT_NE(result.output.find("No such file"), std::string::npos) << result.output;
}

TEST(Subprocess, TimeLimitKillsTheWholeProcessGroup) {
    const auto pid_file = fs::temp_directory_path() / ("kubik-subprocess-" + std::to_string(getpid()));
    const auto started = std::chrono::steady_clock::now();
    // The background sleep is a grandchild in the same process group.
    const auto result = sh("sleep 60 & echo $! > " + pid_file.string() + "; echo started; wait", 300ms);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.output, "started\n");
    std::ifstream in(pid_file);
    pid_t grandchild = 0;
    in >> grandchild;
    fs::remove(pid_file);
    ASSERT_GT(grandchild, 0);
    for (int i = 0; i < 100 && alive(grandchild); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(alive(grandchild)) << "the sleep in the child's process group survived";
}

TEST(Subprocess, DoesNotWaitForDescendantsHoldingTheOutput) {
    // A daemon in its own session keeps the pipe open; the call must return
    // when the child exits, not when the pipe closes.
    const auto started = std::chrono::steady_clock::now();
    const auto result = sh("setsid sleep 3 & echo done", 0ms);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.output, "done\n");
}

TEST(Subprocess, CapsOutputKeepingStartAndEnd) {
    const auto result = sh("echo FIRST; yes 0123456789 | head -c 100000; echo; echo LAST", 0ms, 4000);
    EXPECT_TRUE(result.output.starts_with("FIRST\n")) << result.output.substr(0, 50);
    EXPECT_TRUE(result.output.ends_with("LAST\n"));
    EXPECT_NE(result.output.find("bytes of output left out"), std::string::npos);
    EXPECT_LT(result.output.size(), 4200u);
}

TEST(Subprocess, CappedBufferKeepsEverythingBelowTheLimit) {
    CappedBuffer buffer(100);
    buffer.append("hello ", 6);
    buffer.append("world", 5);
    EXPECT_EQ(buffer.str(), "hello world");
    EXPECT_EQ(buffer.dropped(), 0u);
}

TEST(Subprocess, KillOrphansFindsProcessesThatLeftTheGroup) {
    become_subreaper();
    const auto pid_file = fs::temp_directory_path() / ("kubik-orphan-" + std::to_string(getpid()));
    ProcessOptions options;
    // setsid: a new session and group, so only the subreaper sweep reaches it.
    options.argv = {"/bin/sh", "-c", "setsid sh -c 'echo $$ > " + pid_file.string() + "; exec sleep 60' & sleep 0.3"};
    options.kill_orphans = true;
    const auto result = run_process(options);
    EXPECT_EQ(result.exit_code, 0);
    std::ifstream in(pid_file);
    pid_t orphan = 0;
    in >> orphan;
    fs::remove(pid_file);
    ASSERT_GT(orphan, 0);
    EXPECT_FALSE(alive(orphan)) << "the orphaned sleep survived";
}

TEST(TestRunIsolated, TimeLimitIsReportedWithTheRunningCheck) {
    // A fake gtest program: one check passes, the next one hangs.
    const auto script = fs::temp_directory_path() / ("kubik-fake-gtest-" + std::to_string(getpid()));
    {
        std::ofstream out(script);
        out << "#!/bin/sh\n"
               "echo '[ RUN      ] Fake.Passes'\n"
               "echo '[       OK ] Fake.Passes (1 ms)'\n"
               "echo '[ RUN      ] Fake.Hangs'\n"
               "exec sleep 60\n";
    }
    fs::permissions(script, fs::perms::owner_all);
    IsolatedRunOptions options;
    options.timeout = 500ms;
    const auto run = run_test_binary_isolated(script, options);
    fs::remove(script);
    EXPECT_TRUE(run.timed_out);
    EXPECT_FALSE(run.report.has_value());
    EXPECT_EQ(running_check(run.output), "Fake.Hangs");
    const auto console = parse_gtest_console(run.output);
    ASSERT_EQ(console.checks.size(), 1u);
    EXPECT_EQ(console.checks[0].full_name(), "Fake.Passes");
}

// The run's own cgroup prefix reaches the test program (the tests' fixture
// names its cgroups after it, so the sweep can find them), and the program
// runs in its own folder, as under ctest.
TEST(TestRunIsolated, GivesTheProgramItsCgroupPrefixAndFolder) {
    const auto folder = fs::temp_directory_path() / ("kubik-fake-gtest-dir-" + std::to_string(getpid()));
    fs::create_directories(folder);
    const auto script = folder / "fake-gtest";
    {
        std::ofstream out(script);
        out << "#!/bin/sh\n"
               "echo \"prefix=$KUBIK_TEST_CGROUP_PREFIX\"\n"
               "echo \"folder=$(pwd)\"\n";
    }
    fs::permissions(script, fs::perms::owner_all);
    const auto run = run_test_binary_isolated(script, IsolatedRunOptions{});
    fs::remove_all(folder);
    EXPECT_NE(run.output.find("prefix=kubik-run-"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("folder=" + fs::canonical(fs::temp_directory_path()).string() + "/kubik-fake-gtest-dir-"),
              std::string::npos)
        << run.output;
    EXPECT_TRUE(run.leftovers.empty());
}
