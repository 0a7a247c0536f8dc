// The grader end to end, on this very course: submissions are made from
// solutions/ and exercises/, graded by the real `kubik-course grade` (which
// builds a copy of the course), and the points checked. Each suite grades all
// its submissions in one run, so the course is built once per suite.
//
//   GradeBasics     the starter code scores 0, the solutions score full points
//   GradeEdgeCases  partial credit with stage gating, edited tests, a compile
//                   error, an endless loop, a malformed submission
//
// Needs root (the lessons' checks do). KUBIK_GRADE_TEST_COURSE=DIR grades
// against another copy of the course (a stable snapshot while editing).

#include "cgroup_sweep.hpp"
#include "lesson.hpp"
#include "subprocess.hpp"
#include "tree_ops.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <fstream>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace kubik::course;

namespace {

fs::path course() {
    const char* over = std::getenv("KUBIK_GRADE_TEST_COURSE");
    return fs::canonical(over && *over ? over : KUBIK_COURSE_SOURCE_DIR);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// exercises/ of the course, with the solutions of lessons 0..solved-1 copied
// over it (every lesson folder of solutions/, listed in lessons/ or not yet).
void make_submission(const fs::path& dir, std::size_t solved) {
    copy_tree(course() / "exercises", dir / "exercises");
    for (const auto& entry : fs::directory_iterator(course() / "solutions")) {
        const auto name = entry.path().filename().string();
        if (!entry.is_directory() || name.empty() || !std::isdigit(static_cast<unsigned char>(name.front()))) continue;
        if (static_cast<std::size_t>(std::stoi(name)) >= solved) continue;
        fs::remove_all(dir / "exercises" / name);
        copy_tree(entry.path(), dir / "exercises" / name);
    }
}

constexpr std::size_t kAllLessons = 1000;

// Replaces the body of the marked region `name` (markers included).
std::string replace_region(const std::string& text, const std::string& name, const std::string& replacement) {
    const auto begin = text.find("// BEGIN SOLUTION " + name + "\n");
    if (begin == std::string::npos) throw std::runtime_error("no region " + name);
    const auto line_start = text.rfind('\n', begin) + 1;
    const auto end = text.find("// END SOLUTION", begin);
    const auto line_end = text.find('\n', end) + 1;
    return text.substr(0, line_start) + replacement + "\n" + text.substr(line_end);
}

// Puts `code` at the start of the marked region `name`, before the solution.
std::string prepend_to_region(const std::string& text, const std::string& name, const std::string& code) {
    const auto begin = text.find("// BEGIN SOLUTION " + name + "\n");
    if (begin == std::string::npos) throw std::runtime_error("no region " + name);
    const auto after = text.find('\n', begin) + 1;
    return text.substr(0, after) + code + "\n" + text.substr(after);
}

// Every file and its content under `dir` (links as their targets): to prove
// grading wrote nothing there.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        const auto relative = entry.path().lexically_relative(dir).string();
        if (entry.is_symlink()) {
            files[relative] = "-> " + fs::read_symlink(entry.path()).string();
        } else if (entry.is_regular_file()) {
            files[relative] = read_file(entry.path());
        } else {
            files[relative] = "(folder)";
        }
    }
    return files;
}

// Runs `kubik-course grade` on every folder in `submissions` at once.
json grade(const fs::path& submissions, int timeout, const fs::path& out) {
    ProcessOptions options;
    options.argv = {KUBIK_COURSE_BIN, "grade", submissions.string(), "--course", course().string(), "--format", "json",
                    "--out", out.string(), "--timeout", std::to_string(timeout), "--jobs", "2",
                    // No optimisation: the builds are what takes time here.
                    "--build-type", "None"};
    options.timeout = std::chrono::minutes(25);
    options.output_limit = 4 << 20;
    const auto started = std::chrono::steady_clock::now();
    const auto result = run_process(options);
    std::cout << result.output << "grading took "
              << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()
              << " s\n";
    if (!result.succeeded()) throw std::runtime_error("kubik-course grade failed:\n" + result.output);
    return json::parse(read_file(out));
}

