// kubik-course export-student DIR: writes the student edition of the course.

#include "command.hpp"
#include "student_edition.hpp"

#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

struct ExportOptions {
    fs::path target;
    bool force = false;
};

int run_export(const ExportOptions& options, const GlobalOptions& global) {
    const auto summary = export_student_edition(global.source_dir, options.target, options.force);
    std::cout << "Student edition written to " << options.target.string() << ": " << summary.files << " files, "
              << summary.exercises << " of them in exercises/; no solutions/.\n"
              << "It has its own README.md / README.ru.md and .github/workflows/grade.yml, which grades every "
                 "push.\nNext: cd "
              << options.target.string() << " && git init && git add -A && git commit -m 'Kubik student edition'\n";
    return 0;
}

} // namespace

Command add_export_student_command(CLI::App& parent, const GlobalOptions& global) {
    auto options = std::make_shared<ExportOptions>();
    auto* app = parent.add_subcommand(
        "export-student", "Write the student edition of the course (no solutions/) with a README and a grading workflow");
    app->add_option("dir", options->target, "where to write it: a new or empty folder outside the course")->required();
    app->add_flag("--force", options->force, "replace the contents of a non-empty DIR (its .git folder is kept)");
    return {app, [options, &global] { return run_export(*options, global); }};
}

} // namespace kubik::course
