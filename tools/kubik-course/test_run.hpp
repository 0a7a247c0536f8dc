// Runs one lesson's GoogleTest binary and collects what it reported.
#pragma once

#include "gtest_report.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace kubik::course {

struct TestRun {
    int exit_code = 0;   ///< valid when signal == 0
    int signal = 0;      ///< the signal that killed the binary, or 0
    std::optional<TestReport> report; ///< empty when no (valid) JSON report was written
    std::string output;  ///< stdout and stderr, interleaved as written

    /// Every check ran to the end and passed, and there was at least one.
    bool passed() const;
    /// Killed by a signal or died without writing its report.
    bool crashed() const { return signal != 0 || !report; }
};

/// Runs `binary` with --gtest_output=json:TMP, in the binary's own folder
/// (where ctest runs it too), and waits for it. Ctrl-C reaches the binary, not
/// this process, so the run is reported rather than abandoned half-way.
/// Throws std::runtime_error when the binary can't be started.
TestRun run_test_binary(const std::filesystem::path& binary);

} // namespace kubik::course
