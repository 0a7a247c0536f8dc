// kubik-course watch: rebuilds the student's runtime and checks the current
// lesson whenever a file under exercises/ changes, like rustlings' watch.

#include "command.hpp"
#include "explain.hpp"
#include "grader.hpp"
#include "i18n.hpp"
#include "progress.hpp"
#include "student_build.hpp"
#include "subprocess.hpp"
#include "tree_ops.hpp"
#include "watch_logic.hpp"

#include <iostream>
#include <memory>
#include <poll.h>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace kubik::course {

namespace {

struct WatchOptions {
    fs::path build_dir;
    int timeout = 600;
    int quiet_ms = 300;
    bool clear = true;
};

constexpr int kInterrupted = 130;

class Watch {
public:
    Watch(const WatchOptions& options, const GlobalOptions& global)
        : options_(options),
          language_(parse_language(global.language)),
          lessons_(load_lessons(global.lessons_dir())),
          code_dir_(global.code_dir),
          shown_code_dir_(global.shown_code_dir()),
          progress_(lessons_.size()),
          terminal_(isatty(STDOUT_FILENO) == 1) {}

    int run() {
        install_interrupt_handler();
        TreeWatcher watcher(code_dir_);
        Debouncer debouncer(std::chrono::milliseconds(options_.quiet_ms), std::chrono::seconds(3));
        if (cycle({}) == kInterrupted) return stop();
        for (;;) {
            const auto wait = debouncer.wait_time(Clock::now());
            pollfd fds[2] = {{watcher.fd(), POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
            poll(fds, 2, wait ? static_cast<int>(wait->count()) : -1);
            if (interrupt_requested()) return stop();
            const auto now = Clock::now();
            for (const auto& path : watcher.read_changes()) debouncer.record(now, path);
            if (debouncer.ready(Clock::now())) {
                if (cycle(debouncer.take()) == kInterrupted) return stop();
                // What changed while we were busy counts as one more change.
                const auto later = Clock::now();
                for (const auto& path : watcher.read_changes()) debouncer.record(later, path);
            }
        }
    }

private:
    int stop() {
        std::cout << "\n" << _("Stopped watching.") << "\n";
        return kInterrupted;
    }

    void header(const std::vector<fs::path>& changed) {
        if (terminal_ && options_.clear) std::cout << "\033[2J\033[H";
        std::cout << formatted(_("kubik-course watch \u2014 rebuilds and checks on every save in %s (Ctrl-C to stop)"),
                               code_dir_.c_str())
                  << "\n";
        if (!changed.empty()) {
            std::cout << _("changed:");
            for (std::size_t i = 0; i < changed.size() && i < 5; ++i) {
                std::cout << " " << shown_code_dir_ << changed[i].string();
            }
            if (changed.size() > 5) {
                const auto more = changed.size() - 5;
                std::cout << formatted(ngettext(" and %zu more", " and %zu more", more), more);
            }
            std::cout << "\n";
        }
        std::cout << "\n";
    }

    // Builds, then checks the lesson being worked on first (the fastest
    // answer to "did my change work?"), then earlier lessons as regressions,
    // then moves on while lessons pass.
    int cycle(const std::vector<fs::path>& changed) {
        header(changed);
        std::cout << _("building ...") << std::flush;
        // A file saved while the compiler ran gets built again now: its
        // inotify event may have come before the build ended, and the next
        // build would skip it (its object is newer).
        const auto built = build_until_settled(
            [&] { return build_student_runtime(options_.build_dir); }, code_dir_,
            [&](const std::vector<fs::path>& saved) {
                std::cout << "\r\033[K"
                          << formatted(ngettext("%zu file was saved during the build; building again ...",
                                                "%zu files were saved during the build; building again ...",
                                                saved.size()),
                                       saved.size())
                          << "\n"
                          << _("building ...") << std::flush;
            });
        std::cout << "\r\033[K";
        if (built.interrupted) return kInterrupted;
        if (!built.succeeded()) {
            std::cout << "\u2717 " << _("the build fails; the compiler says:") << "\n\n"
                      << compiler_errors(built.output, 40) << "\n"
                      << _("Fix it and save; watching for changes ...") << "\n"
                      << std::flush;
            return 0;
        }
        std::cout << "\u2713 " << _("built") << "\n" << std::flush;

        std::vector<std::size_t> order{current_};
        for (std::size_t i = 0; i < lessons_.size(); ++i) {
            if (i != current_) order.push_back(i);
        }
        for (const auto index : order) {
            const auto& lesson = lessons_[index];
            if (terminal_) {
                std::cout << "  " << formatted(_("lesson %d \u2014 %s ..."), lesson.number, lesson.topic().c_str())
                          << std::flush;
            }
            IsolatedRunOptions run_options;
            run_options.timeout = std::chrono::seconds(options_.timeout);
            const auto binary = options_.build_dir / "tests" / lesson.test_binary;
            const auto started = fs::file_time_type::clock::now();
            const auto run = run_test_binary_isolated(binary, run_options);
            if (terminal_) std::cout << "\r\033[K";
            for (const auto& left : run.leftovers) std::cerr << "kubik-course: " << left << "\n";
            if (run.interrupted || run.timed_out) {
                // The killed checks had no teardown: their state roots are ours to remove.
                for (const auto& left : clean_test_roots(options_.build_dir, started)) {
                    std::cerr << "kubik-course: " << left << "\n";
                }
            }
            if (run.interrupted) return kInterrupted;
            progress_[index] = lesson_progress(lesson, run);
            if (run.passed()) {
                std::cout << pass_line(lesson, run) << "\n" << std::flush;
                continue;
            }
            current_ = index;
            if (run.timed_out) {
                std::cout << "\u2717 "
                          << formatted(_("lesson %d \u2014 %s: its checks ran longer than %d s and were stopped"),
                                       lesson.number, lesson.topic().c_str(), options_.timeout);
                if (const auto check = running_check(run.output); !check.empty()) {
                    std::cout << formatted(_(" during %s"), check.c_str());
                }
                std::cout << "\n";
            } else {
                std::cout << explain_failure(lesson, run, language_, binary);
            }
            footer();
            return 0;
        }
        current_ = lessons_.size() - 1;
        footer();
        std::cout << "\n" << _("All lessons pass. Well built!") << "\n" << std::flush;
        return 0;
    }

    void footer() {
        std::size_t done = 0;
        for (const auto& entry : progress_) done += entry.state == LessonState::done ? 1 : 0;
        std::cout << "\n"
                  << progress_bar(done, lessons_.size()) << " "
                  << formatted(ngettext("%zu of %zu lesson pass   watching for changes ...",
                                        "%zu of %zu lessons pass   watching for changes ...", lessons_.size()),
                               done, lessons_.size())
                  << "\n"
                  << std::flush;
    }

    const WatchOptions& options_;
    Language language_;
    std::vector<Lesson> lessons_;
    fs::path code_dir_;
    std::string shown_code_dir_;
    std::vector<LessonProgress> progress_;
    std::size_t current_ = 0;
    bool terminal_;
};

} // namespace

Command add_watch_command(CLI::App& parent, const GlobalOptions& global) {
    auto options = std::make_shared<WatchOptions>();
    options->build_dir = KUBIK_COURSE_BUILD_DIR;
    auto* app = parent.add_subcommand(
        "watch", _("Rebuild and check the current lesson whenever a file of your lessons changes (Ctrl-C to stop)"));
    app->add_option("--build-dir", options->build_dir, _("the build folder to rebuild and take the checks from"))
        ->capture_default_str();
    app->add_option("--timeout", options->timeout, _("time limit of each lesson's checks, in seconds"))
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    app->add_option("--quiet-ms", options->quiet_ms, _("wait this long after the last change before rebuilding"))
        ->check(CLI::Range(0, 60000))
        ->capture_default_str();
    app->add_flag("!--no-clear", options->clear, _("don't clear the screen before each round"));
    return {app, [options, &global] {
                if (geteuid() != 0) {
                    throw std::runtime_error(_("watch runs the lessons' checks, which create namespaces and mounts: "
                                               "run it as root (e.g. `sudo kubik-course watch`, or from a root "
                                               "shell)"));
                }
                Watch watch(*options, global);
                return watch.run();
            }};
}

} // namespace kubik::course
