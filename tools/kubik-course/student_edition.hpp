// The student edition of the course: everything but the solutions, with the
// generated exercises in place, a README for students and a GitHub Actions
// workflow that grades every push.
#pragma once

#include "lesson.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::course {

struct ExportSummary {
    std::size_t files = 0;     ///< files written
    std::size_t exercises = 0; ///< of those, under exercises/
};

/// Writes the student edition of `course` to `target`. A `target` that exists
/// and isn't empty is refused unless `force`; then its contents are replaced,
/// except a `.git` folder, so an existing student repository can be updated.
/// Throws std::runtime_error on refusal or when `target` and `course` overlap.
ExportSummary export_student_edition(const std::filesystem::path& course, const std::filesystem::path& target,
                                     bool force);

/// The edition's README.md (English) and README.ru.md (Russian).
std::string student_readme(const std::vector<Lesson>& lessons, Language language, bool has_vagrantfile);

/// .github/workflows/grade.yml: grades the repository on every push.
std::string grade_workflow();

/// Paths (relative to `course`) that the student edition leaves out: what
/// no course copy takes (left_out_of_course_copies()), and the instructor's
/// scripts and CI.
bool excluded_from_student_edition(const std::filesystem::path& course, const std::filesystem::path& relative,
                                   bool is_directory);

} // namespace kubik::course
