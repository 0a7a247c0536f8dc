// Small text helpers shared by the course tool's messages and reports.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kubik::course {

/// The lines of `text`, without their newlines.
std::vector<std::string> split_lines(const std::string& text);

/// The first `max_lines` lines of `text`, each after `indent`, and a
/// "... (N more lines)" line when some were left out.
std::string indented(const std::string& text, const std::string& indent, std::size_t max_lines);

/// How many columns `text` takes on a terminal: UTF-8 code points, not bytes.
std::size_t display_width(const std::string& text);

/// `text` padded with blanks to `width` columns (display_width).
std::string pad(const std::string& text, std::size_t width);

/// "1 check", "3 checks".
std::string plural(std::size_t n, const char* word);

} // namespace kubik::course
