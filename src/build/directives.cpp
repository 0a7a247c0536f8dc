// Parser directives, as BuildKit reads them (frontend/dockerfile/parser,
// "Parser directives" in the Dockerfile reference):
//
//   # syntax=docker/dockerfile:1
//   # escape=`
//
// They are only directives at the very top of the file: the first line that
// is not one — an empty line, a plain comment, an unknown directive, an
// instruction — ends them, and after it `# escape=` is an ordinary comment.
// Names are case-insensitive; blanks around the name, '=' and the value are
// allowed, but none inside the name (`# es cape=x` is a comment).
#include "build/directives.hpp"

#include "core/error.hpp"

#include <cctype>
#include <set>

namespace kubik::dockerfile {

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// "# name = value" → {name (lower case), value}; false when the line is
// not of that shape.
bool directive_of(std::string_view line, std::string& name, std::string& value) {
    line = trim(line);
    if (line.empty() || line.front() != '#') return false;
    line.remove_prefix(1);
    line = trim(line);
    std::size_t i = 0;
    if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i]))) return false;
    while (i < line.size() && std::isalnum(static_cast<unsigned char>(line[i]))) ++i;
    name.clear();
    for (char c : line.substr(0, i)) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view rest = trim(line.substr(i));
    if (rest.empty() || rest.front() != '=') return false;
    value = std::string(trim(rest.substr(1)));
    return !value.empty();
}

} // namespace

Directives parse_directives(std::string_view text, const std::string& file) {
    Directives directives;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::set<std::string> seen;
    int number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto end = text.find('\n', pos);
        const std::string_view line =
            text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        ++number;
        std::string name, value;
        if (!directive_of(line, name, value)) break;
        if (name != "escape" && name != "syntax" && name != "check") break; // unknown: a comment, and the end
        const std::string where = file + ":" + std::to_string(number) + ": ";
        if (!seen.insert(name).second)
            throw Error(where + "only one " + name + " parser directive can be used", kExitGeneric);
        if (name == "escape") {
            if (value != "\\" && value != "`")
                throw Error(where + "invalid escape token '" + value + "' does not match ` or \\", kExitGeneric);
            directives.escape = value[0];
        } else if (name == "syntax") {
            directives.syntax = value;
        } else {
            directives.check = value;
        }
    }
    return directives;
}

} // namespace kubik::dockerfile
