#include "exercise_tree.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;
using namespace kubik::tools;

namespace {

class ExerciseTree : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "gen-exercises-test-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        solutions_ = root_ / "solutions";
        exercises_ = root_ / "exercises";
    }
    void TearDown() override { fs::remove_all(root_); }

    static void put(const fs::path& path, const std::string& content) {
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
    }
    static std::string get(const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    void regenerate() {
        const auto tree = generate_tree(solutions_);
        ASSERT_TRUE(tree.errors.empty());
        apply_differences(tree, compare_tree(tree, exercises_), exercises_);
    }

    fs::path root_, solutions_, exercises_;
};

const std::string kSolution = "void f() {\n    // BEGIN SOLUTION f\n    g();\n    // END SOLUTION\n}\n";

} // namespace

TEST_F(ExerciseTree, MirrorsEveryFileAndTransformsRegions) {
    put(solutions_ / "01-chroot" / "rootfs.cpp", kSolution);
    put(solutions_ / "01-chroot" / "sub" / "notes.txt", "plain\n");
    put(solutions_ / "CMakeLists.txt", "add_library(x)\n");
    regenerate();
    EXPECT_NE(get(exercises_ / "01-chroot" / "rootfs.cpp").find("lesson 1 (chroot)"), std::string::npos);
    EXPECT_EQ(get(exercises_ / "01-chroot" / "sub" / "notes.txt"), "plain\n");
    EXPECT_EQ(get(exercises_ / "CMakeLists.txt"), "add_library(x)\n");
    const auto tree = generate_tree(solutions_);
    EXPECT_TRUE(compare_tree(tree, exercises_).empty());
}

TEST_F(ExerciseTree, ReportsStaleMissingAndExtraFiles) {
    put(solutions_ / "00-process" / "a.cpp", "a\n");
    put(solutions_ / "00-process" / "b.cpp", "b\n");
    put(exercises_ / "00-process" / "a.cpp", "edited\n");
    put(exercises_ / "00-process" / "old.cpp", "old\n");
    const auto differences = compare_tree(generate_tree(solutions_), exercises_);
    ASSERT_EQ(differences.size(), 3u);
    EXPECT_EQ(differences[0].relative, fs::path("00-process/a.cpp"));
    EXPECT_EQ(differences[0].kind, Drift::stale);
    EXPECT_EQ(differences[1].relative, fs::path("00-process/b.cpp"));
    EXPECT_EQ(differences[1].kind, Drift::missing);
    EXPECT_EQ(differences[2].relative, fs::path("00-process/old.cpp"));
    EXPECT_EQ(differences[2].kind, Drift::extra);
}

TEST_F(ExerciseTree, RemovesFilesAndFoldersGoneFromSolutions) {
    put(solutions_ / "00-process" / "a.cpp", "a\n");
    put(exercises_ / "00-process" / "a.cpp", "a\n");
    put(exercises_ / "09-gone" / "deep" / "x.cpp", "x\n");
    regenerate();
    EXPECT_FALSE(fs::exists(exercises_ / "09-gone"));
    EXPECT_TRUE(fs::exists(exercises_ / "00-process" / "a.cpp"));
}

TEST_F(ExerciseTree, LeavesUpToDateFilesUntouched) {
    put(solutions_ / "00-process" / "a.cpp", "a\n");
    regenerate();
    const auto target = exercises_ / "00-process" / "a.cpp";
    const auto old_time = fs::last_write_time(target) - std::chrono::hours(1);
    fs::last_write_time(target, old_time);
    regenerate();
    EXPECT_EQ(fs::last_write_time(target), old_time);
}

TEST_F(ExerciseTree, ReplacesAFolderThatStandsWhereAFileGoes) {
    put(solutions_ / "00-process" / "a", "file\n");
    put(exercises_ / "00-process" / "a" / "inner.cpp", "x\n");
    regenerate();
    EXPECT_EQ(get(exercises_ / "00-process" / "a"), "file\n");
}

TEST_F(ExerciseTree, KeepsTheExecutableBit) {
    put(solutions_ / "00-process" / "demo.sh", "#!/bin/sh\n");
    fs::permissions(solutions_ / "00-process" / "demo.sh", fs::perms::owner_exec, fs::perm_options::add);
    regenerate();
    EXPECT_NE(fs::status(exercises_ / "00-process" / "demo.sh").permissions() & fs::perms::owner_exec,
              fs::perms::none);
}

TEST_F(ExerciseTree, BinaryFilesAreCopiedUnchanged) {
    const std::string binary("// BEGIN SOLUTION f\n\0\n", 21);
    put(solutions_ / "00-process" / "blob.bin", binary);
    regenerate();
    EXPECT_EQ(get(exercises_ / "00-process" / "blob.bin"), binary);
}

TEST_F(ExerciseTree, MarkerErrorsNameTheFileAndLine) {
    put(solutions_ / "02-namespaces" / "init.cpp", "x\n// END SOLUTION\n");
    put(solutions_ / "notes.cpp", "// BEGIN SOLUTION f\nx\n// END SOLUTION\n");
    const auto tree = generate_tree(solutions_);
    ASSERT_EQ(tree.errors.size(), 2u);
    EXPECT_EQ(tree.errors[0].file, fs::path("02-namespaces/init.cpp"));
    EXPECT_EQ(tree.errors[0].line, 2);
    EXPECT_EQ(tree.errors[1].file, fs::path("notes.cpp"));
    EXPECT_EQ(tree.errors[1].line, 1);
}