const json& submission(const json& report, const std::string& student) {
    for (const auto& item : report.at("submissions")) {
        if (item.at("student") == student) return item;
    }
    throw std::runtime_error("no submission " + student);
}

// Top-level cgroups kubik or its tests make ("kubik-run-...", with the
// course tool's prefix; "kubik-test-...", the tests' own if the prefix were
// lost), in every hierarchy.
std::set<std::string> run_cgroups() {
    std::set<std::string> found;
    for (const auto& root : cgroup_roots()) {
        std::error_code ec;
        for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
            if (it->path().filename().string().starts_with("kubik-")) found.insert(it->path().string());
        }
    }
    return found;
}

// The grader's work folders in $TMPDIR ("kubik-grade-XXXXXX").
std::set<std::string> work_folders() {
    std::set<std::string> found;
    std::error_code ec;
    for (fs::directory_iterator it(fs::temp_directory_path(), ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.starts_with("kubik-grade-") && !name.starts_with("kubik-grade-test-")) found.insert(name);
    }
    return found;
}

// Mount points whose path holds `part`.
std::vector<std::string> mounts_containing(const std::string& part) {
    std::vector<std::string> found;
    std::ifstream mountinfo("/proc/self/mountinfo");
    for (std::string line; std::getline(mountinfo, line);) {
        if (line.find(part) != std::string::npos) found.push_back(line);
    }
    return found;
}

double points_of(const json& item) { return item.at("points").get<double>(); }

class GradeSuite : public ::testing::Test {
protected:
    static void SetUpGrading(const std::function<void(const fs::path&, const std::vector<Lesson>&)>& make, int timeout) {
        if (geteuid() != 0) return;
        lessons_ = load_lessons(course() / "lessons");
        std::string pattern = (fs::temp_directory_path() / "kubik-grade-test-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
        root_ = pattern;
        fs::create_directories(root_ / "submissions");
        make(root_ / "submissions", lessons_);
        cgroups_before_ = run_cgroups();
        work_before_ = work_folders();
        report_ = grade(root_ / "submissions", timeout, root_ / "report.json");
        cgroups_after_ = run_cgroups();
        work_after_ = work_folders();
    }

    static void TearDownTestSuite() {
        if (!root_.empty()) remove_tree(root_);
        root_.clear();
    }

    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "grading runs the lessons' checks, which need root";
    }

    static int max_points() {
        int points = 0;
        for (const auto& lesson : lessons_) points += lesson.points;
        return points;
    }

    static fs::path root_;
    static std::vector<Lesson> lessons_;
    static json report_;
    static std::set<std::string> cgroups_before_;
    static std::set<std::string> cgroups_after_;
    static std::set<std::string> work_before_;
    static std::set<std::string> work_after_;
};

fs::path GradeSuite::root_;
std::vector<Lesson> GradeSuite::lessons_;
json GradeSuite::report_;
std::set<std::string> GradeSuite::cgroups_before_;
std::set<std::string> GradeSuite::cgroups_after_;
std::set<std::string> GradeSuite::work_before_;
std::set<std::string> GradeSuite::work_after_;

} // namespace

// --- the starter code and the solutions ------------------------------------------

class GradeBasics : public GradeSuite {
protected:
    static void SetUpTestSuite() {
        SetUpGrading(
            [](const fs::path& dir, const std::vector<Lesson>&) {
                make_submission(dir / "pristine", 0);
                make_submission(dir / "solved", kAllLessons);
            },
            300);
    }
};

TEST_F(GradeBasics, PristineExercisesScoreZero) {
    const auto& item = submission(report_, "pristine");
    EXPECT_EQ(points_of(item), 0);
    EXPECT_EQ(item.at("max_points"), max_points());
    EXPECT_TRUE(item.at("build").at("ok").get<bool>());
    EXPECT_EQ(item.at("files").at("changed"), 0);
    EXPECT_TRUE(item.at("problems").empty());
    ASSERT_EQ(item.at("lessons").size(), lessons_.size());
    for (const auto& lesson : item.at("lessons")) {
        EXPECT_EQ(lesson.at("status"), "failed") << lesson.at("id");
        EXPECT_EQ(lesson.at("points"), 0);
        ASSERT_FALSE(lesson.at("checks").empty());
        for (const auto& check : lesson.at("checks")) {
            EXPECT_EQ(check.at("status"), "failed") << check.at("name");
            EXPECT_TRUE(contains(check.at("message").get<std::string>(), "not implemented yet")) << check.at("message");
        }
    }
}

