#include "explain.hpp"
#include "i18n.hpp"
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
    return formatted(_("lesson %d \u2014 %s"), lesson.number, lesson.topic().c_str());
}

// gtest prints "[ RUN      ] Suite.Name" before each test; the last one
// without a matching "[       OK ]"/"[  FAILED  ]" is the one that crashed.
std::string describe_problem(const Lesson& lesson, const TestRun& run) {
    std::ostringstream out;
    out << "\u2717 " << heading(lesson) << ": ";
    if (run.signal != 0) {
        out << formatted(_("the test program crashed (killed by signal %d, %s)"), run.signal, strsignal(run.signal));
        if (const auto check = running_check(run.output); !check.empty()) {
            out << formatted(_(" during %s"), check.c_str());
        }
        out << "\n\n  " << _("Last lines of its output:") << "\n" << last_lines(run.output, kOutputTail, "    ");
        return out.str();
    }
    if (!run.report) {
        out << formatted(_("the test program exited with status %d without writing its report"), run.exit_code)
            << "\n\n  " << _("Last lines of its output:") << "\n" << last_lines(run.output, kOutputTail, "    ");
        return out.str();
    }

    const auto& report = *run.report;
    const auto* first = report.first_failure();
    if (first == nullptr) {
        const auto skipped = report.count(Outcome::skipped);
        if (report.checks.empty()) {
            out << _("the test program ran no checks") << "\n";
        } else if (skipped > 0) {
            out << formatted(ngettext("%zu check of %zu was skipped, so the lesson isn't passed yet",
                                      "%zu checks of %zu were skipped, so the lesson isn't passed yet", skipped),
                             skipped, report.checks.size())
                << "\n\n  " << _("Skipped:");
            for (const auto& check : report.checks) {
                if (check.outcome == Outcome::skipped) out << " " << check.full_name();
            }
            out << "\n";
        } else {
            out << formatted(_("the test program exited with status %d although no check failed"), run.exit_code)
                << "\n";
        }
        out << "\n  " << _("Last lines of its output:") << "\n" << last_lines(run.output, kOutputTail, "    ");
        return out.str();
    }

    const auto failed = report.count(Outcome::failed);
    out << formatted(ngettext("%zu check of %zu fails", "%zu checks of %zu fail", failed), failed,
                     report.checks.size())
        << "\n\n";
    if (first->name.empty()) {
        out << "  " << _("The first failure happened outside any check (in a test environment's set-up):") << "\n";
    } else {
        out << "  " << formatted(_("First failing check: %s"), first->full_name().c_str()) << "\n";
    }
    for (std::size_t i = 0; i < first->failures.size() && i < kFailuresShown; ++i) {
        out << "\n" << indented(first->failures[i], "    ", kLinesPerFailure);
    }
    if (first->failures.size() > kFailuresShown) {
        const auto more = first->failures.size() - kFailuresShown;
        out << "\n    "
            << formatted(ngettext("... and %zu more failure in this check", "... and %zu more failures in this check",
                                  more),
                         more)
            << "\n";
    }

    std::vector<std::string> others;
    for (const auto& check : report.checks) {
        if (check.outcome == Outcome::failed && &check != first) others.push_back(check.full_name());
    }
    if (!others.empty()) {
        out << "\n  " << _("Also failing:");
        for (std::size_t i = 0; i < others.size() && i < kOtherChecksShown; ++i) out << " " << others[i];
        if (others.size() > kOtherChecksShown) {
            const auto more = others.size() - kOtherChecksShown;
            out << formatted(ngettext(" and %zu more", " and %zu more", more), more);
        }
        out << "\n";
    }
    return out.str();
}

} // namespace

std::string last_lines(const std::string& text, std::size_t count, const std::string& indent) {
    const auto lines = split_lines(text);
    if (lines.empty()) return indent + _("(no output)") + "\n";
    std::string out;
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
        out += indent + lines[i] + "\n";
    }
    return out;
}

std::string pass_line(const Lesson& lesson, const TestRun& run) {
    const auto checks = run.report ? run.report->checks.size() : 0;
    return "\u2713 " + heading(lesson) + " (" + formatted(ngettext("%zu check", "%zu checks", checks), checks) + ")";
}

std::string explain_failure(const Lesson& lesson, const TestRun& run, Language language,
                            const std::filesystem::path& binary, const std::string& instead_of_hints) {
    std::ostringstream out;
    out << describe_problem(lesson, run);
    if (instead_of_hints.empty()) {
        out << "\n  " << formatted(_("Hints (%s):"), lesson.title.in(language).c_str()) << "\n";
        for (const auto& hint : lesson.hints(language)) out << wrapped(hint, kWrapWidth, "    \u2022 ", "      ");
    } else {
        out << instead_of_hints;
    }
    const auto text = "lessons/" + lesson.id + (language == Language::ru ? "/README.ru.md" : "/README.md");
    out << "\n  " << formatted(_("Lesson text: %s"), text.c_str()) << "\n  "
        << formatted(_("Full output of this lesson's checks: %s"), binary.string().c_str()) << "\n";
    return out.str();
}

} // namespace kubik::course
