#include "scoring.hpp"
#include "text_util.hpp"

#include "explain.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

namespace kubik::course {

namespace {

constexpr std::size_t kMessageLimit = 4000;
constexpr std::size_t kOutputTailLines = 30;

std::string capped(std::string text, std::size_t limit = kMessageLimit) {
    if (text.size() <= limit) return text;
    // Don't cut a UTF-8 sequence in half.
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    return text + "\n... (cut)";
}

std::string join_failures(const std::vector<std::string>& failures) {
    std::string text;
    for (const auto& failure : failures) {
        if (!text.empty()) text += "\n";
        text += failure;
    }
    return capped(text);
}

std::string seconds_text(double seconds) {
    return formatted(_("%lld s"), static_cast<long long>(std::llround(seconds)));
}

// Orders the checks as the program lists them, then anything else it reported.
std::vector<GradedCheck> merge_with_expected(std::vector<GradedCheck> found, const std::vector<std::string>& expected,
                                             const std::string& missing_reason) {
    std::vector<GradedCheck> merged;
    std::set<std::string> taken;
    for (const auto& name : expected) {
        const auto it = std::find_if(found.begin(), found.end(), [&](const GradedCheck& c) { return c.name == name; });
        if (it != found.end()) {
            merged.push_back(std::move(*it));
        } else {
            merged.push_back({name, CheckStatus::not_run, missing_reason, 0, 0});
        }
        taken.insert(name);
    }
    for (auto& check : found) {
        if (!check.name.empty() && !taken.contains(check.name)) merged.push_back(std::move(check));
    }
    return merged;
}

GradedCheck graded(const CheckResult& result) {
    GradedCheck check;
    check.name = result.name.empty() ? _("(outside any check)") : result.full_name();
    switch (result.outcome) {
    case Outcome::passed: check.status = CheckStatus::passed; break;
    case Outcome::failed:
        check.status = CheckStatus::failed;
        check.message = join_failures(result.failures);
        break;
    case Outcome::skipped:
        check.status = CheckStatus::skipped;
        check.message = _("skipped (a skipped check does not pass)");
        break;
    }
    return check;
}

} // namespace

const char* to_string(CheckStatus status) {
    switch (status) {
    case CheckStatus::passed: return "passed";
    case CheckStatus::failed: return "failed";
    case CheckStatus::skipped: return "skipped";
    case CheckStatus::not_run: return "not run";
    }
    return "?";
}

const char* to_string(LessonStatus status) {
    switch (status) {
    case LessonStatus::passed: return "passed";
    case LessonStatus::failed: return "failed";
    case LessonStatus::time_limit: return "time limit exceeded";
    case LessonStatus::crashed: return "crashed";
    case LessonStatus::not_run: return "not run";
    case LessonStatus::build_failed: return "build failed";
    }
    return "?";
}

std::string status_text(CheckStatus status) {
    switch (status) {
    case CheckStatus::passed: return _("passed");
    case CheckStatus::failed: return _("failed");
    case CheckStatus::skipped: return _("skipped");
    case CheckStatus::not_run: return _("not run");
    }
    return "?";
}

std::string status_text(LessonStatus status) {
    switch (status) {
    case LessonStatus::passed: return _("passed");
    case LessonStatus::failed: return _("failed");
    case LessonStatus::time_limit: return _("time limit exceeded");
    case LessonStatus::crashed: return _("crashed");
    case LessonStatus::not_run: return _("not run");
    case LessonStatus::build_failed: return _("build failed");
    }
    return "?";
}

std::string lesson_name(int number) { return formatted(_("lesson %d"), number); }

std::string locking_lesson(const GradedLesson& lesson) {
    // locked_by is "lesson N" in the data (JSON reports); shown in the
    // reader's language.
    constexpr std::string_view prefix = "lesson ";
    if (lesson.locked_by.starts_with(prefix)) {
        try {
            std::size_t used = 0;
            const auto rest = lesson.locked_by.substr(prefix.size());
            const int number = std::stoi(rest, &used);
            if (used == rest.size()) return lesson_name(number);
        } catch (const std::exception&) {
        }
    }
    return lesson.locked_by;
}

std::string counts_only_when(const GradedLesson& lesson) {
    // TRANSLATORS: %s is "lesson N".
    return formatted(_("counts only when %s passes"), locking_lesson(lesson).c_str());
}

std::size_t GradedLesson::count(CheckStatus status) const {
    return static_cast<std::size_t>(std::count_if(outcome.checks.begin(), outcome.checks.end(),
                                                  [&](const GradedCheck& c) { return c.status == status; }));
}

LessonOutcome outcome_from_run(const TestRun& run, const std::vector<std::string>& expected, double time_limit) {
    LessonOutcome outcome;
    outcome.seconds = run.seconds;

    if (run.timed_out || run.interrupted || run.crashed()) {
        // No JSON report: what the console shows is all there is.
        std::vector<GradedCheck> found;
        for (const auto& result : parse_gtest_console(run.output).checks) found.push_back(graded(result));
        const auto running = running_check(run.output);
        std::string why;
        if (run.interrupted) {
            outcome.status = LessonStatus::not_run;
            why = _("grading was interrupted");
        } else if (run.timed_out) {
            outcome.status = LessonStatus::time_limit;
            why = formatted(_("time limit exceeded (%s)"), seconds_text(time_limit).c_str());
        } else {
            outcome.status = LessonStatus::crashed;
            why = run.signal != 0 ? formatted(_("the test program crashed (signal %d, %s)"), run.signal,
                                              strsignal(run.signal))
                                  : formatted(_("the test program exited with status %d without writing its report"),
                                              run.exit_code);
        }
        if (!running.empty()) {
            found.push_back({running, CheckStatus::failed,
                             formatted(_("%s while this check was running"), why.c_str()), 0, 0});
        }
        outcome.checks = merge_with_expected(std::move(found), expected, formatted(_("not run: %s"), why.c_str()));
        outcome.summary = why + (running.empty() ? "" : formatted(_(" during %s"), running.c_str()));
        outcome.output_tail = last_lines(run.output, kOutputTailLines, "");
        return outcome;
    }

    std::vector<GradedCheck> found;
    for (const auto& result : run.report->checks) found.push_back(graded(result));
    outcome.checks = merge_with_expected(std::move(found), expected, _("did not run"));

    const auto failed = static_cast<std::size_t>(std::count_if(
        outcome.checks.begin(), outcome.checks.end(), [](const GradedCheck& c) { return c.status != CheckStatus::passed; }));
    if (failed == 0 && !outcome.checks.empty() && run.exit_code == 0) {
        outcome.status = LessonStatus::passed;
        outcome.summary = formatted(ngettext("all %zu check passes", "all %zu checks pass", outcome.checks.size()),
                                    outcome.checks.size());
        return outcome;
    }
    outcome.status = LessonStatus::failed;
    if (outcome.checks.empty()) {
        outcome.summary = _("the test program ran no checks");
    } else if (failed == 0) {
        outcome.summary =
            formatted(_("the test program exited with status %d although no check failed"), run.exit_code);
        outcome.output_tail = last_lines(run.output, kOutputTailLines, "");
    } else {
        outcome.summary = formatted(ngettext("%zu of %zu checks fails", "%zu of %zu checks fail", failed), failed,
                                    outcome.checks.size());
    }
    return outcome;
}

LessonOutcome outcome_not_run(LessonStatus status, const std::vector<std::string>& expected, const std::string& reason) {
    LessonOutcome outcome;
    outcome.status = status;
    outcome.summary = reason;
    for (const auto& name : expected) outcome.checks.push_back({name, CheckStatus::not_run, reason, 0, 0});
    return outcome;
}

std::map<std::string, double> distribute_points(const Lesson& lesson, const std::vector<std::string>& checks,
                                                std::vector<std::string>* unknown) {
    std::map<std::string, double> shares;
    if (unknown != nullptr) {
        for (const auto& [name, points] : lesson.test_points) {
            if (std::find(checks.begin(), checks.end(), name) == checks.end()) unknown->push_back(name);
        }
    }
    if (checks.empty()) return shares;
    double listed = 0;
    std::size_t unlisted = 0;
    for (const auto& name : checks) {
        if (const auto it = lesson.test_points.find(name); it != lesson.test_points.end()) {
            shares[name] = it->second;
            listed += it->second;
        } else {
            ++unlisted;
        }
    }
    const double rest = std::max(0.0, lesson.points - listed);
    // Shares are whole hundredths that add up to exactly `rest` (the largest
    // remainders get the odd cents, earlier checks first), so the per-check
    // points a platform shows add up to the lesson's points.
    const auto share_out = [&](const std::vector<std::string>& names) {
        const auto cents = static_cast<long long>(std::llround(rest * 100));
        const auto count = static_cast<long long>(names.size());
        for (long long i = 0; i < count; ++i) {
            const auto mine = cents / count + (i < cents % count ? 1 : 0);
            shares[names[static_cast<std::size_t>(i)]] += static_cast<double>(mine) / 100.0;
        }
    };
    if (unlisted > 0) {
        std::vector<std::string> names;
        for (const auto& name : checks) {
            if (!lesson.test_points.contains(name)) {
                shares[name] = 0;
                names.push_back(name);
            }
        }
        share_out(names);
    } else if (rest > 0) {
        // Every check has its points and some are left (a listed check is
        // gone): share them so the lesson is still worth what it says.
        share_out(checks);
    }
    return shares;
}

std::vector<GradedLesson> score_lessons(const std::vector<Lesson>& lessons, const std::vector<LessonOutcome>& outcomes,
                                        Language language, std::vector<std::string>* warnings) {
    std::vector<GradedLesson> graded_lessons;
    std::string locked_by;
    for (std::size_t i = 0; i < lessons.size(); ++i) {
        const auto& lesson = lessons[i];
        GradedLesson graded_lesson;
        graded_lesson.number = lesson.number;
        graded_lesson.id = lesson.id;
        graded_lesson.title = lesson.title.in(language);
        graded_lesson.max_points = lesson.points;
        graded_lesson.hints = lesson.hints(language);
        graded_lesson.outcome = i < outcomes.size() ? outcomes[i] : LessonOutcome{};

        std::vector<std::string> names;
        for (const auto& check : graded_lesson.outcome.checks) names.push_back(check.name);
        std::vector<std::string> unknown;
        const auto shares = distribute_points(lesson, names, &unknown);
        if (warnings != nullptr) {
            for (const auto& name : unknown) {
                warnings->push_back(formatted(_("lessons/%s/lesson.json: test_points names %s, which is not a check "
                                                "of %s"),
                                              lesson.id.c_str(), name.c_str(), lesson.test_binary.c_str()));
            }
        }

        graded_lesson.counted = locked_by.empty();
        graded_lesson.locked_by = locked_by;
        for (auto& check : graded_lesson.outcome.checks) {
            check.max_points = shares.contains(check.name) ? shares.at(check.name) : 0;
            check.points = graded_lesson.counted && check.status == CheckStatus::passed ? check.max_points : 0;
            graded_lesson.points += check.points;
        }
        const bool passed = graded_lesson.outcome.status == LessonStatus::passed;
        if (passed && graded_lesson.counted) graded_lesson.points = lesson.points; // exact, not a sum of shares
        if (graded_lesson.outcome.checks.empty() && !passed) graded_lesson.points = 0;
        if (!passed && locked_by.empty()) locked_by = "lesson " + std::to_string(lesson.number);
        graded_lessons.push_back(std::move(graded_lesson));
    }
    return graded_lessons;
}

double round_points(double points) { return std::round(points * 100.0) / 100.0; }

} // namespace kubik::course
