// Which files a student owns: exactly the files of exercises/ that the
// exercises generator makes from solutions/. Everything else in the course
// (src/, tests/, lessons/, tools/, CMake files) is the instructor's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::course {

/// One file of the pristine exercises/ tree.
struct ExerciseFile {
    std::filesystem::path relative; ///< relative to exercises/: "00-process/process.cpp"
    std::string content;
    std::filesystem::perms permissions = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
};

/// The pristine exercises of `course`, sorted by path. With a solutions/
/// folder they are generated from it (the generator's rules, so they are what
/// `gen-exercises` writes, whatever the committed exercises/ hold); without
/// one (the student edition) they are the regular files of exercises/.
/// Throws std::runtime_error when solutions/ has marker errors or neither
/// folder exists.
std::vector<ExerciseFile> pristine_exercises(const std::filesystem::path& course);

/// True when `course` has the reference solutions (the instructor's copy).
bool has_solutions(const std::filesystem::path& course);

/// What no copy of the course takes (the grader's work copy, the student
/// edition): solutions/ and exercises/ (written separately), git and editor
/// state, build folders (`build`, `build-*`, or any folder with a
/// CMakeCache.txt) and test roots. `relative` is relative to `course`.
bool left_out_of_course_copies(const std::filesystem::path& course, const std::filesystem::path& relative,
                               bool is_directory);

} // namespace kubik::course
