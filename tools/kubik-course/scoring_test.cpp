#include "scoring.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

using namespace kubik::course;

namespace {

Lesson lesson(int number, int points) {
    Lesson l;
    l.number = number;
    l.id = "0" + std::to_string(number) + "-topic" + std::to_string(number);
    l.title = {"Title " + std::to_string(number), "Заголовок"};
    l.points = points;
    l.test_binary = "test-" + l.id;
    l.hints_en = {"hint"};
    l.hints_ru = {"подсказка"};
    return l;
}

CheckResult check(const std::string& name, Outcome outcome, std::string failure = "") {
    CheckResult result;
    result.suite = "Suite";
    result.name = name;
    result.outcome = outcome;
    if (!failure.empty()) result.failures.push_back(failure);
    return result;
}

TestRun finished(std::vector<CheckResult> checks) {
    TestRun run;
    const bool all_passed = std::all_of(checks.begin(), checks.end(),
                                        [](const CheckResult& c) { return c.outcome == Outcome::passed; });
    run.exit_code = all_passed ? 0 : 1;
    run.report = TestReport{std::move(checks)};
    return run;
}

LessonOutcome all_pass(int count) {
    std::vector<CheckResult> checks;
    for (int i = 0; i < count; ++i) checks.push_back(check("C" + std::to_string(i), Outcome::passed));
    return outcome_from_run(finished(checks), {}, 300);
}

LessonOutcome some_pass(int passed, int failed) {
    std::vector<CheckResult> checks;
    for (int i = 0; i < passed; ++i) checks.push_back(check("P" + std::to_string(i), Outcome::passed));
    for (int i = 0; i < failed; ++i) checks.push_back(check("F" + std::to_string(i), Outcome::failed, "boom"));
    return outcome_from_run(finished(checks), {}, 300);
}

double total(const std::vector<GradedLesson>& lessons) {
    return std::accumulate(lessons.begin(), lessons.end(), 0.0,
                           [](double sum, const GradedLesson& l) { return sum + l.points; });
}

} // namespace

TEST(Scoring, PointsAreSharedEvenlyOverChecks) {
    const auto shares = distribute_points(lesson(0, 10), {"S.A", "S.B", "S.C", "S.D"});
    ASSERT_EQ(shares.size(), 4u);
    for (const auto& [name, points] : shares) EXPECT_DOUBLE_EQ(points, 2.5) << name;
}

TEST(Scoring, SharesAreHundredthsThatAddUpExactly) {
    std::vector<std::string> names;
    for (int i = 0; i < 24; ++i) names.push_back("S.C" + std::to_string(i));
    const auto shares = distribute_points(lesson(0, 10), names);
    long long cents = 0;
    for (const auto& [name, points] : shares) {
        EXPECT_TRUE(std::llround(points * 100) == 41 || std::llround(points * 100) == 42) << points;
        cents += std::llround(points * 100);
    }
    EXPECT_EQ(cents, 1000);
    const auto thirds = distribute_points(lesson(0, 10), {"S.A", "S.B", "S.C"});
    EXPECT_DOUBLE_EQ(thirds.at("S.A"), 3.34);
    EXPECT_DOUBLE_EQ(thirds.at("S.B"), 3.33);
}

TEST(Scoring, TestPointsComeFirstAndTheRestIsShared) {
    auto l = lesson(0, 10);
    l.test_points = {{"S.A", 4}, {"S.Gone", 1}};
    std::vector<std::string> unknown;
    const auto shares = distribute_points(l, {"S.A", "S.B", "S.C"}, &unknown);
    EXPECT_DOUBLE_EQ(shares.at("S.A"), 4);
    EXPECT_DOUBLE_EQ(shares.at("S.B"), 3);
    EXPECT_DOUBLE_EQ(shares.at("S.C"), 3);
    EXPECT_EQ(unknown, std::vector<std::string>{"S.Gone"});
}

TEST(Scoring, WhenEveryCheckIsListedTheLeftoverIsSpread) {
    auto l = lesson(0, 10);
    l.test_points = {{"S.A", 2}, {"S.B", 2}};
    const auto shares = distribute_points(l, {"S.A", "S.B"});
    EXPECT_DOUBLE_EQ(shares.at("S.A") + shares.at("S.B"), 10);
}

TEST(Scoring, APassedLessonIsWorthExactlyItsPoints) {
    const auto graded = score_lessons({lesson(0, 10)}, {all_pass(7)}, Language::en);
    ASSERT_EQ(graded.size(), 1u);
    EXPECT_EQ(graded[0].points, 10); // not 7 × 1.4285…
    EXPECT_EQ(graded[0].outcome.status, LessonStatus::passed);
}

TEST(Scoring, PartialCreditWithinTheFirstUnfinishedLesson) {
    const auto graded = score_lessons({lesson(0, 10), lesson(1, 8)}, {all_pass(3), some_pass(1, 3)}, Language::en);
    EXPECT_EQ(graded[0].points, 10);
    EXPECT_DOUBLE_EQ(graded[1].points, 2);
    EXPECT_TRUE(graded[1].counted);
    EXPECT_EQ(graded[1].outcome.status, LessonStatus::failed);
    EXPECT_EQ(graded[1].outcome.summary, "3 of 4 checks fail");
}