TEST_F(GradeBasics, SolutionsScoreFullPoints) {
    const auto& item = submission(report_, "solved");
    EXPECT_EQ(points_of(item), max_points());
    EXPECT_EQ(item.at("max_points"), max_points());
    for (const auto& lesson : item.at("lessons")) {
        EXPECT_EQ(lesson.at("status"), "passed") << lesson.at("id") << ": " << lesson.at("summary");
        EXPECT_EQ(lesson.at("points"), lesson.at("max_points"));
    }
}

TEST_F(GradeBasics, TheSavedReportRendersInEveryFormat) {
    const auto render = [](const std::string& format, const fs::path& out_dir) {
        ProcessOptions options;
        options.argv = {KUBIK_COURSE_BIN, "report", (root_ / "report.json").string(), "--format", format,
                        "--out-dir", out_dir.string()};
        // Gradescope's results.json holds one submission: per student only.
        if (format != "gradescope") {
            options.argv.insert(options.argv.end(), {"--out", (out_dir / ("all." + format)).string()});
        }
        const auto result = run_process(options);
        EXPECT_TRUE(result.succeeded()) << result.output;
    };
    render("gradescope", root_ / "gradescope");
    const auto results = json::parse(read_file(root_ / "gradescope/solved.json"));
    EXPECT_EQ(results.at("score"), max_points());
    for (const auto& test : results.at("tests")) {
        EXPECT_EQ(test.at("status"), "passed") << test.at("name");
        EXPECT_EQ(test.at("visibility"), "visible");
    }
    EXPECT_EQ(json::parse(read_file(root_ / "gradescope/pristine.json")).at("score"), 0);
    render("csv", root_ / "csv");
    EXPECT_TRUE(contains(read_file(root_ / "csv/all.csv"), "\r\nsolved," + std::to_string(max_points()) + "," +
                                                                std::to_string(max_points()) + ","));
    render("junit", root_ / "junit");
    EXPECT_TRUE(read_file(root_ / "junit/all.junit").starts_with("<?xml"));
    render("md", root_ / "md");
    EXPECT_TRUE(contains(read_file(root_ / "md/pristine.md"), "not implemented yet"));
}

// --- what students get wrong -------------------------------------------------

