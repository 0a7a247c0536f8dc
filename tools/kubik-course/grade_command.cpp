// kubik-course grade SUBMISSION...: grades submissions against the
// instructor's course, with stage gating, in the format a platform reads.

#include "command.hpp"
#include "i18n.hpp"
#include "grade_report.hpp"
#include "grader.hpp"
#include "subprocess.hpp"
#include "tree_ops.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

struct GradeCommandOptions {
    std::vector<fs::path> submissions;
    std::string format = "text";
    fs::path out;
    fs::path out_dir;
    fs::path course;
    int timeout = 300;
    int build_timeout = 1800;
    int jobs = 0;
    std::string rev;
    std::string build_type = "Release";
    std::size_t max_file_size = 1 << 20;
    fs::path work_dir;
    bool keep_work = false;
    bool quiet = false;
};

int run_grade(const GradeCommandOptions& options, const GlobalOptions& global) {
    const auto format = parse_report_format(options.format);
    if (geteuid() != 0) {
        throw std::runtime_error(_("grading runs the lessons' checks, which create namespaces and mounts: run it as "
                                   "root (e.g. `sudo kubik-course grade ...`, or from a root shell)"));
    }
    const auto specs = find_submissions(options.submissions, options.rev);
    check_report_destination(format, specs.size(), options.out, options.out_dir);
    if (!options.quiet) {
        std::cerr << formatted(ngettext("kubik-course grade: %zu submission:", "kubik-course grade: %zu submissions:",
                                        specs.size()),
                               specs.size());
        for (const auto& spec : specs) std::cerr << " " << spec.student;
        std::cerr << "\n";
    }

    GradeOptions grading;
    grading.course = options.course.empty() ? global.source_dir : options.course;
    grading.work_dir = options.work_dir;
    grading.keep_work = options.keep_work;
    grading.timeout = std::chrono::seconds(options.timeout);
    grading.build_timeout = std::chrono::seconds(options.build_timeout);
    grading.jobs = options.jobs;
    grading.build_type = options.build_type;
    grading.limits.max_file_size = options.max_file_size;
    grading.language = parse_language(global.language);
    if (!options.quiet) grading.progress = [](const std::string& line) { std::cerr << "  " << line << "\n"; };

    install_interrupt_handler();
    auto summary = grade_submissions(specs, grading);
    if (summary.interrupted) {
        std::cerr << _("kubik-course grade: interrupted; nothing was written") << "\n";
        return 130;
    }
    // The same course warning comes once per submission; say it once.
    std::vector<std::string> warnings;
    for (const auto& warning : summary.warnings) {
        if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) warnings.push_back(warning);
    }

    write_reports(format, summary.submissions, warnings, options.out, options.out_dir);
    if (!options.out_dir.empty() && !options.quiet) {
        std::cerr << formatted(_("kubik-course grade: reports written to %s"), options.out_dir.c_str()) << "\n";
    }
    if (!options.quiet) {
        for (const auto& grade : summary.submissions) {
            std::cerr << "kubik-course grade: " << grade.student << ": " << format_points(grade.points) << " / "
                      << grade.max_points << "\n";
        }
    }
    return 0;
}

} // namespace

Command add_grade_command(CLI::App& parent, const GlobalOptions& global) {
    auto options = std::make_shared<GradeCommandOptions>();
    auto* app = parent.add_subcommand(
        "grade", _("Grade submissions (folders or git repositories) against this course, with stage gating"));
    app->add_option("submission", options->submissions,
                    _("a submission (a folder holding exercises/, or a git repository), or a folder of them (one "
                      "per subfolder)"))
        ->required();
    app->add_option("--format", options->format, _("text, json, junit, gradescope, csv or md"))
        ->check(CLI::IsMember({"text", "json", "junit", "gradescope", "csv", "md", "markdown"}))
        ->capture_default_str();
    app->add_option("--out", options->out, _("write the report here instead of to stdout"));
    app->add_option("--out-dir", options->out_dir, _("also write one report per student: DIR/STUDENT.EXT"));
    app->add_option("--course", options->course,
                    _("the instructor's course to grade against (default: the tree this tool was built from)"));
    app->add_option("--timeout", options->timeout, _("time limit of each lesson's checks, in seconds"))
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    app->add_option("--build-timeout", options->build_timeout, _("time limit of a submission's build, in seconds"))
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    app->add_option("--jobs,-j", options->jobs, _("parallel compile jobs (default: the number of CPUs)"))
        ->check(CLI::Range(1, 256));
    app->add_option("--rev", options->rev, _("grade this commit of git repositories instead of their files"));
    app->add_option("--build-type", options->build_type,
                    _("CMAKE_BUILD_TYPE of the graded builds (None: no optimisation, fastest to compile)"))
        ->capture_default_str();
    app->add_option("--max-file-size", options->max_file_size, _("largest student file accepted, in bytes"))
        ->capture_default_str();
    app->add_option("--work-dir", options->work_dir, _("an empty folder to build in (default: a temporary one)"));
    app->add_flag("--keep-work", options->keep_work, _("keep the work folder (for debugging the grader)"));
    app->add_flag("--quiet,-q", options->quiet, _("no progress on stderr"));
    return {app, [options, &global] { return run_grade(*options, global); }};
}

} // namespace kubik::course
