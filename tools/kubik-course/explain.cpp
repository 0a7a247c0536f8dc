#include "explain.hpp"
#include "text_util.hpp"

#include <cstring>
#include <sstream>
#include <vector>

namespace kubik::course {

namespace {

constexpr std::size_t kOutputTail = 25;
constexpr std::size_t kLinesPerFailure = 40;
constexpr std::size_t kFailuresShown = 3;
constexpr std::size_t kOtherChecksShown = 8;
constexpr std::size_t kWrapWidth = 92;

// Hints are long sentences (in Russian as well); wrap them at word
// boundaries so they read as a list instead of lines the terminal cut anywhere.
std::string wrapped(const std::string& text, std::size_t width, const std::string& first_prefix,
                    const std::string& rest_prefix) {
    std::istringstream words(text);
    std::string out = first_prefix;
    std::size_t column = display_width(first_prefix);
    bool line_empty = true;
    for (std::string word; words >> word;) {
        const auto word_width = display_width(word);
        if (!line_empty && column + 1 + word_width > width) {
            out += "\n" + rest_prefix;
            column = display_width(rest_prefix);
            line_empty = true;
        }
        if (!line_empty) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word_width;
        line_empty = false;
    }
    return out + "\n";
}

std::string heading(const Lesson& lesson) {
    return "lesson " + std::to_string(lesson.number) + " \u2014 " + lesson.topic();
}

// gtest prints "[ RUN      ] Suite.Name" before each test; the last one
// without a matching "[       OK ]"/"[  FAILED  ]" is the one that crashed.
std::string describe_problem(const Lesson& lesson, const TestRun& run) {
    std::ostringstream out;
    out << "\u2717 " << heading(lesson) << ": ";
    if (run.signal != 0) {
        out << "the test program crashed (killed by signal " << run.signal << ", " << strsignal(run.signal) << ")";
        if (const auto check = running_check(run.output); !check.empty()) out << " during " << check;
        out << "\n\n  Last lines of its output:\n" << last_lines(run.output, kOutputTail, "    ");
        return out.str();
    }
    if (!run.report) {
        out << "the test program exited with status " << run.exit_code << " without writing its report\n\n"
            << "  Last lines of its output:\n" << last_lines(run.output, kOutputTail, "    ");
        return out.str();
    }

    const auto& report = *run.report;
    const auto* first = report.first_failure();
    if (first == nullptr) {
        const auto skipped = report.count(Outcome::skipped);
        if (report.checks.empty()) {
            out << "the test program ran no checks\n";
        } else if (skipped > 0) {
            out << plural(skipped, "check") << " of " << report.checks.size() << " were skipped, so the lesson "
                << "isn't passed yet\n\n  Skipped:";
            for (const auto& check : report.checks) {
                if (check.outcome == Outcome::skipped) out << " " << check.full_name();
            }
            out << "\n";
        } else {
            out << "the test program exited with status " << run.exit_code << " although no check failed\n";
        }
        out << "\n  Last lines of its output:\n" << last_lines(run.output, kOutputTail, "    ");
        return out.str();
    }

    const auto failed = report.count(Outcome::failed);
    out << plural(failed, "check") << " of " << report.checks.size() << " fail" << (failed == 1 ? "s" : "") << "\n\n";
    if (first->name.empty()) {
        out << "  The first failure happened outside any check (in a test environment's set-up):\n";
    } else {
        out << "  First failing check: " << first->full_name() << "\n";
    }
    for (std::size_t i = 0; i < first->failures.size() && i < kFailuresShown; ++i) {
        out << "\n" << indented(first->failures[i], "    ", kLinesPerFailure);
    }
    if (first->failures.size() > kFailuresShown) {
        out << "\n    ... and " << plural(first->failures.size() - kFailuresShown, "more failure") << " in this check\n";
    }

    std::vector<std::string> others;
    for (const auto& check : report.checks) {
        if (check.outcome == Outcome::failed && &check != first) others.push_back(check.full_name());
    }
    if (!others.empty()) {
        out << "\n  Also failing:";
        for (std::size_t i = 0; i < others.size() && i < kOtherChecksShown; ++i) out << " " << others[i];
        if (others.size() > kOtherChecksShown) out << " and " << others.size() - kOtherChecksShown << " more";
        out << "\n";
    }
    return out.str();
}

} // namespace

std::string last_lines(const std::string& text, std::size_t count, const std::string& indent) {
    const auto lines = split_lines(text);
    if (lines.empty()) return indent + "(no output)\n";
    std::string out;
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
        out += indent + lines[i] + "\n";
    }
    return out;
}

std::string pass_line(const Lesson& lesson, const TestRun& run) {
    const auto checks = run.report ? run.report->checks.size() : 0;
    return "\u2713 " + heading(lesson) + " (" + plural(checks, "check") + ")";
}

std::string explain_failure(const Lesson& lesson, const TestRun& run, Language language,
                            const std::filesystem::path& binary) {
    std::ostringstream out;
    out << describe_problem(lesson, run);
    out << "\n  Hints (" << lesson.title.in(language) << "):\n";
    for (const auto& hint : lesson.hints(language)) out << wrapped(hint, kWrapWidth, "    \u2022 ", "      ");
    out << "\n  Lesson text: lessons/" << lesson.id << (language == Language::ru ? "/README.ru.md" : "/README.md")
        << "\n  Full output of this lesson's checks: " << binary.string() << "\n";
    return out.str();
}

} // namespace kubik::course
