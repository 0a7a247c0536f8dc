#include "grader.hpp"
#include "text_util.hpp"

#include "explain.hpp"
#include "i18n.hpp"
#include "student_files.hpp"
#include "subprocess.hpp"
#include "tree_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace kubik::course {

namespace {

constexpr std::size_t kBuildLogLimit = 256 * 1024;
constexpr std::size_t kTestOutputLimit = 4u << 20;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    if (from.empty()) return text;
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
    const auto rel = inner.lexically_relative(outer);
    return !rel.empty() && *rel.begin() != "..";
}

// Everything of the course a build needs, and nothing of the instructor's
// private or generated state, nor the work folder or submissions when they
// lie inside the course.
CopyFilter course_filter(const fs::path& course, const std::vector<fs::path>& also_excluded) {
    return [course, also_excluded](const fs::path& relative, bool is_directory) {
        if (left_out_of_course_copies(course, relative, is_directory)) return false;
        const auto absolute = course / relative;
        for (const auto& excluded : also_excluded) {
            if (absolute == excluded || is_within(absolute, excluded)) return false;
        }
        return true;
    };
}

class Grader {
public:
    Grader(const GradeOptions& options, GradeSummary& summary) : options_(options), summary_(summary) {}

    void prepare(const std::vector<SubmissionSpec>& submissions) {
        course_ = fs::canonical(options_.course);
        summary_.lessons = load_lessons(course_ / "lessons");
        pristine_ = pristine_exercises(course_);
        for (const auto& file : pristine_) owned_.push_back(file.relative);

        if (options_.work_dir.empty()) {
            std::string pattern = (fs::temp_directory_path() / "kubik-grade-XXXXXX").string();
            if (mkdtemp(pattern.data()) == nullptr) {
                throw std::runtime_error(formatted(_("cannot create a work folder: %s"), std::strerror(errno)));
            }
            work_ = pattern;
            own_work_ = true;
        } else {
            fs::create_directories(options_.work_dir);
            work_ = fs::canonical(options_.work_dir);
            if (!fs::is_empty(work_)) throw std::runtime_error(formatted(_("%s (--work-dir) must be empty"), work_.c_str()));
        }
        if (work_ == course_ || is_within(work_, course_)) {
            excluded_.push_back(work_);
        }
        for (const auto& spec : submissions) {
            std::error_code ec;
            const auto path = fs::weakly_canonical(spec.path, ec);
            if (!ec && path != course_ && is_within(path, course_)) excluded_.push_back(path);
        }
        copy_ = work_ / "course";
        base_ = work_ / "base";
        build_base();
    }

