// Where a student stands: each lesson done, in progress or not started, and
// what to do next (kubik-course status and watch).
#pragma once

#include "lesson.hpp"
#include "test_run.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kubik::course {

enum class LessonState { done, in_progress, not_started };

/// "done", "in progress", "not started"
const char* to_string(LessonState state);
/// to_string() in the student's language, for `status` (the cache keeps to_string()).
const char* shown(LessonState state);

/// A lesson's state after one run of its checks.
struct LessonProgress {
    LessonState state = LessonState::not_started;
    std::size_t passed = 0;
    std::size_t total = 0;
    double raw_points = 0;        ///< points of the passed checks, before stage gating
    std::string first_failure;    ///< the first failing check's name, or a short reason
};

/// done: every check passes. not started: no check passes and every failure
/// is a stub's "not implemented yet" (or the program couldn't say more). In
/// progress: anything else — the student's code runs but isn't right yet.
LessonProgress lesson_progress(const Lesson& lesson, const TestRun& run);

/// The points the grader would give: lessons count in order while each
/// earlier one is done.
double gated_points(const std::vector<LessonProgress>& progress);

/// The index of the lesson to work on next: the first that isn't done, or
/// nullopt when all are.
std::optional<std::size_t> next_lesson(const std::vector<LessonProgress>& progress);

/// What identifies a build of a lesson's checks: the sizes and modification
/// times of the test program, kubik and its monitor. A status cached under
/// the same key is still true.
std::string build_key(const std::filesystem::path& build_dir, const Lesson& lesson);

/// The newest modification time of a file under `folder` (recursively), or nullopt.
std::optional<std::filesystem::file_time_type> newest_file(const std::filesystem::path& folder);

nlohmann::json to_json(const LessonProgress& progress);
LessonProgress progress_from_json(const nlohmann::json& json);

/// "[██████░░░░]" — `done` of `total`, `width` cells.
std::string progress_bar(std::size_t done, std::size_t total, std::size_t width = 24);

} // namespace kubik::course
