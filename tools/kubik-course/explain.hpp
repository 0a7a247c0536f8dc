// Turns a lesson's test run into words for the student.
#pragma once

#include "lesson.hpp"
#include "test_run.hpp"

#include <filesystem>
#include <string>

namespace kubik::course {

/// "✓ lesson 0 — process (12 checks)"
std::string pass_line(const Lesson& lesson, const TestRun& run);

/// Which lesson fails, the first failing check and gtest's message for it
/// (expected vs actual), the other failing checks, the lesson's hints and
/// where to read more. `binary` is shown as the command for the full output.
/// A non-empty `instead_of_hints` (a regression's explanation) takes the
/// hints' place.
std::string explain_failure(const Lesson& lesson, const TestRun& run, Language language,
                            const std::filesystem::path& binary, const std::string& instead_of_hints = {});

/// The last `count` lines of `text`, each indented by `indent`.
std::string last_lines(const std::string& text, std::size_t count, const std::string& indent);

} // namespace kubik::course
