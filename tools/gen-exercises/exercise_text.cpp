#include "exercise_text.hpp"

#include <algorithm>
#include <cctype>

namespace kubik::tools {

namespace {

constexpr std::string_view kBegin = "BEGIN SOLUTION";
constexpr std::string_view kEnd = "END SOLUTION";

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

std::string_view indentation_of(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
    return line.substr(0, n);
}

bool is_identifier_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool is_identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// A function name as the stub message shows it: `enter_rootfs` or
// `Parser::next`. Anything else after a marker is most likely a typo.
bool is_function_name(std::string_view s) {
    bool expect_start = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (expect_start) {
            if (!is_identifier_start(s[i])) return false;
            expect_start = false;
        } else if (s.substr(i).starts_with("::")) {
            ++i;
            expect_start = true;
        } else if (!is_identifier_char(s[i])) {
            return false;
        }
    }
    return !expect_start;
}

struct Line {
    std::string_view text; ///< without the '\n'
    bool has_newline = false;
};

std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos) {
            lines.push_back({text, false});
            break;
        }
        lines.push_back({text.substr(0, nl), true});
        text.remove_prefix(nl + 1);
    }
    return lines;
}

enum class MarkerKind { none, begin, end };

struct Marker {
    MarkerKind kind = MarkerKind::none;
    std::string name;
    std::string error; ///< set when the line is meant as a marker but is malformed
};

// Only a line that *starts* with a `//` comment can be a marker, so string
// literals and prose that mention "BEGIN SOLUTION" stay ordinary text.
Marker parse_marker(std::string_view line) {
    auto rest = trim(line);
    if (!rest.starts_with("//")) return {};
    rest = trim(rest.substr(2));

    Marker marker;
    std::string_view keyword;
    if (rest.starts_with(kBegin)) {
        marker.kind = MarkerKind::begin;
        keyword = kBegin;
    } else if (rest.starts_with(kEnd)) {
        marker.kind = MarkerKind::end;
        keyword = kEnd;
    } else {
        return {};
    }
    rest.remove_prefix(keyword.size());
    if (!rest.empty() && !is_blank(rest.front())) {
        marker.error = "malformed marker: expected `// " + std::string(keyword) + " [NAME]`";
        return marker;
    }
    rest = trim(rest);
    if (!rest.empty() && !is_function_name(rest)) {
        marker.error = "malformed marker: expected a function name after " + std::string(keyword) +
                       ", got '" + std::string(rest) + "'";
        return marker;
    }
    marker.name = std::string(rest);
    return marker;
}

bool starts_todo_block(std::string_view line) {
    auto rest = trim(line);
    if (!rest.starts_with("//")) return false;
    return trim(rest.substr(2)).starts_with("TODO");
}

bool is_line_comment(std::string_view line) {
    return trim(line).starts_with("//");
}

void append_line(std::string& out, const Line& line) {
    out += line.text;
    if (line.has_newline) out += '\n';
}

} // namespace

std::optional<LessonFolder> parse_lesson_folder(std::string_view name) {
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits])) != 0) ++digits;
    // Two or three digits keep "2024-notes" or "1-x" from passing as lessons.
    if (digits == 0 || digits > 3 || digits + 1 >= name.size() || name[digits] != '-') return std::nullopt;
    const auto topic = name.substr(digits + 1);
    for (const char c : topic) {
        if (!is_identifier_char(c) && c != '-') return std::nullopt;
    }
    LessonFolder lesson;
    lesson.number = std::stoi(std::string(name.substr(0, digits)));
    lesson.topic = std::string(topic);
    lesson.name = std::string(name);
    return lesson;
}

std::string not_implemented_statement(const LessonFolder& lesson, std::string_view function) {
    return "throw kubik::NotImplemented(\"not implemented yet: lesson " + std::to_string(lesson.number) + " (" +
           lesson.topic + ") \u2014 " + std::string(function) + "(); see lessons/" + lesson.name +
           "/README.md (по-русски: README.ru.md)\");";
}

ExerciseText make_exercise_text(std::string_view solution, const std::optional<LessonFolder>& lesson) {
    ExerciseText result;
    const auto lines = split_lines(solution);
    auto error_at = [&](std::size_t index, std::string message) {
        result.errors.push_back({static_cast<int>(index + 1), std::move(message)});
    };

    std::size_t i = 0;
    while (i < lines.size()) {
        // A malformed marker is reported but still taken for the marker it
        // resembles, so its partner doesn't cause a second, misleading error.
        const auto marker = parse_marker(lines[i].text);
        if (!marker.error.empty()) error_at(i, marker.error);
        if (marker.kind == MarkerKind::none) {
            append_line(result.text, lines[i]);
            ++i;
            continue;
        }
        if (marker.kind == MarkerKind::end) {
            error_at(i, "END SOLUTION without a matching BEGIN SOLUTION");
            ++i;
            continue;
        }

        // A BEGIN: find its END. Nested BEGINs are reported once and their ENDs
        // matched to them, so one mistake gives one error, not a cascade.
        const std::size_t begin = i;
        std::size_t end = begin + 1;
        int nested = 0;
        for (; end < lines.size(); ++end) {
            const auto inner = parse_marker(lines[end].text);
            if (!inner.error.empty()) error_at(end, inner.error);
            if (inner.kind == MarkerKind::begin) {
                error_at(end, "BEGIN SOLUTION inside the region opened at line " + std::to_string(begin + 1) +
                                  " (regions cannot nest)");
                ++nested;
            } else if (inner.kind == MarkerKind::end) {
                if (nested == 0) {
                    if (inner.error.empty() && !inner.name.empty() && inner.name != marker.name) {
                        error_at(end, "END SOLUTION " + inner.name + " closes the region opened at line " +
                                          std::to_string(begin + 1) +
                                          (marker.name.empty() ? " without a name" : " as " + marker.name));
                    }
                    break;
                }
                --nested;
            }
        }
        if (end == lines.size()) {
            error_at(begin, "BEGIN SOLUTION is never closed (missing // END SOLUTION)");
            break;
        }

        std::size_t todo = begin + 1;
        if (todo < end && starts_todo_block(lines[todo].text)) {
            while (todo < end && is_line_comment(lines[todo].text)) append_line(result.text, lines[todo++]);
        }
        if (!marker.name.empty()) {
            if (!lesson) {
                error_at(begin, "named region '" + marker.name +
                                    "' is outside a lesson folder (solutions/NN-topic/), so its stub can't name "
                                    "the lesson");
            } else {
                const auto& begin_line = lines[begin].text;
                result.text += indentation_of(begin_line);
                result.text += not_implemented_statement(*lesson, marker.name);
                if (begin_line.ends_with('\r')) result.text += '\r';
                result.text += '\n';
            }
        }
        i = end + 1;
    }
    // Errors found while looking ahead for an END come before the BEGIN's own.
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const MarkerError& a, const MarkerError& b) { return a.line < b.line; });
    return result;
}

} // namespace kubik::tools
