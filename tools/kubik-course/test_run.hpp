// Runs one lesson's GoogleTest binary and collects what it reported.
#pragma once

#include "gtest_report.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kubik::course {

struct TestRun {
    int exit_code = 0;   ///< valid when signal == 0
    int signal = 0;      ///< the signal that killed the binary, or 0
    std::optional<TestReport> report; ///< empty when no (valid) JSON report was written
    std::string output;  ///< stdout and stderr, interleaved as written
    bool timed_out = false;   ///< stopped by the time limit (run_test_binary_isolated)
    bool interrupted = false; ///< stopped by Ctrl-C (run_test_binary_isolated)
    double seconds = 0;       ///< how long it ran
    std::vector<std::string> leftovers; ///< cgroups that could not be removed, networks a killed run left (run_test_binary_isolated)

    /// Every check ran to the end and passed, and there was at least one.
    bool passed() const;
    /// Killed by a signal or died without writing its report.
    bool crashed() const { return signal != 0 || !report; }
};

struct IsolatedRunOptions {
    std::chrono::milliseconds timeout{0}; ///< 0: none
    std::size_t output_limit = 1 << 20;
    bool kill_orphans = false;            ///< see ProcessOptions::kill_orphans
};

/// Runs `binary` with --gtest_output=json:TMP, in the binary's own folder
/// (where ctest runs it too), in a process group of its own that is killed
/// when the binary ends or exceeds `timeout` (then `timed_out` is set and
/// there is no report: parse_gtest_console() reads what the output shows).
/// Ctrl-C is noticed through interrupt_requested() (install_interrupt_handler()).
/// Throws std::runtime_error when the binary can't be started.
/// Output is kept in memory, capped at `output_limit`. The run gets a cgroup
/// prefix of its own (cgroup_sweep.hpp): cgroups a killed test left behind
/// are removed afterwards, and what can't be is listed in `leftovers`; so
/// are the bridges and nftables tables of a run that was killed
/// (network_sweep.hpp), each with what was done about it.
TestRun run_test_binary_isolated(const std::filesystem::path& binary, const IsolatedRunOptions& options);

} // namespace kubik::course
