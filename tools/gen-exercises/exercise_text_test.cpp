#include "exercise_text.hpp"

#include <gtest/gtest.h>

using namespace kubik::tools;

namespace {

const LessonFolder kChroot{1, "chroot", "01-chroot"};

std::string exercise(const std::string& solution, const std::optional<LessonFolder>& lesson = kChroot) {
    auto result = make_exercise_text(solution, lesson);
    EXPECT_TRUE(result.errors.empty()) << "first error: line " << result.errors.front().line << ": "
                                       << result.errors.front().message;
    return result.text;
}

std::vector<MarkerError> errors_of(const std::string& solution) {
    return make_exercise_text(solution, kChroot).errors;
}

} // namespace

TEST(LessonFolder, ParsesNumberAndTopic) {
    const auto lesson = parse_lesson_folder("01-chroot");
    ASSERT_TRUE(lesson);
    EXPECT_EQ(lesson->number, 1);
    EXPECT_EQ(lesson->topic, "chroot");
    EXPECT_EQ(lesson->name, "01-chroot");
    EXPECT_EQ(parse_lesson_folder("00-process")->number, 0);
    EXPECT_EQ(parse_lesson_folder("12-multi-word_topic")->topic, "multi-word_topic");
}

TEST(LessonFolder, RejectsOtherNames) {
    EXPECT_FALSE(parse_lesson_folder("common"));
    EXPECT_FALSE(parse_lesson_folder("01"));
    EXPECT_FALSE(parse_lesson_folder("01-"));
    EXPECT_FALSE(parse_lesson_folder("-chroot"));
    EXPECT_FALSE(parse_lesson_folder("2024-notes"));
    EXPECT_FALSE(parse_lesson_folder("01-ch root"));
    EXPECT_FALSE(parse_lesson_folder("CMakeLists.txt"));
}

TEST(ExerciseText, FileWithoutRegionsIsCopiedByteForByte) {
    const std::string text = "#include <x>\r\n\nint f() { return 1; }\n// no newline at end";
    EXPECT_EQ(exercise(text), text);
    EXPECT_EQ(exercise(""), "");
}

TEST(ExerciseText, NamedRegionBecomesTodoAndStub) {
    const std::string solution = "void enter_rootfs(const std::filesystem::path& rootfs) {\n"
                                 "    // BEGIN SOLUTION enter_rootfs\n"
                                 "    // TODO: make rootfs a mount point, pivot_root into it, detach the old root.\n"
                                 "    pivot(rootfs);\n"
                                 "    // END SOLUTION\n"
                                 "}\n";
    EXPECT_EQ(exercise(solution),
              "void enter_rootfs(const std::filesystem::path& rootfs) {\n"
              "    // TODO: make rootfs a mount point, pivot_root into it, detach the old root.\n"
              "    throw kubik::NotImplemented(\"not implemented yet: lesson 1 (chroot) \u2014 enter_rootfs(); "
              "see lessons/01-chroot/README.md (по-русски: README.ru.md)\");\n"
              "}\n");
}

TEST(ExerciseText, StubMessageDropsLeadingZeroAndUsesEmDash) {
    EXPECT_EQ(not_implemented_statement({0, "process", "00-process"}, "exec_command"),
              "throw kubik::NotImplemented(\"not implemented yet: lesson 0 (process) \xE2\x80\x94 exec_command(); "
              "see lessons/00-process/README.md (по-русски: README.ru.md)\");");
}

TEST(ExerciseText, StubTakesTheIndentationOfBegin) {
    const std::string solution = "\tif (x) {\n"
                                 "\t\t// BEGIN SOLUTION f\n"
                                 "\t\tg();\n"
                                 "\t\t// END SOLUTION\n"
                                 "\t}\n";
    const auto text = exercise(solution);
    EXPECT_NE(text.find("\t}\n"), std::string::npos);
    EXPECT_NE(text.find("\n\t\tthrow kubik::NotImplemented("), std::string::npos) << text;
}

TEST(ExerciseText, MultiLineTodoCommentIsKeptWhole) {
    const std::string solution = "  // BEGIN SOLUTION run_init\n"
                                 "  // TODO: forward signals to the command,\n"
                                 "  //       reap every zombie.\n"
                                 "  // Why: PID 1 has no default signal actions.\n"
                                 "\n"
                                 "  // solution-only remark\n"
                                 "  return loop();\n"
                                 "  // END SOLUTION\n";
    EXPECT_EQ(exercise(solution), "  // TODO: forward signals to the command,\n"
                                  "  //       reap every zombie.\n"
                                  "  // Why: PID 1 has no default signal actions.\n"
                                  "  " +
                                      not_implemented_statement(kChroot, "run_init") + "\n");
}

TEST(ExerciseText, CommentsNotStartingWithTodoAreSolutionOnly) {
    const std::string solution = "// BEGIN SOLUTION f\n"
                                 "// Explains the reference code.\n"
                                 "// TODO: too late, not directly after BEGIN\n"
                                 "x();\n"
                                 "// END SOLUTION\n";
    EXPECT_EQ(exercise(solution), not_implemented_statement(kChroot, "f") + "\n");
}

TEST(ExerciseText, UnnamedRegionKeepsOnlyItsTodo) {
    const std::string solution = "namespace {\n"
                                 "// BEGIN SOLUTION\n"
                                 "// TODO: helpers for enter_rootfs() go here.\n"
                                 "int helper() { return 42; }\n"
                                 "// END SOLUTION\n"
                                 "} // namespace\n";
    EXPECT_EQ(exercise(solution), "namespace {\n"
                                  "// TODO: helpers for enter_rootfs() go here.\n"
                                  "} // namespace\n");
}

