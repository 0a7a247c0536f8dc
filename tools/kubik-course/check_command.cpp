// kubik-course check [LESSON]: builds the student's runtime, runs the
// lessons' checks in order and explains the first failure, the way a student
// works through the course.

#include "command.hpp"
#include "explain.hpp"
#include "grader.hpp"
#include "i18n.hpp"
#include "progress.hpp"
#include "regression.hpp"
#include "student_build.hpp"
#include "test_run.hpp"
#include "tree_ops.hpp"

#include <iostream>
#include <memory>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

struct CheckOptions {
    std::string lesson;   ///< run lessons 0..this one; empty: all
    fs::path build_dir;
    bool build = true;    ///< run `cmake --build` first
};

fs::path test_binary(const fs::path& build_dir, const Lesson& lesson) {
    return build_dir / "tests" / lesson.test_binary;
}

// On a terminal, say which lesson is running (its checks can take seconds);
// the line is erased once the result is known, so logs stay clean.
class ProgressLine {
public:
    explicit ProgressLine(const Lesson& lesson) : shown_(isatty(STDOUT_FILENO) == 1) {
        if (shown_) {
            std::cout << "  " << formatted(_("lesson %d \u2014 %s ..."), lesson.number, lesson.topic().c_str())
                      << std::flush;
        }
    }
    ~ProgressLine() {
        if (shown_) std::cout << "\r\033[K" << std::flush;
    }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

private:
    bool shown_;
};

// The names of the failing checks, for a regression's sentence.
std::vector<std::string> failing_checks(const Lesson& lesson, const TestRun& run) {
    std::vector<std::string> names;
    if (run.report) {
        for (const auto& check : run.report->checks) {
            if (check.outcome == Outcome::failed && !check.name.empty()) names.push_back(check.full_name());
        }
    }
    if (names.empty()) names.push_back(lesson_progress(lesson, run).first_failure);
    return names;
}

int run_check(const CheckOptions& options, const GlobalOptions& global) {
    const auto language = parse_language(global.language);
    const auto lessons = load_lessons(global.lessons_dir());
    const std::size_t last = options.lesson.empty() ? lessons.size() - 1 : find_lesson(lessons, options.lesson);

    // The build and every lesson's program run in process groups of their
    // own, which Ctrl-C on the terminal doesn't reach: we stop them ourselves
    // and clean up after them.
    install_interrupt_handler();
    // What passes is recorded with the time its build started: a file
    // changed after that may not be in the build that passed.
    const auto build_started = fs::file_time_type::clock::now();
    if (options.build) {
        const bool terminal = isatty(STDOUT_FILENO) == 1;
        if (terminal) std::cout << _("building ...") << std::flush;
        const auto built = build_until_settled(
            [&] { return build_student_runtime(options.build_dir); }, global.code_dir,
            [&](const std::vector<fs::path>& saved) {
                if (terminal) std::cout << "\r\033[K";
                std::cout << formatted(ngettext("%s was saved during the build, which may have compiled the old "
                                                "text; building again ...",
                                                "%s were saved during the build, which may have compiled the old "
                                                "text; building again ...",
                                                saved.size()),
                                       saved.size() == 1 ? saved.front().c_str()
                                                         : formatted(ngettext("%zu file", "%zu files", saved.size()), saved.size()).c_str())
                          << "\n"
                          << std::flush;
            });
        if (terminal) std::cout << "\r\033[K" << std::flush;
        if (built.interrupted) return 130;
        if (!built.succeeded()) {
            std::cout << "\u2717 " << _("the build fails, so no lesson can be checked; the compiler says:") << "\n\n"
                      << compiler_errors(built.output, 40) << "\n"
                      << _("Fix it and run `kubik-course check` again.") << "\n";
            return 1;
        }
    }

    // Every binary is looked for up front: finding out after minutes of
    // passing lessons that the last one was never built helps nobody.
    for (std::size_t i = 0; i <= last; ++i) {
        const auto binary = test_binary(options.build_dir, lessons[i]);
        if (!fs::exists(binary)) {
            throw std::runtime_error(formatted(_("the checks of lesson %d (%s) are not built; build them with "
                                                 "`cmake --build %s`"),
                                               lessons[i].number, binary.c_str(), options.build_dir.c_str()));
        }
    }

    auto record = read_pass_record(options.build_dir);
    for (std::size_t i = 0; i <= last; ++i) {
        const auto& lesson = lessons[i];
        const auto binary = test_binary(options.build_dir, lesson);
        TestRun run;
        const auto started = fs::file_time_type::clock::now();
        {
            const ProgressLine progress(lesson);
            run = run_test_binary_isolated(binary, IsolatedRunOptions{});
        }
        for (const auto& left : run.leftovers) std::cerr << "kubik-course: " << left << "\n";
        if (run.interrupted) {
            // The killed checks had no teardown: their state roots are ours to remove.
            for (const auto& left : clean_test_roots(options.build_dir, started)) {
                std::cerr << "kubik-course: " << left << "\n";
            }
            std::cout << formatted(_("interrupted during lesson %d"), lesson.number) << "\n";
            return 130;
        }
        if (run.passed()) {
            std::cout << pass_line(lesson, run) << "\n";
            record[lesson.id] = build_started;
            write_pass_record(options.build_dir, record);
            continue;
        }
        // A lesson that passed before and fails now was broken by a later
        // change, most often to a later lesson: its hints would tell the
        // student to write again what they wrote already.
        std::string regression_note;
        if (const auto regression = find_regression(
                lessons, i, failing_checks(lesson, run), record,
                [&](const Lesson& changed, fs::file_time_type since) {
                    return lesson_files_changed_since(global.code_dir, changed, since);
                })) {
            regression_note = regression_text(lessons, *regression);
        }
        std::cout << explain_failure(lesson, run, language, binary, regression_note);
        if (geteuid() != 0) std::cout << "\n  " << _("Note: the checks create namespaces and mounts, so they need "
                                                     "root: run them as root (e.g. `sudo kubik-course check`, or "
                                                     "from a root shell).") << "\n";
        if (i < last) {
            std::cout << "\n"
                      << formatted(_("Lessons after %d are not checked until lesson %d passes."), lesson.number,
                                   lesson.number)
                      << "\n";
        }
        return 1;
    }
    if (last + 1 == lessons.size()) {
        std::cout << "\n" << _("All lessons pass.") << "\n";
    } else if (last == 0) {
        std::cout << "\n" << _("Lesson 0 passes.") << "\n";
    } else {
        std::cout << "\n" << formatted(_("Lessons 0\u2013%d pass."), lessons[last].number) << "\n";
    }
    return 0;
}

} // namespace

Command add_check_command(CLI::App& parent, const GlobalOptions& global) {
    auto options = std::make_shared<CheckOptions>();
    options->build_dir = KUBIK_COURSE_BUILD_DIR;
    auto* app = parent.add_subcommand("check", _("Run the lessons' checks in order and explain the first failure"));
    app->add_option("lesson", options->lesson,
                    _("check lessons 0 up to this one (a number, folder name or topic: 1, 01-chroot, chroot)"));
    app->add_option("--build-dir", options->build_dir, _("the build folder to build and take the checks from"))
        ->capture_default_str();
    app->add_flag("!--no-build", options->build, _("check the build as it is, without `cmake --build` first"));
    return {app, [options, &global] { return run_check(*options, global); }};
}

} // namespace kubik::course
