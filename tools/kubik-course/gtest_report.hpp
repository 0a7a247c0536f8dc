// What a GoogleTest binary wrote with --gtest_output=json:FILE.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kubik::course {

enum class Outcome { passed, failed, skipped };

/// One test ("check", in the student's words).
struct CheckResult {
    std::string suite;
    std::string name;
    std::string file; ///< where the test is defined, when gtest knows it
    int line = 0;
    Outcome outcome = Outcome::passed;
    std::vector<std::string> failures; ///< gtest's messages: "file:line\nExpected ...\n  Which is: ..."

    std::string full_name() const { return suite + "." + name; }
};

struct TestReport {
    std::vector<CheckResult> checks; ///< in the order gtest ran them; disabled tests left out

    std::size_t count(Outcome outcome) const;
    /// The first failed check, or nullptr.
    const CheckResult* first_failure() const;
};

/// Parses gtest's JSON report; throws std::runtime_error when it isn't one.
/// Failures outside any test (a global environment's SetUp) become a check
/// with an empty name, so they are never lost.
TestReport parse_gtest_report(std::string_view json_text);

/// The checks a run finished according to its console output ("[       OK ]",
/// "[  FAILED  ]", "[  SKIPPED ]" lines): what is known of a run that was
/// killed before it could write its JSON report. Failure messages are the
/// lines gtest printed between the check's "[ RUN      ]" and its verdict.
TestReport parse_gtest_console(std::string_view output);

/// The check that was running when the output ends ("[ RUN      ]" without a
/// verdict), or "".
std::string running_check(std::string_view output);

/// The checks `--gtest_list_tests` printed, as "Suite.Name", in order.
/// Parameterised names lose their "  # GetParam() = ..." comment.
std::vector<std::string> parse_gtest_list(std::string_view output);

} // namespace kubik::course
