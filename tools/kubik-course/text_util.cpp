#include "text_util.hpp"

#include <sstream>

namespace kubik::course {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string indented(const std::string& text, const std::string& indent, std::size_t max_lines) {
    const auto lines = split_lines(text);
    std::string out;
    for (std::size_t i = 0; i < lines.size() && i < max_lines; ++i) out += indent + lines[i] + "\n";
    if (lines.size() > max_lines) out += indent + "... (" + std::to_string(lines.size() - max_lines) + " more lines)\n";
    return out;
}

std::size_t display_width(const std::string& text) {
    std::size_t width = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width; // a byte that starts a code point
    }
    return width;
}

std::string pad(const std::string& text, std::size_t width) {
    const auto shown = display_width(text);
    return text + std::string(width > shown ? width - shown : 0, ' ');
}

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

} // namespace kubik::course
