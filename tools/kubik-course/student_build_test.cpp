#include "student_build.hpp"
#include "temp_folder_test.hpp"
#include "tree_ops.hpp"

#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace kubik::course {
namespace {

using StudentBuild = TempFolderTest;

ProcessResult success() {
    ProcessResult result;
    result.exit_code = 0;
    return result;
}

TEST_F(StudentBuild, FilesModifiedAfterNamesOnlyTheNewerOnes) {
    fs::create_directories(root_ / "00-process");
    write_file(root_ / "00-process" / "old.cpp", "old");
    write_file(root_ / "00-process" / "new.cpp", "new");
    const auto now = fs::file_time_type::clock::now();
    fs::last_write_time(root_ / "00-process" / "old.cpp", now - std::chrono::hours(1));
    fs::last_write_time(root_ / "00-process" / "new.cpp", now + std::chrono::seconds(1));
    EXPECT_EQ(files_modified_after(root_, now), std::vector<fs::path>{"00-process/new.cpp"});
    EXPECT_TRUE(files_modified_after(root_ / "missing", now).empty());
}

TEST_F(StudentBuild, AFileSavedDuringTheBuildIsTouchedAndBuiltAgain) {
    write_file(root_ / "process.cpp", "before");
    fs::last_write_time(root_ / "process.cpp", fs::file_time_type::clock::now() - std::chrono::hours(1));
    int builds = 0;
    fs::file_time_type saved_at;
    std::vector<fs::path> reported;
    const auto result = build_until_settled(
        [&] {
            if (++builds == 1) {
                // The student saves while the compiler runs.
                write_file(root_ / "process.cpp", "after");
                saved_at = fs::last_write_time(root_ / "process.cpp");
            }
            return success();
        },
        root_, [&](const std::vector<fs::path>& files) { reported = files; });
    EXPECT_TRUE(result.succeeded());
    EXPECT_EQ(builds, 2);
    EXPECT_EQ(reported, std::vector<fs::path>{"process.cpp"});
    EXPECT_GE(fs::last_write_time(root_ / "process.cpp"), saved_at);
}

TEST_F(StudentBuild, NothingSavedMeansOneBuild) {
    write_file(root_ / "process.cpp", "text");
    fs::last_write_time(root_ / "process.cpp", fs::file_time_type::clock::now() - std::chrono::hours(1));
    int builds = 0;
    bool reported = false;
    build_until_settled([&] { ++builds; return success(); }, root_,
                        [&](const std::vector<fs::path>&) { reported = true; });
    EXPECT_EQ(builds, 1);
    EXPECT_FALSE(reported);
}

TEST_F(StudentBuild, AFailedBuildIsNotRepeated) {
    int builds = 0;
    const auto result = build_until_settled(
        [&] {
            ++builds;
            write_file(root_ / "process.cpp", "saved");
            ProcessResult failed;
            failed.exit_code = 1;
            return failed;
        },
        root_, [](const std::vector<fs::path>&) {});
    EXPECT_FALSE(result.succeeded());
    EXPECT_EQ(builds, 1);
}

} // namespace
} // namespace kubik::course
