#include "gtest_report.hpp"

#include <gtest/gtest.h>

using namespace kubik::course;

namespace {

// Shaped like GoogleTest 1.12's output, including its missing comma before
// "NonTestSuiteFailure".
const char* const kReport = R"({
  "tests": 4, "failures": 1, "disabled": 1, "errors": 0, "name": "AllTests",
  "testsuites": [
    {
      "name": "Process", "tests": 2,
      "testsuite": [
        {"name": "Passes", "file": "t.cpp", "line": 2, "status": "RUN", "result": "COMPLETED", "classname": "Process"},
        {"name": "ExitCode", "file": "t.cpp", "line": 3, "status": "RUN", "result": "COMPLETED", "classname": "Process",
         "failures": [{"failure": "t.cpp:3\nExpected equality of these values:\n  code\n    Which is: 1\n  127", "type": ""}]}
      ]
    },
    {
      "name": "Skips", "tests": 2,
      "testsuite": [
        {"name": "NeedsRoot", "status": "RUN", "result": "SKIPPED", "classname": "Skips"},
        {"name": "DISABLED_Later", "status": "NOTRUN", "result": "SUPPRESSED", "classname": "Skips"}
      ]
    }    {
      "name": "NonTestSuiteFailure", "tests": 1,
      "testsuite": [
        {"name": "", "status": "RUN", "result": "COMPLETED", "classname": "",
         "failures": [{"failure": "env.cpp:6\nFailed\nset-up failed", "type": ""}]}
      ]
    }
  ]
})";

} // namespace

TEST(GtestReport, ReadsOutcomesAndMessages) {
    const auto report = parse_gtest_report(kReport);
    ASSERT_EQ(report.checks.size(), 4u);
    EXPECT_EQ(report.checks[0].full_name(), "Process.Passes");
    EXPECT_EQ(report.checks[0].outcome, Outcome::passed);
    EXPECT_EQ(report.checks[1].outcome, Outcome::failed);
    EXPECT_EQ(report.checks[1].line, 3);
    ASSERT_EQ(report.checks[1].failures.size(), 1u);
    EXPECT_NE(report.checks[1].failures[0].find("Which is: 1"), std::string::npos);
    EXPECT_EQ(report.checks[2].outcome, Outcome::skipped);
    EXPECT_EQ(report.count(Outcome::failed), 2u);
}

TEST(GtestReport, FirstFailureIsInRunOrder) {
    const auto report = parse_gtest_report(kReport);
    ASSERT_NE(report.first_failure(), nullptr);
    EXPECT_EQ(report.first_failure()->full_name(), "Process.ExitCode");
}

TEST(GtestReport, KeepsFailuresOutsideTests) {
    const auto report = parse_gtest_report(kReport);
    EXPECT_EQ(report.checks[3].suite, "NonTestSuiteFailure");
    EXPECT_EQ(report.checks[3].name, "");
    EXPECT_EQ(report.checks[3].outcome, Outcome::failed);
}

TEST(GtestReport, RestoresUtf8ThatGtestEscapedByteByByte) {
    const auto report = parse_gtest_report(R"json({"testsuites": [{"name": "S", "testsuite": [
        {"name": "T", "status": "RUN", "result": "COMPLETED", "classname": "S",
         "failures": [{"failure": "lesson 1 (chroot) \u00E2\u0080\u0094 enter_rootfs()", "type": ""}]}]}]})json");
    ASSERT_EQ(report.checks.size(), 1u);
    EXPECT_EQ(report.checks[0].failures.at(0), "lesson 1 (chroot) \u2014 enter_rootfs()");
}

TEST(GtestReport, LeavesRealUnicodeAlone) {
    const auto report = parse_gtest_report(R"json({"testsuites": [{"name": "S", "testsuite": [
        {"name": "T", "status": "RUN", "result": "COMPLETED", "classname": "S",
         "failures": [{"failure": "\u2014 and caf\u00e9", "type": ""}]}]}]})json");
    EXPECT_EQ(report.checks[0].failures.at(0), "\u2014 and caf\u00e9");
}

TEST(GtestReport, RejectsWhatIsNotAReport) {
    EXPECT_THROW(parse_gtest_report("{\"tests\": 1"), std::runtime_error);
    EXPECT_THROW(parse_gtest_report("[]"), std::runtime_error);
    EXPECT_THROW(parse_gtest_report(""), std::runtime_error);
}

TEST(GtestConsole, ReadsVerdictsAndMessagesFromTheOutput) {
    const auto report = parse_gtest_console(
        "[==========] Running 3 tests from 1 test suite.\n"
        "[ RUN      ] Rootfs.A\n"
        "[       OK ] Rootfs.A (3 ms)\n"
        "[ RUN      ] Rootfs.B\n"
        "chroot_test.cpp:10: Failure\n"
        "Expected: 0\n"
        "[  FAILED  ] Rootfs.B (4 ms)\n"
        "[ RUN      ] Rootfs.C\n"
        "[  SKIPPED ] Rootfs.C (0 ms)\n"
        "[  FAILED  ] 1 test, listed below:\n"
        "[  FAILED  ] Rootfs.B\n");
    ASSERT_EQ(report.checks.size(), 3u);
    EXPECT_EQ(report.checks[0].full_name(), "Rootfs.A");
    EXPECT_EQ(report.checks[0].outcome, Outcome::passed);
    EXPECT_EQ(report.checks[1].outcome, Outcome::failed);
    ASSERT_EQ(report.checks[1].failures.size(), 1u);
    EXPECT_EQ(report.checks[1].failures[0], "chroot_test.cpp:10: Failure\nExpected: 0\n");
    EXPECT_EQ(report.checks[2].outcome, Outcome::skipped);
}

TEST(GtestConsole, TheRunningCheckIsTheOneWithoutAVerdict) {
    EXPECT_EQ(running_check("[ RUN      ] A.B\n[       OK ] A.B (1 ms)\n[ RUN      ] A.C\nhang"), "A.C");
    EXPECT_EQ(running_check("[ RUN      ] A.B\n[       OK ] A.B (1 ms)\n"), "");
    EXPECT_EQ(running_check("[ RUN      ] P/Param.Case/0\n"), "P/Param.Case/0");
}

TEST(GtestList, ParsesSuitesAndNames) {
    const auto names = parse_gtest_list("Process.\n  ExitCode\n  Signals\nTyped/0.  # TypeParam = int\n"
                                        "  Works\nParam/Case.\n  Run/0  # GetParam() = 1\n");
    EXPECT_EQ(names, (std::vector<std::string>{"Process.ExitCode", "Process.Signals", "Typed/0.Works",
                                               "Param/Case.Run/0"}));
}
