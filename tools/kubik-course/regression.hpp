// A lesson that passed `kubik-course check` before and fails now: most often
// the student's work on a later lesson broke it, and saying so helps more
// than the lesson's hints, which were written for someone new to it.
#pragma once

#include "lesson.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubik::course {

/// When each lesson last passed `check`: lesson id → the time the build it
/// passed with started. Kept in BUILD/.kubik-course-passed.json.
using PassRecord = std::map<std::string, std::filesystem::file_time_type>;

/// The record of `build_dir`; empty when there is none or it is broken.
PassRecord read_pass_record(const std::filesystem::path& build_dir);
/// Best effort: a read-only build folder only loses the record.
void write_pass_record(const std::filesystem::path& build_dir, const PassRecord& record);

struct Regression {
    std::size_t lesson = 0;                    ///< index of the lesson that passed before and fails now
    std::vector<std::string> failing_checks;   ///< its failing checks (or a short reason)
    std::vector<std::size_t> changed_lessons;  ///< later lessons with files changed since it passed
    std::vector<std::filesystem::path> changed_files; ///< those files, relative to the code folder
    bool own_files_changed = false;            ///< the lesson's own files changed too
};

/// Lists the files of `lesson` (relative to the code folder) changed after a time.
using ChangedFiles =
    std::function<std::vector<std::filesystem::path>(const Lesson& lesson, std::filesystem::file_time_type since)>;

/// Whether the failure of lessons[failed] is a regression: the lesson is in
/// `record` (it passed before). Which lessons' files changed since then
/// comes from `changed`, asked about the lesson and every later one.
std::optional<Regression> find_regression(const std::vector<Lesson>& lessons, std::size_t failed,
                                          const std::vector<std::string>& failing_checks, const PassRecord& record,
                                          const ChangedFiles& changed);

/// The files of `lesson` under `code_dir` (code_dir/ID/...) changed after
/// `since`, relative to `code_dir`.
std::vector<std::filesystem::path> lesson_files_changed_since(const std::filesystem::path& code_dir,
                                                              const Lesson& lesson,
                                                              std::filesystem::file_time_type since);

/// In words, for `check`: "lesson 0 passed before; the change to lesson 1
/// broke Process.TtyGivesTheCommandATerminal", and the files that changed.
std::string regression_text(const std::vector<Lesson>& lessons, const Regression& regression);

} // namespace kubik::course
