// The grade in the formats instructors and course platforms read. The
// formats are described in tools/README.md ("kubik-course grade").
#pragma once

#include "grader.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::course {

enum class ReportFormat { text, json, junit, gradescope, csv, md };

/// "text", "json", "junit", "gradescope", "csv", "md"; throws std::invalid_argument otherwise.
ReportFormat parse_report_format(std::string_view name);
/// The file extension a per-student report gets: "txt", "json", "xml", "json", "csv", "md".
const char* report_extension(ReportFormat format);

/// The file a student's own report goes to in --out-dir: their name (no
/// folders, not hidden) and the format's extension.
std::string report_file_name(const std::string& student, ReportFormat format);

/// Renders the grades of one or more submissions. `gradescope` describes a
/// single submission (Gradescope grades one at a time) and throws
/// std::invalid_argument for more. `warnings` are the instructor's (course
/// problems, leftovers); text, md and json show them.
std::string render_report(ReportFormat format, const std::vector<SubmissionGrade>& grades,
                          const std::vector<std::string>& warnings = {});

/// Where the reports go (`grade` and `report` alike): with `out_dir`, one
/// file per student in it; to `out` (stdout when empty or "-") all of them,
/// unless only `out_dir` was given. Throws std::invalid_argument before
/// anything is written when Gradescope's one-submission file would have to
/// hold several.
void write_reports(ReportFormat format, const std::vector<SubmissionGrade>& grades,
                   const std::vector<std::string>& warnings, const std::filesystem::path& out,
                   const std::filesystem::path& out_dir);

/// Throws the std::invalid_argument of write_reports() early, before grading.
void check_report_destination(ReportFormat format, std::size_t submissions, const std::filesystem::path& out,
                              const std::filesystem::path& out_dir);

/// Reads back what render_report(ReportFormat::json, ...) wrote, so a saved
/// grading run can be rendered in other formats (`kubik-course report`).
/// Throws std::runtime_error when the text isn't such a report.
std::vector<SubmissionGrade> grades_from_json(const std::string& text, std::vector<std::string>* warnings = nullptr);

/// Points as reports show them: "10", "7.5", "1.43".
std::string format_points(double points);

/// Valid UTF-8 with every character XML 1.0 allows; anything else becomes U+FFFD.
std::string xml_safe_utf8(std::string_view text);

} // namespace kubik::course