TEST(Scoring, StageGatingZeroesEverythingAfterTheFirstUnfinishedLesson) {
    const auto graded = score_lessons({lesson(0, 10), lesson(1, 10), lesson(2, 10)},
                                      {all_pass(2), some_pass(3, 1), all_pass(5)}, Language::en);
    EXPECT_EQ(graded[0].points, 10);
    EXPECT_DOUBLE_EQ(graded[1].points, 7.5);
    EXPECT_EQ(graded[2].points, 0);
    EXPECT_FALSE(graded[2].counted);
    EXPECT_EQ(graded[2].locked_by, "lesson 1");
    EXPECT_EQ(graded[2].outcome.status, LessonStatus::passed); // it passes; it just doesn't count yet
    for (const auto& c : graded[2].outcome.checks) EXPECT_EQ(c.points, 0);
    EXPECT_DOUBLE_EQ(total(graded), 17.5);
}

TEST(Scoring, ASkippedCheckKeepsTheLessonFromPassing) {
    const auto outcome = outcome_from_run(
        finished({check("A", Outcome::passed), check("B", Outcome::skipped)}), {}, 300);
    EXPECT_EQ(outcome.status, LessonStatus::failed);
    const auto graded = score_lessons({lesson(0, 10), lesson(1, 10)}, {outcome, all_pass(1)}, Language::en);
    EXPECT_DOUBLE_EQ(graded[0].points, 5);
    EXPECT_EQ(graded[1].points, 0);
}

TEST(Scoring, ChecksThatDidNotRunCountAsNotPassed) {
    const auto outcome = outcome_from_run(finished({check("A", Outcome::passed)}), {"Suite.A", "Suite.B"}, 300);
    ASSERT_EQ(outcome.checks.size(), 2u);
    EXPECT_EQ(outcome.checks[1].name, "Suite.B");
    EXPECT_EQ(outcome.checks[1].status, CheckStatus::not_run);
    EXPECT_EQ(outcome.status, LessonStatus::failed);
}

TEST(Scoring, NonZeroExitWithoutFailuresIsNoPass) {
    auto run = finished({check("A", Outcome::passed)});
    run.exit_code = 1;
    const auto outcome = outcome_from_run(run, {}, 300);
    EXPECT_EQ(outcome.status, LessonStatus::failed);
    EXPECT_NE(outcome.summary.find("exited with status 1"), std::string::npos);
}

TEST(Scoring, TimeLimitCreditsChecksFinishedBeforeIt) {
    TestRun run;
    run.timed_out = true;
    run.output = "[ RUN      ] Suite.A\n[       OK ] Suite.A (5 ms)\n[ RUN      ] Suite.B\nstuck\n";
    const auto outcome = outcome_from_run(run, {"Suite.A", "Suite.B", "Suite.C"}, 30);
    EXPECT_EQ(outcome.status, LessonStatus::time_limit);
    ASSERT_EQ(outcome.checks.size(), 3u);
    EXPECT_EQ(outcome.checks[0].status, CheckStatus::passed);
    EXPECT_EQ(outcome.checks[1].status, CheckStatus::failed);
    EXPECT_NE(outcome.checks[1].message.find("time limit exceeded (30 s)"), std::string::npos);
    EXPECT_EQ(outcome.checks[2].status, CheckStatus::not_run);
    EXPECT_EQ(outcome.summary, "time limit exceeded (30 s) during Suite.B");
    const auto graded = score_lessons({lesson(0, 9)}, {outcome}, Language::en);
    EXPECT_DOUBLE_EQ(graded[0].points, 3);
}

TEST(Scoring, ACrashNamesTheSignalAndTheCheck) {
    TestRun run;
    run.signal = 11;
    run.output = "[ RUN      ] Suite.A\n";
    const auto outcome = outcome_from_run(run, {"Suite.A"}, 30);
    EXPECT_EQ(outcome.status, LessonStatus::crashed);
    EXPECT_NE(outcome.summary.find("signal 11"), std::string::npos) << outcome.summary;
    EXPECT_NE(outcome.summary.find("during Suite.A"), std::string::npos);
}

TEST(Scoring, BuildFailureGivesNothing) {
    const auto graded = score_lessons(
        {lesson(0, 10), lesson(1, 10)},
        {outcome_not_run(LessonStatus::build_failed, {"S.A"}, "no build"),
         outcome_not_run(LessonStatus::build_failed, {}, "no build")},
        Language::en);
    EXPECT_EQ(total(graded), 0);
    EXPECT_EQ(graded[0].outcome.checks[0].status, CheckStatus::not_run);
}

TEST(Scoring, RoundsToHundredths) {
    EXPECT_DOUBLE_EQ(round_points(10.0 / 7.0), 1.43);
    EXPECT_DOUBLE_EQ(round_points(2.006), 2.01);
}
