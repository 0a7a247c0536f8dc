// How docker cuts an instruction's arguments into words, before any
// expansion: the helpers of the parser (src/build/dockerfile_parser.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kubik::dockerfile {

/// Words split at blanks outside quotes, with the quotes and escapes KEPT
/// (expand_word removes them later): BuildKit's parseWords, used for ENV,
/// LABEL, ARG, COPY and ADD. `a="x y" b` is two words, `a="x y"` and `b`.
std::vector<std::string> quoted_words(std::string_view text, char escape);

/// Words split at blanks, nothing else (EXPOSE, FROM, VOLUME's plain form).
std::vector<std::string> blank_words(std::string_view text);

/// True for ' ', '\\t', '\\r', '\\n', '\\v', '\\f'.
bool is_blank(char c);
/// `text` without blanks at either end.
std::string_view trim_blanks(std::string_view text);
/// `text` in upper case (ASCII).
std::string upper(std::string_view text);
/// `text` in lower case (ASCII).
std::string lower(std::string_view text);

} // namespace kubik::dockerfile
