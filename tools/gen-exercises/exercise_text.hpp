// The solutions → exercises rule for one file, as a pure function.
//
// Kept free of I/O so the whole marker grammar is unit-tested on strings; the
// tree walk (exercise_tree.hpp) only reads, compares and writes files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::tools {

/// The lesson a file belongs to, taken from its folder name: `01-chroot` is
/// lesson 1, topic `chroot`.
struct LessonFolder {
    int number = 0;
    std::string topic;
    std::string name; ///< the folder name itself, e.g. "01-chroot"
};

/// Parses `NN-topic` (digits, a dash, then letters, digits, `-` or `_`).
/// Returns nothing for any other name, so callers can tell lesson folders from
/// the rest of the tree.
std::optional<LessonFolder> parse_lesson_folder(std::string_view name);

/// A problem with the markers of a file; `line` is 1-based.
struct MarkerError {
    int line = 0;
    std::string message;
};

/// The exercise text made from one solution file, or the reasons it can't be.
/// When `errors` is not empty, `text` must not be used.
struct ExerciseText {
    std::string text;
    std::vector<MarkerError> errors;
};

/// The stub statement a named region becomes (without indentation or newline).
std::string not_implemented_statement(const LessonFolder& lesson, std::string_view function);

/// Applies the marker rules of docs/architecture.md ("Marked regions") to the
/// text of one solution file. `lesson` is needed only by named regions; without
/// it they are an error. Text outside regions is copied byte for byte.
ExerciseText make_exercise_text(std::string_view solution, const std::optional<LessonFolder>& lesson);

} // namespace kubik::tools
