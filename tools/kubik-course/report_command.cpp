// kubik-course report FILE: renders a saved `grade --format json` report in
// another format, so one grading run can feed a CSV, JUnit XML, Gradescope
// files and per-student Markdown.

#include "command.hpp"
#include "i18n.hpp"
#include "grade_report.hpp"
#include "tree_ops.hpp"

#include <iostream>
#include <stdexcept>
#include <memory>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

struct ReportOptions {
    fs::path input;
    std::string format = "text";
    fs::path out;
    fs::path out_dir;
};

int run_report(const ReportOptions& options) {
    const auto format = parse_report_format(options.format);
    std::vector<std::string> warnings;
    const auto grades = grades_from_json(read_file(options.input), &warnings);
    write_reports(format, grades, warnings, options.out, options.out_dir);
    return 0;
}

} // namespace

Command add_report_command(CLI::App& parent, const GlobalOptions&) {
    auto options = std::make_shared<ReportOptions>();
    auto* app = parent.add_subcommand("report", _("Render a saved `grade --format json` report in another format"));
    app->add_option("json", options->input, _("the report written by `kubik-course grade --format json`"))
        ->required()
        ->check(CLI::ExistingFile);
    app->add_option("--format", options->format, _("text, json, junit, gradescope, csv or md"))
        ->check(CLI::IsMember({"text", "json", "junit", "gradescope", "csv", "md", "markdown"}))
        ->capture_default_str();
    app->add_option("--out", options->out, _("write the report here instead of to stdout"));
    app->add_option("--out-dir", options->out_dir, _("write one report per student: DIR/STUDENT.EXT"));
    return {app, [options] { return run_report(*options); }};
}

} // namespace kubik::course
