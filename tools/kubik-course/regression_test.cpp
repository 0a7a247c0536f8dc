#include "regression.hpp"
#include "temp_folder_test.hpp"
#include "tree_ops.hpp"

#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace kubik::course {
namespace {

std::vector<Lesson> three_lessons() {
    std::vector<Lesson> lessons(3);
    const char* ids[] = {"00-process", "01-chroot", "02-namespaces"};
    for (int i = 0; i < 3; ++i) {
        lessons[i].number = i;
        lessons[i].id = ids[i];
    }
    return lessons;
}

const auto kPassed = fs::file_time_type(std::chrono::seconds(1000));

// Files that changed after `since`, by lesson id.
ChangedFiles changes(std::map<std::string, std::vector<fs::path>> files) {
    return [files](const Lesson& lesson, fs::file_time_type since) {
        EXPECT_EQ(since, kPassed);
        const auto it = files.find(lesson.id);
        return it == files.end() ? std::vector<fs::path>{} : it->second;
    };
}

TEST(Regression, ALessonThatNeverPassedIsNoRegression) {
    const auto lessons = three_lessons();
    EXPECT_FALSE(find_regression(lessons, 0, {"Process.Exit"}, {}, changes({})));
    EXPECT_FALSE(find_regression(lessons, 0, {"Process.Exit"}, {{"01-chroot", kPassed}}, changes({})));
}

TEST(Regression, TheChangeToALaterLessonIsNamed) {
    const auto lessons = three_lessons();
    const auto regression = find_regression(lessons, 0, {"Process.TtyGivesTheCommandATerminal"},
                                            {{"00-process", kPassed}},
                                            changes({{"01-chroot", {"01-chroot/chroot.cpp"}}}));
    ASSERT_TRUE(regression);
    EXPECT_EQ(regression->changed_lessons, std::vector<std::size_t>{1});
    EXPECT_FALSE(regression->own_files_changed);
    const auto text = regression_text(lessons, *regression);
    EXPECT_NE(text.find("Lesson 0 passed before; the change to lesson 1 broke Process.TtyGivesTheCommandATerminal."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("01-chroot/chroot.cpp"), std::string::npos) << text;
}

TEST(Regression, SeveralLaterLessonsAndManyChecks) {
    const auto lessons = three_lessons();
    const auto regression = find_regression(
        lessons, 0, {"A.a", "A.b", "A.c", "A.d", "A.e"}, {{"00-process", kPassed}},
        changes({{"01-chroot", {"01-chroot/chroot.cpp"}}, {"02-namespaces", {"02-namespaces/namespaces.cpp"}}}));
    ASSERT_TRUE(regression);
    EXPECT_EQ(regression->changed_lessons, (std::vector<std::size_t>{1, 2}));
    const auto text = regression_text(lessons, *regression);
    EXPECT_NE(text.find("the changes to lessons 1 and 2 broke A.a, A.b, A.c and 2 more."), std::string::npos) << text;
}

TEST(Regression, ItsOwnChangeOrNoChangeAtAll) {
    const auto lessons = three_lessons();
    const auto own = find_regression(lessons, 1, {"Chroot.Root"}, {{"01-chroot", kPassed}},
                                     changes({{"01-chroot", {"01-chroot/chroot.cpp"}}}));
    ASSERT_TRUE(own);
    EXPECT_TRUE(own->own_files_changed);
    EXPECT_TRUE(own->changed_lessons.empty());
    EXPECT_NE(regression_text(lessons, *own).find("a change to its own files broke Chroot.Root"), std::string::npos);

    const auto none = find_regression(lessons, 1, {"Chroot.Root"}, {{"01-chroot", kPassed}}, changes({}));
    ASSERT_TRUE(none);
    EXPECT_NE(regression_text(lessons, *none).find("none of its files or later lessons' files changed"),
              std::string::npos);
}

using PassRecordFile = TempFolderTest;

TEST_F(PassRecordFile, SurvivesARoundTripAndABrokenFile) {
    EXPECT_TRUE(read_pass_record(root_).empty());
    const PassRecord record{{"00-process", kPassed}, {"01-chroot", kPassed + std::chrono::seconds(5)}};
    write_pass_record(root_, record);
    EXPECT_EQ(read_pass_record(root_), record);
    write_file(root_ / ".kubik-course-passed.json", "{ not json");
    EXPECT_TRUE(read_pass_record(root_).empty());
}

TEST_F(PassRecordFile, ChangedFilesOfALessonAreRelativeToTheCodeFolder) {
    fs::create_directories(root_ / "01-chroot");
    write_file(root_ / "01-chroot" / "chroot.cpp", "x");
    const auto now = fs::file_time_type::clock::now();
    fs::last_write_time(root_ / "01-chroot" / "chroot.cpp", now + std::chrono::seconds(2));
    Lesson lesson;
    lesson.id = "01-chroot";
    EXPECT_EQ(lesson_files_changed_since(root_, lesson, now), std::vector<fs::path>{"01-chroot/chroot.cpp"});
    EXPECT_TRUE(lesson_files_changed_since(root_, lesson, now + std::chrono::seconds(3)).empty());
}

} // namespace
} // namespace kubik::course