TEST(ExerciseText, UnnamedRegionWithoutTodoDisappears) {
    EXPECT_EQ(exercise("a\n// BEGIN SOLUTION\nint helper();\n// END SOLUTION\nb\n"), "a\nb\n");
}

TEST(ExerciseText, UnnamedRegionNeedsNoLesson) {
    EXPECT_EQ(exercise("// BEGIN SOLUTION\nx\n// END SOLUTION\nkept\n", std::nullopt), "kept\n");
}

TEST(ExerciseText, EndMayRepeatTheName) {
    EXPECT_EQ(exercise("// BEGIN SOLUTION f\nx\n// END SOLUTION f\n"), not_implemented_statement(kChroot, "f") + "\n");
}

TEST(ExerciseText, MarkerSpacingIsTolerated) {
    EXPECT_EQ(exercise("   //BEGIN SOLUTION   f  \nx\n  //   END SOLUTION\n"),
              "   " + not_implemented_statement(kChroot, "f") + "\n");
}

TEST(ExerciseText, QualifiedNamesAreAllowed) {
    EXPECT_EQ(exercise("// BEGIN SOLUTION Init::run\nx\n// END SOLUTION\n"),
              not_implemented_statement(kChroot, "Init::run") + "\n");
}

TEST(ExerciseText, CrLfLinesStayCrLf) {
    EXPECT_EQ(exercise("a\r\n  // BEGIN SOLUTION f\r\n  // TODO: t\r\n  x;\r\n  // END SOLUTION\r\nb\r\n"),
              "a\r\n  // TODO: t\r\n  " + not_implemented_statement(kChroot, "f") + "\r\nb\r\n");
}

TEST(ExerciseText, MarkerWordsOutsideALeadingCommentAreText) {
    const std::string text = "const char* s = \"// BEGIN SOLUTION\";\nint x; // END SOLUTION\n";
    EXPECT_EQ(exercise(text), text);
}

TEST(ExerciseText, SeveralRegionsInOneFile) {
    const std::string solution = "int a() {\n"
                                 "    // BEGIN SOLUTION a\n"
                                 "    return 1;\n"
                                 "    // END SOLUTION\n"
                                 "}\n"
                                 "int b() {\n"
                                 "    // BEGIN SOLUTION b\n"
                                 "    return 2;\n"
                                 "    // END SOLUTION\n"
                                 "}\n";
    EXPECT_EQ(exercise(solution), "int a() {\n    " + not_implemented_statement(kChroot, "a") +
                                      "\n}\nint b() {\n    " + not_implemented_statement(kChroot, "b") + "\n}\n");
}

TEST(ExerciseTextErrors, EndWithoutBegin) {
    const auto errors = errors_of("a\nb\n// END SOLUTION\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].line, 3);
    EXPECT_NE(errors[0].message.find("without a matching BEGIN"), std::string::npos);
}

TEST(ExerciseTextErrors, NestedBeginIsReportedOnce) {
    const auto errors = errors_of("// BEGIN SOLUTION f\n// BEGIN SOLUTION g\nx\n// END SOLUTION\n// END SOLUTION\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].line, 2);
    EXPECT_NE(errors[0].message.find("opened at line 1"), std::string::npos);
}

TEST(ExerciseTextErrors, UnterminatedRegionPointsAtItsBegin) {
    const auto errors = errors_of("a\n  // BEGIN SOLUTION f\nx\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].line, 2);
    EXPECT_NE(errors[0].message.find("never closed"), std::string::npos);
}

TEST(ExerciseTextErrors, MismatchedEndName) {
    const auto errors = errors_of("// BEGIN SOLUTION f\nx\n// END SOLUTION g\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].line, 3);
}

TEST(ExerciseTextErrors, MalformedMarkers) {
    EXPECT_EQ(errors_of("// BEGIN SOLUTIONS\nx\n// END SOLUTION\n").size(), 1u);
    EXPECT_EQ(errors_of("// BEGIN SOLUTION f\nx\n// END SOLUTION!\n").size(), 1u);
    EXPECT_EQ(errors_of("// BEGIN SOLUTION f(x)\nx\n// END SOLUTION\n").size(), 1u);
    EXPECT_EQ(errors_of("// BEGIN SOLUTION two words\nx\n// END SOLUTION\n").size(), 1u);
}

TEST(ExerciseTextErrors, ErrorsComeInLineOrder) {
    const auto unclosed = errors_of("// BEGIN SOLUTION f\nx\n// BEGIN SOLUTION g\n");
    ASSERT_EQ(unclosed.size(), 2u);
    EXPECT_EQ(unclosed[0].line, 1);
    EXPECT_EQ(unclosed[1].line, 3);
}

TEST(ExerciseTextErrors, NamedRegionOutsideALessonFolder) {
    const auto result = make_exercise_text("// BEGIN SOLUTION f\nx\n// END SOLUTION\n", std::nullopt);
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.errors[0].line, 1);
    EXPECT_NE(result.errors[0].message.find("outside a lesson folder"), std::string::npos);
}

TEST(ExerciseTextErrors, AllErrorsOfAFileAreReported) {
    const auto errors = errors_of("// END SOLUTION\nok\n// END SOLUTION\n// BEGIN SOLUTION f\n");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].line, 1);
    EXPECT_EQ(errors[1].line, 3);
    EXPECT_EQ(errors[2].line, 4);
}