class GradeEdgeCases : public GradeSuite {
protected:
    static void SetUpTestSuite() {
        SetUpGrading(
            [](const fs::path& dir, const std::vector<Lesson>& lessons) {
                ASSERT_GE(lessons.size(), 3u);
                // Lessons 0 and 1 solved; lesson 2 finished but for one function,
                // which still throws: every check of lesson 2 fails its gate.
                make_submission(dir / "partial", kAllLessons);
                const auto& unfinished = lessons[2].functions.front();
                const auto file = dir / "partial/exercises" / lessons[2].id / unfinished.file;
                write_file(file, replace_region(read_file(file), unfinished.name,
                                                "    throw kubik::NotImplemented(\"not implemented yet: lesson 2 "
                                                "(namespaces) \\u2014 left for later\");"));

                // Lesson 0 solved, plus "help" from edited tests and metadata.
                make_submission(dir / "tamper", 1);
                write_file(dir / "tamper/tests/01-chroot/chroot_test.cpp",
                           "#include <gtest/gtest.h>\nTEST(Chroot, Everything) { SUCCEED(); }\n");
                write_file(dir / "tamper/tests/CMakeLists.txt", "# nothing to see\n");
                write_file(dir / "tamper/CMakeLists.txt", "cmake_minimum_required(VERSION 3.25)\n");
                auto metadata = json::parse(read_file(course() / "lessons" / lessons[1].id / "lesson.json"));
                metadata["points"] = 1000;
                write_file(dir / "tamper/lessons" / lessons[1].id / "lesson.json", metadata.dump(2));

                // Does not compile.
                make_submission(dir / "nocompile", 0);
                const auto broken = dir / "nocompile/exercises" / lessons[0].id / lessons[0].functions.front().file;
                write_file(broken, read_file(broken) + "\nint this_does_not_compile( {\n");

                // exec_command never returns — except for `true`, so the
                // lesson's gate (`kubik run busybox true`) passes and every
                // check then waits for its own 30 s command timeout: far more
                // than the lesson's time limit.
                make_submission(dir / "loop", kAllLessons);
                const auto process = dir / "loop/exercises" / lessons[0].id / "process.cpp";
                write_file(process, "#include <unistd.h>\n" +
                                        prepend_to_region(read_file(process), "exec_command",
                                                          "    if (argv.empty() || argv[0] != \"true\") for (;;) ::pause();"));

                // Malformed: a link to the instructor's solution, binary junk,
                // an include from outside, a whole lesson missing.
                make_submission(dir / "malformed", 0);
                const auto m = dir / "malformed/exercises";
                const auto& f0 = lessons[0].functions.front().file;
                fs::remove(m / lessons[0].id / f0);
                fs::create_symlink(course() / "solutions" / lessons[0].id / f0, m / lessons[0].id / f0);
                const auto& f1 = lessons[1].functions.front().file;
                const char junk[] = "\x7f" "ELF\x02\x01\x01\x00\x00\x00\xff\xfe junk";
                write_file(m / lessons[1].id / f1, std::string(junk, sizeof junk - 1));
                const auto header = m / lessons[1].id / fs::path(f1).replace_extension(".hpp");
                write_file(header, "#include \"" + (course() / "solutions" / lessons[1].id /
                                                     fs::path(f1).replace_extension(".hpp")).string() +
                                       "\"\n");
                fs::remove_all(m / lessons[2].id);
                before_ = snapshot(dir / "malformed");
                solution_before_ = read_file(course() / "solutions" / lessons[0].id / f0);
            },
            kTimeLimit);
    }

    static constexpr int kTimeLimit = 45;
    static std::map<std::string, std::string> before_;
    static std::string solution_before_;
};

std::map<std::string, std::string> GradeEdgeCases::before_;
std::string GradeEdgeCases::solution_before_;

TEST_F(GradeEdgeCases, StageGatingGivesExactlyTheLessonsBeforeTheBrokenOne) {
    const auto& item = submission(report_, "partial");
    const auto& lessons = item.at("lessons");
    EXPECT_EQ(lessons[0].at("status"), "passed");
    EXPECT_EQ(lessons[1].at("status"), "passed");
    EXPECT_EQ(lessons[2].at("status"), "failed");
    EXPECT_EQ(lessons[2].at("points"), 0);
    for (std::size_t i = 3; i < lessons.size(); ++i) {
        EXPECT_FALSE(lessons[i].at("counted").get<bool>());
        EXPECT_EQ(lessons[i].at("locked_by"), "lesson 2");
        EXPECT_EQ(lessons[i].at("points"), 0);
    }
    EXPECT_EQ(points_of(item), lessons_[0].points + lessons_[1].points);
}

TEST_F(GradeEdgeCases, EditedTestsAndMetadataGainNothing) {
    const auto& item = submission(report_, "tamper");
    EXPECT_EQ(points_of(item), lessons_[0].points);
    EXPECT_EQ(item.at("max_points"), max_points());
    const auto& chroot = item.at("lessons")[1];
    EXPECT_EQ(chroot.at("max_points"), lessons_[1].points);
    EXPECT_EQ(chroot.at("status"), "failed");
    EXPECT_EQ(chroot.at("checks").size(), submission(report_, "partial").at("lessons")[1].at("checks").size())
        << "the instructor's tests ran, not the submission's";
}