    SubmissionGrade grade(const SubmissionSpec& spec) {
        const auto started = Clock::now();
        SubmissionGrade grade;
        grade.student = spec.student;
        grade.source = spec.path.string() + (spec.git ? " (git " + spec.rev + ")" : "");
        grade.files_owned = owned_.size();
        for (const auto& lesson : summary_.lessons) grade.max_points += lesson.points;
        const auto finish = [&] {
            grade.seconds = std::chrono::duration<double>(Clock::now() - started).count();
            if (grade.lessons.empty()) {
                std::vector<LessonOutcome> outcomes;
                for (std::size_t i = 0; i < summary_.lessons.size(); ++i) {
                    outcomes.push_back(outcome_not_run(LessonStatus::not_run, expected_[i],
                                                       grade.error.empty() ? std::string(_("not run"))
                                                                           : formatted(_("not graded: %s"),
                                                                                       grade.error.c_str())));
                }
                grade.lessons = score_lessons(summary_.lessons, outcomes, options_.language);
            }
            grade.points = 0;
            for (const auto& lesson : grade.lessons) grade.points += lesson.points;
            return grade;
        };

        if (!spec.problem.empty()) {
            grade.error = spec.problem;
            return finish();
        }
        say(formatted(_("%s: reading %s"), spec.student.c_str(), grade.source.c_str()));
        const auto contents = read_submission(spec, owned_, options_.limits);
        if (!contents.error.empty()) {
            grade.error = contents.error;
            return finish();
        }
        grade.ignored = contents.ignored;

        // A fresh copy of the built starter course, then the student's files.
        remove_copy();
        copy_tree(base_, copy_);
        for (std::size_t i = 0; i < contents.files.size(); ++i) {
            const auto& file = contents.files[i];
            const auto& starter = pristine_[i];
            const auto shown = "exercises/" + file.relative.generic_string();
            if (file.state == FileState::missing) {
                grade.problems.push_back({shown, _("is missing; the starter version was used")});
                continue;
            }
            if (file.state == FileState::refused) {
                grade.problems.push_back({shown, formatted(_("%s; the starter version was used"), file.problem.c_str())});
                continue;
            }
            if (file.content == starter.content) continue; // keep the built object files
            ++grade.files_changed;
            const auto target = copy_ / "exercises" / file.relative;
            write_file(target, file.content);
            fs::permissions(target, starter.permissions);
        }

        if (base_built_) {
            say(formatted(ngettext("%s: building (%zu changed file)", "%s: building (%zu changed files)",
                                   grade.files_changed),
                          spec.student.c_str(), grade.files_changed));
        } else {
            say(formatted(_("%s: configuring and building"), spec.student.c_str()));
        }
        const auto build = build_copy(!base_built_);
        grade.build_log = relative_to_copy(build.output);
        if (build.interrupted) {
            summary_.interrupted = true;
            grade.error = _("grading was interrupted");
            return finish();
        }
        if (!build.succeeded()) {
            grade.built = false;
            if (build.timed_out) grade.build_log += "\n" + std::string(_("(the build exceeded its time limit and was stopped)")) + "\n";
            std::vector<LessonOutcome> outcomes;
            for (std::size_t i = 0; i < summary_.lessons.size(); ++i) {
                outcomes.push_back(outcome_not_run(LessonStatus::build_failed, expected_[i],
                                                   _("not run: the submission does not build")));
            }
            grade.lessons = score_lessons(summary_.lessons, outcomes, options_.language, &summary_.warnings);
            say(formatted(_("%s: the build failed"), spec.student.c_str()));
            remove_copy();
            return finish();
        }
        grade.built = true;
        say(formatted(_("%s: built in %ld s"), spec.student.c_str(), std::lround(build.elapsed.count())));
        if (!base_built_) list_checks(copy_ / "build");

        std::vector<LessonOutcome> outcomes;
        std::string stopped_by;
        for (std::size_t i = 0; i < summary_.lessons.size(); ++i) {
            const auto& lesson = summary_.lessons[i];
            if (summary_.interrupted) {
                outcomes.push_back(outcome_not_run(LessonStatus::not_run, expected_[i],
                                                   formatted(_("not run: %s"), _("grading was interrupted"))));
                continue;
            }
            if (!stopped_by.empty()) {
                outcomes.push_back(outcome_not_run(LessonStatus::not_run, expected_[i],
                                                   formatted(_("not run: %s"), stopped_by.c_str())));
                continue;
            }
            const auto binary = copy_ / "build" / "tests" / lesson.test_binary;
            if (!fs::exists(binary)) {
                outcomes.push_back(outcome_not_run(LessonStatus::crashed, expected_[i],
                                                   formatted(_("the course has no test program %s"),
                                                             lesson.test_binary.c_str())));
                continue;
            }
            IsolatedRunOptions run_options;
            run_options.timeout = options_.timeout;
            run_options.output_limit = kTestOutputLimit;
            run_options.kill_orphans = true;
            say(formatted(_("%s: lesson %d (%s) ..."), spec.student.c_str(), lesson.number, lesson.id.c_str()));
            auto run = run_test_binary_isolated(binary, run_options);
            for (const auto& left : run.leftovers) summary_.warnings.push_back(spec.student + ": " + left);
            run.output = relative_to_copy(run.output);
            if (run.report) {
                for (auto& check : run.report->checks) {
                    for (auto& failure : check.failures) failure = relative_to_copy(failure);
                }
            }
            auto outcome = outcome_from_run(run, expected_[i], static_cast<double>(options_.timeout.count()));
            const auto passed = static_cast<std::size_t>(std::count_if(
                outcome.checks.begin(), outcome.checks.end(),
                [](const GradedCheck& c) { return c.status == CheckStatus::passed; }));
            // TRANSLATORS: "alice: lesson 2: failed (3/5 checks, 12 s)".
            say(formatted(ngettext("%s: lesson %d: %s (%zu/%zu check, %d s)", "%s: lesson %d: %s (%zu/%zu checks, %d s)",
                                   outcome.checks.size()),
                          spec.student.c_str(), lesson.number, status_text(outcome.status).c_str(), passed,
                          outcome.checks.size(), static_cast<int>(outcome.seconds + 0.5)));
            if (run.interrupted) summary_.interrupted = true;
            // A lesson that runs out of time usually means code that hangs;
            // later lessons would only hang the same way.
            if (outcome.status == LessonStatus::time_limit) {
                stopped_by = formatted(_("lesson %d exceeded the time limit"), lesson.number);
            }
            if (const auto left = unmount_below(copy_); !left.empty()) {
                summary_.warnings.push_back(
                    formatted(_("%s: mounts left behind by lesson %s"), spec.student.c_str(), lesson.id.c_str()));
            }
            outcomes.push_back(std::move(outcome));
        }
        grade.lessons = score_lessons(summary_.lessons, outcomes, options_.language, &summary_.warnings);
        remove_copy();
        return finish();
    }

