#include "progress.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace kubik::course;

namespace {

Lesson lesson(int points) {
    Lesson l;
    l.number = 1;
    l.id = "01-chroot";
    l.points = points;
    l.test_binary = "test-01-chroot";
    return l;
}

CheckResult check(const std::string& name, Outcome outcome, std::string failure = "") {
    CheckResult result;
    result.suite = "Chroot";
    result.name = name;
    result.outcome = outcome;
    if (!failure.empty()) result.failures.push_back(failure);
    return result;
}

TestRun run_of(std::vector<CheckResult> checks, int exit_code = 1) {
    TestRun run;
    run.exit_code = exit_code;
    run.report = TestReport{std::move(checks)};
    return run;
}

} // namespace

TEST(Progress, AllChecksPassingIsDone) {
    const auto p = lesson_progress(lesson(10), run_of({check("A", Outcome::passed), check("B", Outcome::passed)}, 0));
    EXPECT_EQ(p.state, LessonState::done);
    EXPECT_EQ(p.passed, 2u);
    EXPECT_EQ(p.raw_points, 10);
    EXPECT_TRUE(p.first_failure.empty());
}

TEST(Progress, OnlyStubFailuresIsNotStarted) {
    const auto p = lesson_progress(
        lesson(10), run_of({check("A", Outcome::failed, "kubik: not implemented yet: lesson 0 (process)"),
                            check("B", Outcome::failed, "... not implemented yet: lesson 1 (chroot) ...")}));
    EXPECT_EQ(p.state, LessonState::not_started);
    EXPECT_EQ(p.first_failure, "Chroot.A");
}

TEST(Progress, RealFailuresOrSomePassingIsInProgress) {
    EXPECT_EQ(lesson_progress(lesson(10), run_of({check("A", Outcome::failed, "Expected: 0, actual: 1")})).state,
              LessonState::in_progress);
    const auto p = lesson_progress(lesson(10), run_of({check("A", Outcome::passed),
                                                       check("B", Outcome::failed, "not implemented yet")}));
    EXPECT_EQ(p.state, LessonState::in_progress);
    EXPECT_EQ(p.raw_points, 5);
    EXPECT_EQ(p.first_failure, "Chroot.B");
}

TEST(Progress, GatedPointsStopAfterTheFirstUnfinishedLesson) {
    std::vector<LessonProgress> progress(3);
    progress[0] = {LessonState::done, 3, 3, 10, ""};
    progress[1] = {LessonState::in_progress, 1, 2, 5, "X.Y"};
    progress[2] = {LessonState::in_progress, 1, 2, 5, "X.Z"};
    EXPECT_EQ(gated_points(progress), 15);
    EXPECT_EQ(next_lesson(progress), 1u);
    progress[1].state = progress[2].state = LessonState::done;
    EXPECT_FALSE(next_lesson(progress).has_value());
}

TEST(Progress, SurvivesTheCache) {
    const LessonProgress original{LessonState::in_progress, 4, 7, 5.5, "Chroot.B"};
    const auto copy = progress_from_json(to_json(original));
    EXPECT_EQ(copy.state, original.state);
    EXPECT_EQ(copy.passed, 4u);
    EXPECT_EQ(copy.total, 7u);
    EXPECT_EQ(copy.raw_points, 5.5);
    EXPECT_EQ(copy.first_failure, "Chroot.B");
}

TEST(Progress, Bar) {
    EXPECT_EQ(progress_bar(1, 2, 4), "[\u2588\u2588\u2591\u2591]");
    EXPECT_EQ(progress_bar(0, 0, 2), "[\u2591\u2591]");
}
