// kubik-course export-student DIR: writes the student edition of the course.

#include "command.hpp"
#include "i18n.hpp"
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
    std::cout << formatted(ngettext("Student edition written to %s: %zu file, %zu of them in exercises/; no "
                                    "solutions/.",
                                    "Student edition written to %s: %zu files, %zu of them in exercises/; no "
                                    "solutions/.",
                                    summary.files),
                           options.target.c_str(), static_cast<std::size_t>(summary.files),
                           static_cast<std::size_t>(summary.exercises))
              << "\n"
              << _("It has its own README.md / README.ru.md and .github/workflows/grade.yml, which grades every push.")
              << "\n"
              << formatted(_("Next: cd %s && git init && git add -A && git commit -m 'Kubik student edition'"),
                           options.target.c_str())
              << "\n";
    return 0;
}

} // namespace

Command add_export_student_command(CLI::App& parent, const GlobalOptions& global) {
    auto options = std::make_shared<ExportOptions>();
    auto* app = parent.add_subcommand(
        "export-student",
        _("Write the student edition of the course (no solutions/) with a README and a grading workflow"));
    app->add_option("dir", options->target, _("where to write it: a new or empty folder outside the course"))
        ->required();
    app->add_flag("--force", options->force, _("replace the contents of a non-empty DIR (its .git folder is kept)"));
    return {app, [options, &global] { return run_export(*options, global); }};
}

} // namespace kubik::course
