#include "student_edition.hpp"
#include "temp_folder_test.hpp"
#include "subprocess.hpp"
#include "tree_ops.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace kubik::course;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class StudentEdition : public TempFolderTest {
protected:
    void SetUp() override {
        TempFolderTest::SetUp();
        course_ = root_ / "course";
        write_file(course_ / "lessons/00-process/lesson.json", R"({
            "number": 0, "id": "00-process", "title": {"en": "Processes", "ru": "Процессы"}, "points": 10,
            "test_binary": "test-00-process", "functions": [{"name": "run", "file": "process.cpp"}],
            "hints": {"en": ["h"], "ru": ["п"]}})");
        write_file(course_ / "solutions/00-process/process.cpp",
                   "int run() {\n    // BEGIN SOLUTION run\n    // TODO: return 42.\n    return 42;\n    // END SOLUTION\n}\n");
        write_file(course_ / "exercises/00-process/stale.cpp", "stale\n");
        write_file(course_ / "src/main.cpp", "int main() {}\n");
        write_file(course_ / "README.md", "# The instructor's README\n");
        write_file(course_ / "scripts/check-tracks.sh", "#!/bin/sh\n");
        write_file(course_ / "scripts/grade-selftest.sh", "#!/bin/sh\n");
        write_file(course_ / "scripts/install-deps.sh", "#!/bin/sh\n");
        write_file(course_ / "scripts/mutation-check", "#!/usr/bin/env python3\n");
        write_file(course_ / "lessons/00-process/mutants.json", "{\"mutants\": []}\n");
        write_file(course_ / ".git/HEAD", "ref: refs/heads/main\n");
        write_file(course_ / ".github/workflows/ci.yml", "instructor's CI\n");
        write_file(course_ / ".ci/run", "exec scripts/test-all.sh\n");
        write_file(course_ / "build/CMakeCache.txt", "");
        write_file(course_ / "odd-build/CMakeCache.txt", "");
        write_file(course_ / "Vagrantfile", "");
    }
    fs::path course_;
};

} // namespace

TEST_F(StudentEdition, HasEverythingButTheSolutions) {
    const auto target = root_ / "student";
    const auto summary = export_student_edition(course_, target, false);
    EXPECT_FALSE(fs::exists(target / "solutions"));
    EXPECT_FALSE(fs::exists(target / "scripts/check-tracks.sh"));
    EXPECT_FALSE(fs::exists(target / "scripts/grade-selftest.sh")) << "it grades the solutions";
    EXPECT_FALSE(fs::exists(target / ".git"));
    EXPECT_FALSE(fs::exists(target / "build"));
    EXPECT_FALSE(fs::exists(target / "odd-build"));
    EXPECT_FALSE(fs::exists(target / ".github/workflows/ci.yml"));
    EXPECT_FALSE(fs::exists(target / ".ci"));
    EXPECT_FALSE(fs::exists(target / "scripts/mutation-check"));
    EXPECT_FALSE(fs::exists(target / "lessons/00-process/mutants.json")) << "it quotes the solution";
    EXPECT_TRUE(fs::exists(target / "scripts/install-deps.sh"));
    EXPECT_TRUE(fs::exists(target / "src/main.cpp"));
    EXPECT_TRUE(fs::exists(target / "lessons/00-process/lesson.json"));
    // exercises/ as the generator makes them, not as they lay around.
    EXPECT_FALSE(fs::exists(target / "exercises/00-process/stale.cpp"));
    const auto exercise = read_file(target / "exercises/00-process/process.cpp");
    EXPECT_TRUE(contains(exercise, "// TODO: return 42."));
    EXPECT_TRUE(contains(exercise, "not implemented yet: lesson 0 (process)"));
    EXPECT_FALSE(contains(exercise, "return 42;"));
    EXPECT_EQ(summary.exercises, 1u);

    const auto readme = read_file(target / "README.md");
    EXPECT_TRUE(contains(readme, "student edition"));
    EXPECT_TRUE(contains(readme, "kubik-course watch"));
    EXPECT_TRUE(contains(readme, "kubik-course status"));
    EXPECT_TRUE(contains(readme, "kubik-course check"));
    EXPECT_TRUE(contains(readme, "| 0 | [Processes](lessons/00-process/README.md) | 10 | `process.cpp` |"));
    EXPECT_TRUE(contains(readme, "vagrant up"));
    EXPECT_TRUE(contains(read_file(target / "README.ru.md"), "[Процессы](lessons/00-process/README.ru.md)"));

    const auto workflow = read_file(target / ".github/workflows/grade.yml");
    EXPECT_TRUE(contains(workflow, "on:\n  push:"));
    EXPECT_TRUE(contains(workflow, "sudo scripts/install-deps.sh"));
    EXPECT_TRUE(contains(workflow, "sudo build-student/kubik-course grade . --format md"));
    EXPECT_TRUE(contains(workflow, "$GITHUB_STEP_SUMMARY"));
}

TEST_F(StudentEdition, RefusesANonEmptyFolderUnlessForced) {
    const auto target = root_ / "student";
    write_file(target / "old.txt", "old");
    write_file(target / ".git/HEAD", "the student's history");
    EXPECT_THROW(export_student_edition(course_, target, false), std::runtime_error);
    EXPECT_TRUE(fs::exists(target / "old.txt"));
    export_student_edition(course_, target, true);
    EXPECT_FALSE(fs::exists(target / "old.txt"));
    EXPECT_EQ(read_file(target / ".git/HEAD"), "the student's history");
    EXPECT_TRUE(fs::exists(target / "README.md"));
}

TEST_F(StudentEdition, RefusesToOverlapTheCourse) {
    EXPECT_THROW(export_student_edition(course_, course_ / "student", false), std::runtime_error);
    EXPECT_THROW(export_student_edition(course_, course_, true), std::runtime_error);
    EXPECT_THROW(export_student_edition(course_, root_, true), std::runtime_error);
}

// The real course: its student edition configures without solutions/ (the
// exercises generator's targets are left out) — configure only, no build.
TEST(StudentEditionOfThisCourse, ConfiguresWithoutSolutions) {
    const fs::path course = KUBIK_COURSE_SOURCE_DIR;
    if (!fs::is_directory(course / "solutions")) GTEST_SKIP() << "not the instructor's tree";
    std::string pattern = (fs::temp_directory_path() / "kubik-edition-real-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const fs::path target = fs::path(pattern) / "student";
    export_student_edition(course, target, false);
    EXPECT_FALSE(fs::exists(target / "solutions"));
    ProcessOptions configure;
    configure.argv = {"cmake", "-S", target.string(), "-B", (target / "build-student").string(), "-G", "Ninja",
                      "-DKUBIK_TRACK=student"};
    configure.timeout = std::chrono::seconds(120);
    const auto result = run_process(configure);
    EXPECT_TRUE(result.succeeded()) << result.output;
    EXPECT_FALSE(contains(read_file(target / "build-student/build.ninja"), "gen-exercises --solutions"));
    remove_tree(pattern);
}
