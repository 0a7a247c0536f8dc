#include "explain.hpp"

#include <gtest/gtest.h>

#include <csignal>

using namespace kubik::course;

namespace {

Lesson chroot_lesson() {
    Lesson lesson;
    lesson.number = 1;
    lesson.id = "01-chroot";
    lesson.title = {"Filesystem isolation", "Изоляция файловой системы"};
    lesson.test_binary = "test-01-chroot";
    lesson.hints_en = {"pivot_root needs a mount point."};
    lesson.hints_ru = {"pivot_root нужна точка монтирования."};
    return lesson;
}

CheckResult check(const std::string& name, Outcome outcome, std::vector<std::string> failures = {}) {
    CheckResult result;
    result.suite = "Rootfs";
    result.name = name;
    result.outcome = outcome;
    result.failures = std::move(failures);
    return result;
}

TestRun run_with(std::vector<CheckResult> checks, int exit_code) {
    TestRun run;
    run.exit_code = exit_code;
    run.report = TestReport{std::move(checks)};
    return run;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST(Explain, PassLineCountsChecks) {
    const auto run = run_with({check("A", Outcome::passed), check("B", Outcome::passed)}, 0);
    EXPECT_EQ(pass_line(chroot_lesson(), run), "\u2713 lesson 1 \u2014 chroot (2 checks)");
}

TEST(Explain, FailureNamesTheLessonCheckMessageAndHints) {
    const auto run = run_with({check("A", Outcome::passed),
                               check("HostIsHidden", Outcome::failed, {"x.cpp:4\nExpected: 0\n  Actual: 1"}),
                               check("EscapeFails", Outcome::failed, {"y"})},
                              1);
    const auto text = explain_failure(chroot_lesson(), run, Language::en, "build/tests/test-01-chroot");
    EXPECT_TRUE(contains(text, "\u2717 lesson 1 \u2014 chroot: 2 checks of 3 fail")) << text;
    EXPECT_TRUE(contains(text, "First failing check: Rootfs.HostIsHidden")) << text;
    EXPECT_TRUE(contains(text, "    Expected: 0\n      Actual: 1\n")) << text;
    EXPECT_TRUE(contains(text, "Also failing: Rootfs.EscapeFails")) << text;
    EXPECT_TRUE(contains(text, "Hints (Filesystem isolation):\n    \u2022 pivot_root needs a mount point.\n")) << text;
    EXPECT_TRUE(contains(text, "lessons/01-chroot/README.md")) << text;
    EXPECT_TRUE(contains(text, "build/tests/test-01-chroot")) << text;
}

TEST(Explain, RussianHintsAndText) {
    const auto run = run_with({check("A", Outcome::failed, {"m"})}, 1);
    const auto text = explain_failure(chroot_lesson(), run, Language::ru, "b");
    EXPECT_TRUE(contains(text, "pivot_root нужна точка монтирования.")) << text;
    EXPECT_TRUE(contains(text, "README.ru.md")) << text;
}

TEST(Explain, CrashNamesTheSignalAndTheCheckThatWasRunning) {
    TestRun run;
    run.signal = SIGSEGV;
    run.output = "[ RUN      ] Rootfs.A\n[       OK ] Rootfs.A (0 ms)\n[ RUN      ] Rootfs.B\nboom\n";
    const auto text = explain_failure(chroot_lesson(), run, Language::en, "b");
    EXPECT_TRUE(contains(text, "crashed (killed by signal 11")) << text;
    EXPECT_TRUE(contains(text, "during Rootfs.B")) << text;
    EXPECT_TRUE(contains(text, "    boom\n")) << text;
}

TEST(Explain, SkippedChecksDoNotPass) {
    const auto run = run_with({check("A", Outcome::passed), check("B", Outcome::skipped)}, 0);
    EXPECT_FALSE(run.passed());
    const auto text = explain_failure(chroot_lesson(), run, Language::en, "b");
    EXPECT_TRUE(contains(text, "1 check of 2 was skipped")) << text;
    EXPECT_TRUE(contains(text, "Rootfs.B")) << text;
}

TEST(Explain, FailureOutsideChecksIsStillExplained) {
    const auto run = run_with({check("A", Outcome::passed)}, 1);
    EXPECT_FALSE(run.passed());
    EXPECT_TRUE(contains(explain_failure(chroot_lesson(), run, Language::en, "b"), "exited with status 1"));
}

TEST(Explain, LongHintsAreWrapped) {
    auto lesson = chroot_lesson();
    lesson.hints_en = {std::string(60, 'a') + " " + std::string(60, 'b')};
    const auto run = run_with({check("A", Outcome::failed, {"m"})}, 1);
    const auto text = explain_failure(lesson, run, Language::en, "b");
    EXPECT_TRUE(contains(text, "\u2022 " + std::string(60, 'a') + "\n      " + std::string(60, 'b') + "\n")) << text;
}

TEST(Explain, LastLines) {
    EXPECT_EQ(last_lines("a\nb\nc\n", 2, "> "), "> b\n> c\n");
    EXPECT_EQ(last_lines("", 2, "> "), "> (no output)\n");
}
