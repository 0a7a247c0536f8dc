// What a graded submission is worth: points per check from lesson.json, and
// stage gating (lesson N counts only when lessons 0..N-1 pass completely).
// Pure functions over test results, so the rules are unit-tested without
// building anything.
#pragma once

#include "lesson.hpp"
#include "test_run.hpp"

#include <map>
#include <string>
#include <vector>

namespace kubik::course {

enum class CheckStatus { passed, failed, skipped, not_run };

/// "passed", "failed", "skipped", "not run": the JSON report's words, never translated.
const char* to_string(CheckStatus status);

/// The same in the reader's language, for what a human reads.
std::string status_text(CheckStatus status);

struct GradedCheck {
    std::string name; ///< "Suite.Name"
    CheckStatus status = CheckStatus::not_run;
    std::string message; ///< why it failed (gtest's message), or why it didn't run
    double max_points = 0;
    double points = 0; ///< 0 unless passed and its lesson counts
};

enum class LessonStatus {
    passed,        ///< every check ran and passed
    failed,        ///< ran to the end; some check failed or was skipped
    time_limit,    ///< stopped by the time limit
    crashed,       ///< killed by a signal, or no report
    not_run,       ///< not run (an earlier lesson hit the time limit, or grading was interrupted)
    build_failed,  ///< the submission did not build
};

/// "passed", "failed", "time limit exceeded", "crashed", "not run", "build
/// failed": the JSON report's words, never translated.
const char* to_string(LessonStatus status);

/// The same in the reader's language, for what a human reads.
std::string status_text(LessonStatus status);

/// "lesson 3" in the reader's language.
std::string lesson_name(int number);

/// One lesson's result before points: what running its test program showed.
struct LessonOutcome {
    LessonStatus status = LessonStatus::not_run;
    std::vector<GradedCheck> checks; ///< points not yet set
    std::string summary;             ///< one line: "5 of 7 checks fail", "time limit exceeded (300 s) ..."
    std::string output_tail;         ///< last lines of the program's output, when it helps (crash, time limit)
    double seconds = 0;
};

/// Turns a test program's run into an outcome. `expected` are the checks the
/// program has (from --gtest_list_tests); checks it did not get to are
/// `not_run`. `time_limit` is only used in the message.
LessonOutcome outcome_from_run(const TestRun& run, const std::vector<std::string>& expected, double time_limit);

/// An outcome for a lesson that was not run at all, with `reason` on each check.
LessonOutcome outcome_not_run(LessonStatus status, const std::vector<std::string>& expected, const std::string& reason);

struct GradedLesson {
    int number = 0;
    std::string id;
    std::string title;
    int max_points = 0;
    double points = 0;
    bool counted = true;     ///< false: an earlier lesson doesn't pass (stage gating)
    std::string locked_by;   ///< "lesson 1" when not counted
    LessonOutcome outcome;
    std::vector<std::string> hints;

    std::size_t count(CheckStatus status) const;
};

/// The lesson that keeps `lesson` from counting (its locked_by, "lesson 1" in
/// the data), in the reader's language.
std::string locking_lesson(const GradedLesson& lesson);

/// "counts only when lesson 1 passes", in the reader's language.
std::string counts_only_when(const GradedLesson& lesson);

/// Splits a lesson's points over its checks: `test_points` first, the rest
/// evenly over the checks not listed (or over all checks, when every check is
/// listed). The shares always add up to `lesson.points` when there is at
/// least one check. Names in test_points that aren't among `checks` are
/// returned in `unknown`.
std::map<std::string, double> distribute_points(const Lesson& lesson, const std::vector<std::string>& checks,
                                                std::vector<std::string>* unknown = nullptr);

/// Applies points and stage gating to the outcomes of every lesson (in
/// lesson order, one outcome per lesson). Warnings about lesson.json
/// (test_points naming checks that don't exist) go to `warnings`.
std::vector<GradedLesson> score_lessons(const std::vector<Lesson>& lessons, const std::vector<LessonOutcome>& outcomes,
                                        Language language, std::vector<std::string>* warnings = nullptr);

/// Rounds to hundredths, the precision every report shows.
double round_points(double points);

} // namespace kubik::course