    void finish() {
        if (options_.keep_work) {
            say(formatted(_("work folder kept: %s"), work_.c_str()));
            return;
        }
        auto failures = remove_tree(copy_);
        const auto more = remove_tree(base_);
        failures.insert(failures.end(), more.begin(), more.end());
        if (own_work_ && failures.empty()) rmdir(work_.c_str());
        for (const auto& failure : failures) summary_.warnings.push_back(formatted(_("could not remove %s"), failure.c_str()));
    }

private:
    void say(const std::string& line) const {
        if (options_.progress) options_.progress(line);
    }

    int jobs() const {
        if (options_.jobs > 0) return options_.jobs;
        return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }

    std::vector<std::string> targets() const {
        std::vector<std::string> names;
        for (const auto& lesson : summary_.lessons) names.push_back(lesson.test_binary);
        return names;
    }

    ProcessResult configure(const fs::path& source) const {
        ProcessOptions process;
        process.argv = {"cmake", "-S", source.string(), "-B", (source / "build").string(), "-G", "Ninja",
                        "-DKUBIK_TRACK=student", "-DCMAKE_BUILD_TYPE=" + options_.build_type};
        process.timeout = options_.build_timeout;
        process.output_limit = kBuildLogLimit;
        return run_process(process);
    }

    ProcessResult build(const fs::path& source) const {
        ProcessOptions process;
        process.argv = {"cmake", "--build", (source / "build").string(), "-j", std::to_string(jobs()), "--target"};
        for (const auto& target : targets()) process.argv.push_back(target);
        process.timeout = options_.build_timeout;
        process.output_limit = kBuildLogLimit;
        process.kill_orphans = true;
        return run_process(process);
    }

    // Copy of the course with the starter exercises, built once.
    void build_base() {
        say(formatted(_("copying the course from %s"), course_.c_str()));
        copy_tree(course_, copy_, course_filter(course_, excluded_));
        for (const auto& file : pristine_) {
            const auto target = copy_ / "exercises" / file.relative;
            write_file(target, file.content);
            fs::permissions(target, file.permissions);
        }
        say(formatted(ngettext("building the course with the starter code (once; %d job)",
                               "building the course with the starter code (once; %d jobs)", static_cast<unsigned long>(jobs())),
                      static_cast<int>(jobs())));
        const auto started = Clock::now();
        auto result = configure(copy_);
        if (result.succeeded()) {
            const auto built = build(copy_);
            result.output += built.output;
            result.exit_code = built.exit_code;
            result.signal = built.signal;
            result.timed_out = built.timed_out;
            result.interrupted = built.interrupted;
        }
        if (result.interrupted) {
            summary_.interrupted = true;
            throw std::runtime_error(_("interrupted"));
        }
        expected_.assign(summary_.lessons.size(), {});
        if (result.succeeded()) {
            say(formatted(_("built in %ld s"),
                          std::lround(std::chrono::duration<double>(Clock::now() - started).count())));
            base_built_ = true;
            list_checks(copy_ / "build");
        } else {
            // The starter code always builds in a sound course; in the
            // student edition the "starter" is the student's own code. Build
            // each submission from scratch then.
            fs::remove_all(copy_ / "build");
            summary_.warnings.push_back(std::string(_("the course does not build with its own exercises/; every "
                                                      "submission is built from scratch. The build said:")) +
                                        "\n" + compiler_errors(relative_to_copy(result.output)));
        }
        fs::rename(copy_, base_);
    }

