// kubik-course status: every lesson — done, in progress or not started —
// and the next step, like rustlings' list. Results are cached per build, so a
// second `status` without a rebuild answers at once.

#include "command.hpp"
#include "grade_report.hpp"
#include "i18n.hpp"
#include "progress.hpp"
#include "subprocess.hpp"
#include "text_util.hpp"
#include "tree_ops.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace kubik::course {

namespace {

struct StatusOptions {
    fs::path build_dir;
    bool fresh = false;
    int timeout = 600;
    int jobs = 0;
};

fs::path cache_file(const fs::path& build_dir) { return build_dir / ".kubik-course-status.json"; }

json read_cache(const fs::path& build_dir) {
    try {
        auto cache = json::parse(read_file(cache_file(build_dir)));
        if (cache.is_object()) return cache;
    } catch (const std::exception&) {
        // No cache yet, or a broken one: start over.
    }
    return json::object();
}

void write_cache(const fs::path& build_dir, const json& cache) {
    try {
        write_file(cache_file(build_dir), cache.dump(2));
    } catch (const std::exception&) {
        // A read-only build folder only costs speed.
    }
}

// "build-student/kubik-course" when it is below the current folder.
fs::path shown_path(const fs::path& path) {
    std::error_code ec;
    const auto relative = fs::relative(path, fs::current_path(ec), ec);
    if (ec || relative.empty() || *relative.begin() == "..") return path;
    return relative;
}

std::string mark(LessonState state, bool next) {
    if (state == LessonState::done) return "\u2713";
    return next ? "\u25b6" : " ";
}

int run_status(const StatusOptions& options, const GlobalOptions& global) {
    const auto language = parse_language(global.language);
    const auto lessons = load_lessons(global.lessons_dir());
    if (geteuid() != 0) {
        throw std::runtime_error(_("status runs the lessons' checks, which create namespaces and mounts: run it as "
                                   "root (e.g. `sudo kubik-course status`, or from a root shell)"));
    }
    for (const auto& lesson : lessons) {
        if (!fs::exists(options.build_dir / "tests" / lesson.test_binary)) {
            throw std::runtime_error(formatted(_("the checks of lesson %d are not built; build them with "
                                                 "`cmake --build %s`"),
                                               lesson.number, options.build_dir.c_str()));
        }
    }

    auto cache = options.fresh ? json::object() : read_cache(options.build_dir);
    std::vector<LessonProgress> progress(lessons.size());
    std::vector<std::size_t> to_run;
    std::vector<std::string> keys(lessons.size());
    for (std::size_t i = 0; i < lessons.size(); ++i) {
        keys[i] = build_key(options.build_dir, lessons[i]);
        const auto entry = cache.find(lessons[i].id);
        if (entry != cache.end() && entry->is_object() && entry->value("key", "") == keys[i]) {
            try {
                progress[i] = progress_from_json(entry->at("progress"));
                continue;
            } catch (const std::exception&) {
                // fall through: run it again
            }
        }
        to_run.push_back(i);
    }

    // The lessons' checks are independent (each test has its own state root),
    // so they run side by side.
    install_interrupt_handler();
    if (!to_run.empty()) {
        const bool terminal = isatty(STDOUT_FILENO) == 1;
        if (terminal) {
            std::cout << formatted(ngettext("Running the checks of %zu lesson ...",
                                            "Running the checks of %zu lessons ...", to_run.size()),
                                   to_run.size())
                      << std::flush;
        }
        std::mutex mutex;
        std::size_t next = 0;
        std::exception_ptr failure;
        bool any_killed = false;
        const auto started = fs::file_time_type::clock::now();
        const auto worker = [&] {
            for (;;) {
                std::size_t index;
                {
                    const std::lock_guard lock(mutex);
                    if (next >= to_run.size() || failure) return;
                    index = to_run[next++];
                }
                try {
                    IsolatedRunOptions run_options;
                    run_options.timeout = std::chrono::seconds(options.timeout);
                    const auto run = run_test_binary_isolated(
                        options.build_dir / "tests" / lessons[index].test_binary, run_options);
                    const auto result = lesson_progress(lessons[index], run);
                    const std::lock_guard lock(mutex);
                    any_killed = any_killed || run.interrupted || run.timed_out;
                    for (const auto& left : run.leftovers) std::cerr << "kubik-course: " << left << "\n";
                    progress[index] = result;
                } catch (...) {
                    const std::lock_guard lock(mutex);
                    failure = std::current_exception();
                }
            }
        };
        const std::size_t threads =
            std::min<std::size_t>(to_run.size(), options.jobs > 0 ? static_cast<std::size_t>(options.jobs)
                                                                  : std::max(1u, std::thread::hardware_concurrency()));
        std::vector<std::thread> pool;
        for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
        for (auto& thread : pool) thread.join();
        // A killed program's checks had no teardown. Their state roots are
        // removed only now: while other lessons still ran, "changed since we
        // started" would have taken theirs too.
        if (any_killed) {
            for (const auto& left : clean_test_roots(options.build_dir, started)) {
                std::cerr << "kubik-course: " << left << "\n";
            }
        }
        if (terminal) std::cout << "\r\033[K" << std::flush;
        if (interrupt_requested()) {
            std::cout << _("interrupted") << "\n";
            return 130;
        }
        if (failure) std::rethrow_exception(failure);
        for (const auto index : to_run) {
            cache[lessons[index].id] = {{"key", keys[index]}, {"progress", to_json(progress[index])}};
        }
        write_cache(options.build_dir, cache);
    }

    const auto current = next_lesson(progress);
    std::size_t id_width = 0;
    std::size_t title_width = 0;
    for (const auto& lesson : lessons) {
        id_width = std::max(id_width, lesson.topic().size());
        title_width = std::max(title_width, std::min<std::size_t>(48, lesson.title.in(language).size()));
    }
    std::size_t done = 0;
    int max_points = 0;
    std::size_t state_width = 0;
    for (const auto state : {LessonState::done, LessonState::in_progress, LessonState::not_started}) {
        state_width = std::max(state_width, display_width(shown(state)));
    }
    std::cout << formatted(_("Kubik \u2014 your progress (%s)"), shown_path(options.build_dir).c_str()) << "\n\n";
    for (std::size_t i = 0; i < lessons.size(); ++i) {
        const auto& lesson = lessons[i];
        const auto& entry = progress[i];
        if (entry.state == LessonState::done) ++done;
        max_points += lesson.points;
        auto title = lesson.title.in(language);
        std::ostringstream checks;
        checks << entry.passed << "/" << entry.total;
        std::cout << "  " << mark(entry.state, current && *current == i) << " " << std::setw(2) << lesson.number << "  "
                  << std::left << std::setw(static_cast<int>(id_width)) << lesson.topic() << "  "
                  << pad(shown(entry.state), state_width) << "  " << std::setw(7) << checks.str() << std::right
                  << "  " << title << "\n";
    }
    std::cout << "\n  " << progress_bar(done, lessons.size()) << " "
              << formatted(ngettext("%zu of %zu lesson done, %s of %d points as the grader counts them",
                                    "%zu of %zu lessons done, %s of %d points as the grader counts them",
                                    lessons.size()),
                           done, lessons.size(), format_points(gated_points(progress)).c_str(), max_points)
              << "\n\n";

    // The build's own lesson folder: exercises/, or KUBIK_LESSONS_SOURCE.
    const auto newest_source = newest_file(global.code_dir);
    std::error_code ec;
    const auto built = fs::last_write_time(options.build_dir / "kubik", ec);
    if (!ec && newest_source && *newest_source > built) {
        std::cout << "  "
                  << formatted(_("Note: %s changed after the last build; these results are for the build. Rebuild "
                                 "with `cmake --build %s` (or use `kubik-course watch`)."),
                               global.shown_code_dir().c_str(), options.build_dir.c_str())
                  << "\n\n";
    }

    if (!current) {
        std::cout << _("All lessons are done. Well built!") << "\n";
        return 0;
    }
    const auto& lesson = lessons[*current];
    const auto& entry = progress[*current];
    std::cout << formatted(_("Next: lesson %d \u2014 %s"), lesson.number, lesson.title.in(language).c_str()) << "\n";
    if (entry.state == LessonState::not_started) {
        std::vector<std::string> files;
        for (const auto& function : lesson.functions) {
            if (std::find(files.begin(), files.end(), function.file) == files.end()) files.push_back(function.file);
        }
        std::string names;
        for (const auto& file : files) names += " " + file;
        const auto text = "lessons/" + lesson.id + (language == Language::ru ? "/README.ru.md" : "/README.md");
        const auto folder = global.shown_code_dir() + lesson.id + "/";
        std::cout << "  "
                  << formatted(_("Read %s, then write the TODOs in %s:%s"), text.c_str(), folder.c_str(),
                               names.c_str())
                  << "\n";
    } else if (!entry.first_failure.empty()) {
        std::cout << "  "
                  << formatted(ngettext("First failing check: %s (%zu of %zu check passes)",
                                        "First failing check: %s (%zu of %zu checks pass)", entry.passed),
                               entry.first_failure.c_str(), entry.passed, entry.total)
                  << "\n";
    }
    const auto command = "sudo " + shown_path(options.build_dir / "kubik-course").string();
    std::cout << "  "
              << formatted(_("Then: %s check %d   (or `watch`, which rechecks on every save)"), command.c_str(),
                           lesson.number)
              << "\n";
    return 0;
}

} // namespace

Command add_status_command(CLI::App& parent, const GlobalOptions& global) {
    auto options = std::make_shared<StatusOptions>();
    options->build_dir = KUBIK_COURSE_BUILD_DIR;
    auto* app =
        parent.add_subcommand("status", _("Show every lesson: done, in progress or not started, and what's next"));
    app->add_option("--build-dir", options->build_dir, _("the build folder with tests/test-NN-topic binaries"))
        ->capture_default_str();
    app->add_flag("--fresh", options->fresh, _("run every lesson's checks again, even if the build hasn't changed"));
    app->add_option("--timeout", options->timeout, _("time limit of each lesson's checks, in seconds"))
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    app->add_option("--jobs,-j", options->jobs, _("lessons checked at the same time (default: the number of CPUs)"))
        ->check(CLI::Range(1, 64));
    return {app, [options, &global] { return run_status(*options, global); }};
}

} // namespace kubik::course