TEST_F(GradeEdgeCases, ACompileErrorScoresZeroAndShowsTheCompiler) {
    const auto& item = submission(report_, "nocompile");
    EXPECT_EQ(points_of(item), 0);
    EXPECT_FALSE(item.at("build").at("ok").get<bool>());
    const auto errors = item.at("build").at("errors").get<std::string>();
    EXPECT_TRUE(contains(errors, "exercises/" + lessons_[0].id + "/" + lessons_[0].functions.front().file)) << errors;
    EXPECT_TRUE(contains(errors, "error:")) << errors;
    for (const auto& lesson : item.at("lessons")) EXPECT_EQ(lesson.at("status"), "build failed");
}

TEST_F(GradeEdgeCases, AnEndlessLoopIsStoppedByTheTimeLimit) {
    const auto& item = submission(report_, "loop");
    const auto& lessons = item.at("lessons");
    EXPECT_EQ(lessons[0].at("status"), "time limit exceeded");
    EXPECT_TRUE(contains(lessons[0].at("summary").get<std::string>(),
                         "time limit exceeded (" + std::to_string(kTimeLimit) + " s) during "))
        << lessons[0].at("summary");
    EXPECT_LT(lessons[0].at("seconds").get<double>(), kTimeLimit + 15);
    for (std::size_t i = 1; i < lessons.size(); ++i) {
        EXPECT_EQ(lessons[i].at("status"), "not run");
        EXPECT_TRUE(contains(lessons[i].at("summary").get<std::string>(), "lesson 0 exceeded the time limit"));
    }
    EXPECT_EQ(points_of(item), 0);
}

TEST_F(GradeEdgeCases, AMalformedSubmissionGetsAClearReportAndStaysInItsFolder) {
    const auto& item = submission(report_, "malformed");
    EXPECT_EQ(points_of(item), 0);
    EXPECT_TRUE(item.at("build").at("ok").get<bool>()) << "the starter versions of refused files must build";
    std::string problems;
    for (const auto& problem : item.at("problems")) {
        problems += problem.at("file").get<std::string>() + " " + problem.at("problem").get<std::string>() + "\n";
    }
    const auto& l0 = lessons_[0];
    const auto& l1 = lessons_[1];
    EXPECT_TRUE(contains(problems, "exercises/" + l0.id + "/" + l0.functions.front().file +
                                       " is a symbolic link pointing outside the submission"))
        << problems;
    EXPECT_TRUE(contains(problems, "exercises/" + l1.id + "/" + l1.functions.front().file + " is not a text file"))
        << problems;
    EXPECT_TRUE(contains(problems, "includes a file by an absolute path")) << problems;
    EXPECT_TRUE(contains(problems, "exercises/" + lessons_[2].id + "/")) << problems;
    EXPECT_TRUE(contains(problems, "is missing; the starter version was used")) << problems;
    // Nothing was written into the submission or through its link.
    EXPECT_EQ(snapshot(root_ / "submissions/malformed"), before_);
    EXPECT_EQ(read_file(course() / "solutions" / l0.id / l0.functions.front().file), solution_before_);
    // And the link's target (the solution) did not reach the build: lesson 0
    // fails with the starter code's message.
    EXPECT_TRUE(contains(item.at("lessons")[0].at("checks")[0].at("message").get<std::string>(), "not implemented yet"));
}

// The endless loop's test program was killed in the middle of a check: its
// containers, cgroups and mounts are the grader's to remove.
TEST_F(GradeEdgeCases, AKilledTestLeavesNothingBehind) {
    std::vector<std::string> new_cgroups;
    for (const auto& cgroup : cgroups_after_) {
        if (!cgroups_before_.contains(cgroup)) new_cgroups.push_back(cgroup);
    }
    EXPECT_TRUE(new_cgroups.empty()) << new_cgroups.front();
    EXPECT_TRUE(mounts_containing("/kubik-grade-").empty()) << mounts_containing("/kubik-grade-").front();
    for (const auto& warning : report_.at("warnings")) ADD_FAILURE() << warning;
    for (const auto& folder : work_after_) {
        EXPECT_TRUE(work_before_.contains(folder)) << "the grader's work folder is still there: " << folder;
    }
}