    ProcessResult build_copy(bool from_scratch) const {
        if (!from_scratch) return build(copy_);
        auto result = configure(copy_);
        if (!result.succeeded()) return result;
        auto built = build(copy_);
        built.output = result.output + built.output;
        return built;
    }

    void list_checks(const fs::path& build_dir) {
        expected_.assign(summary_.lessons.size(), {});
        for (std::size_t i = 0; i < summary_.lessons.size(); ++i) {
            const auto binary = build_dir / "tests" / summary_.lessons[i].test_binary;
            if (!fs::exists(binary)) continue;
            ProcessOptions process;
            process.argv = {binary.string(), "--gtest_list_tests"};
            process.working_dir = binary.parent_path();
            process.timeout = std::chrono::seconds(60);
            const auto listed = run_process(process);
            if (listed.succeeded()) expected_[i] = parse_gtest_list(listed.output);
        }
    }

    std::string relative_to_copy(const std::string& text) const {
        return replace_all(replace_all(text, copy_.string() + "/", ""), copy_.string(), ".");
    }

    void remove_copy() {
        for (const auto& failure : remove_tree(copy_)) summary_.warnings.push_back(formatted(_("could not remove %s"), failure.c_str()));
    }

    const GradeOptions& options_;
    GradeSummary& summary_;
    fs::path course_;
    fs::path work_;
    bool own_work_ = false;
    fs::path copy_;
    fs::path base_;
    bool base_built_ = false;
    std::vector<fs::path> excluded_;
    std::vector<ExerciseFile> pristine_;
    std::vector<fs::path> owned_;
    std::vector<std::vector<std::string>> expected_; ///< per lesson, from --gtest_list_tests
};

} // namespace

GradeSummary grade_submissions(const std::vector<SubmissionSpec>& submissions, const GradeOptions& options) {
    GradeSummary summary;
    become_subreaper();
    Grader grader(options, summary);
    try {
        grader.prepare(submissions);
        for (const auto& spec : submissions) {
            summary.submissions.push_back(grader.grade(spec));
            if (summary.interrupted) break;
        }
    } catch (...) {
        grader.finish();
        if (summary.interrupted) return summary;
        throw;
    }
    grader.finish();
    return summary;
}

std::string compiler_errors(const std::string& build_log, std::size_t max_lines) {
    const auto lines = split_lines(build_log);
    std::vector<std::string> picked;
    std::size_t last_taken = 0;
    bool any = false;
    for (std::size_t i = 0; i < lines.size() && picked.size() < max_lines; ++i) {
        const auto& line = lines[i];
        const bool error = line.find("error:") != std::string::npos || line.find("Error ") != std::string::npos ||
                           line.starts_with("FAILED:") || line.find("undefined reference") != std::string::npos;
        if (!error) continue;
        any = true;
        // The error, the "In function" line before it and the code lines gcc
        // shows after it.
        const std::size_t from = (i > 0 && lines[i - 1].find("In ") != std::string::npos && i - 1 >= last_taken) ? i - 1 : i;
        std::size_t to = i + 1;
        while (to < lines.size() && to < i + 4 && (lines[to].starts_with(" ") || lines[to].find('|') != std::string::npos)) {
            ++to;
        }
        for (std::size_t j = std::max(from, last_taken); j < to && picked.size() < max_lines; ++j) {
            if (lines[j].starts_with("FAILED:")) continue; // ninja's long command lines
            picked.push_back(lines[j]);
        }
        last_taken = to;
    }
    if (!any) {
        const auto start = lines.size() > max_lines ? lines.size() - max_lines : 0;
        picked.assign(lines.begin() + static_cast<std::ptrdiff_t>(start), lines.end());
    }
    std::string text;
    for (const auto& line : picked) text += line + "\n";
    return text;
}

} // namespace kubik::course
