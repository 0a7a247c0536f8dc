// kubik-course check [LESSON]: builds the student's runtime, runs the
// lessons' checks in order and explains the first failure, the way a student
// works through the course.

#include "command.hpp"
#include "explain.hpp"
#include "grader.hpp"
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
        if (shown_) std::cout << "  lesson " << lesson.number << " \u2014 " << lesson.topic() << " ..." << std::flush;
    }
    ~ProgressLine() {
        if (shown_) std::cout << "\r\033[K" << std::flush;
    }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

private:
    bool shown_;
};

int run_check(const CheckOptions& options, const GlobalOptions& global) {
    const auto language = parse_language(global.language);
    const auto lessons = load_lessons(global.lessons_dir());
    const std::size_t last = options.lesson.empty() ? lessons.size() - 1 : find_lesson(lessons, options.lesson);

    // The build and every lesson's program run in process groups of their
    // own, which Ctrl-C on the terminal doesn't reach: we stop them ourselves
    // and clean up after them.
    install_interrupt_handler();
    if (options.build) {
        const bool terminal = isatty(STDOUT_FILENO) == 1;
        if (terminal) std::cout << "building ..." << std::flush;
        const auto built = build_student_runtime(options.build_dir);
        if (terminal) std::cout << "\r\033[K" << std::flush;
        if (built.interrupted) return 130;
        if (!built.succeeded()) {
            std::cout << "\u2717 the build fails, so no lesson can be checked; the compiler says:\n\n"
                      << compiler_errors(built.output, 40) << "\nFix it and run `kubik-course check` again.\n";
            return 1;
        }
    }

    // Every binary is looked for up front: finding out after minutes of
    // passing lessons that the last one was never built helps nobody.
    for (std::size_t i = 0; i <= last; ++i) {
        const auto binary = test_binary(options.build_dir, lessons[i]);
        if (!fs::exists(binary)) {
            throw std::runtime_error("the checks of lesson " + std::to_string(lessons[i].number) + " (" +
                                     binary.string() + ") are not built; build them with `cmake --build " +
                                     options.build_dir.string() + "`");
        }
    }

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
            std::cout << "interrupted during lesson " << lesson.number << "\n";
            return 130;
        }
        if (run.passed()) {
            std::cout << pass_line(lesson, run) << "\n";
            continue;
        }
        std::cout << explain_failure(lesson, run, language, binary);
        if (geteuid() != 0) {
            std::cout << "\n  Note: the checks create namespaces and mounts, so they need root: "
                         "run `sudo kubik-course check`.\n";
        }
        if (i < last) {
            std::cout << "\nLessons after " << lesson.number << " are not checked until lesson " << lesson.number
                      << " passes.\n";
        }
        return 1;
    }
    if (last + 1 == lessons.size()) {
        std::cout << "\nAll lessons pass.\n";
    } else if (last == 0) {
        std::cout << "\nLesson 0 passes.\n";
    } else {
        std::cout << "\nLessons 0\u2013" << lessons[last].number << " pass.\n";
    }
    return 0;
}

} // namespace

Command add_check_command(CLI::App& parent, const GlobalOptions& global) {
    auto options = std::make_shared<CheckOptions>();
    options->build_dir = KUBIK_COURSE_BUILD_DIR;
    auto* app = parent.add_subcommand("check", "Run the lessons' checks in order and explain the first failure");
    app->add_option("lesson", options->lesson,
                    "check lessons 0 up to this one (a number, folder name or topic: 1, 01-chroot, chroot)");
    app->add_option("--build-dir", options->build_dir, "the build folder to build and take the checks from")
        ->capture_default_str();
    app->add_flag("!--no-build", options->build, "check the build as it is, without `cmake --build` first");
    return {app, [options, &global] { return run_check(*options, global); }};
}

} // namespace kubik::course
