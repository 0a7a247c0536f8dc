#include "grade_report.hpp"
#include "i18n.hpp"
#include "text_util.hpp"
#include "tree_ops.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>

using json = nlohmann::ordered_json;

namespace kubik::course {

namespace {

constexpr std::size_t kMessageLines = 25;

std::string topic_of(const std::string& id) {
    const auto dash = id.find('-');
    return dash == std::string::npos ? id : id.substr(dash + 1);
}

std::string heading(const GradedLesson& lesson) {
    return lesson_name(lesson.number) + " \u2014 " + topic_of(lesson.id);
}

std::string first_line(const std::string& text) {
    // gtest messages start with "file:line"; the first line after it says more.
    const auto lines = split_lines(text);
    for (const auto& line : lines) {
        if (line.empty() || line == "Failed") continue;
        if (line.find(".cpp:") != std::string::npos && line.find(' ') == std::string::npos) continue;
        return line;
    }
    return lines.empty() ? std::string() : lines.front();
}

const GradedCheck* first_problem(const GradedLesson& lesson) {
    for (const auto& check : lesson.outcome.checks) {
        if (check.status == CheckStatus::failed) return &check;
    }
    for (const auto& check : lesson.outcome.checks) {
        if (check.status != CheckStatus::passed) return &check;
    }
    return nullptr;
}

std::size_t passed_checks(const GradedLesson& lesson) { return lesson.count(CheckStatus::passed); }

// One line: what happened to the lesson, in words.
std::string lesson_result(const GradedLesson& lesson) {
    std::string text;
    if (lesson.outcome.status == LessonStatus::passed) {
        text = lesson.outcome.summary;
    } else if (lesson.outcome.status == LessonStatus::build_failed) {
        text = _("not run: the submission does not build");
    } else {
        text = lesson.outcome.summary;
    }
    if (!lesson.counted) {
        text += "; " + counts_only_when(lesson);
    }
    return text;
}

std::string status_mark(const GradedLesson& lesson) {
    if (lesson.outcome.status == LessonStatus::passed) return lesson.counted ? "\u2713" : "\u25cb";
    return "\u2717";
}

std::string problems_text(const SubmissionGrade& grade, const std::string& indent) {
    std::string out;
    for (const auto& problem : grade.problems) out += indent + problem.file + " " + problem.problem + "\n";
    return out;
}

// --- text ----------------------------------------------------------------

std::string render_text_one(const SubmissionGrade& grade) {
    std::ostringstream out;
    out << grade.student << ": "
        << formatted(ngettext("%s / %d point", "%s / %d points", static_cast<unsigned long>(grade.max_points)),
                     format_points(grade.points).c_str(), grade.max_points)
        << "\n";
    out << "  " << formatted(_("source: %s"), grade.source.c_str()) << "\n";
    if (!grade.error.empty()) {
        out << "  \u2717 " << grade.error << "\n";
        return out.str();
    }
    out << "  "
        << formatted(ngettext("files: %zu of %zu student file differs from the starter code",
                              "files: %zu of %zu student files differ from the starter code", grade.files_changed),
                     grade.files_changed, grade.files_owned)
        << "\n";
    if (!grade.problems.empty()) out << "  " << _("problems with the submission:") << "\n" << problems_text(grade, "    ");
    if (!grade.ignored.empty()) {
        out << "  " << _("ignored (not files students write): ");
        for (std::size_t i = 0; i < grade.ignored.size(); ++i) out << (i ? ", " : "") << grade.ignored[i];
        out << "\n";
    }
    if (!grade.built) {
        out << "  \u2717 " << _("the submission does not build; the compiler said:") << "\n"
            << indented(compiler_errors(grade.build_log), "      ", 40);
    }
    for (const auto& lesson : grade.lessons) {
        out << "  " << status_mark(lesson) << " " << pad(heading(lesson), 24) << " "
            << pad(format_points(lesson.points) + " / " + std::to_string(lesson.max_points), 12)
            << pad(formatted(ngettext("%zu/%zu check", "%zu/%zu checks", lesson.outcome.checks.size()),
                             passed_checks(lesson), lesson.outcome.checks.size()),
                   15)
            << lesson_result(lesson) << "\n";
    }
    // The first lesson that keeps points away: what failed, and the hints.
    for (const auto& lesson : grade.lessons) {
        if (lesson.outcome.status == LessonStatus::passed || lesson.outcome.status == LessonStatus::build_failed) continue;
        out << "\n  " << heading(lesson) << ": " << lesson.outcome.summary << "\n";
        if (const auto* check = first_problem(lesson)) {
            out << "    " << formatted(_("first failing check: %s"), check->name.c_str()) << "\n"
                << indented(check->message, "      ", kMessageLines);
        }
        if (!lesson.outcome.output_tail.empty() && lesson.outcome.status != LessonStatus::failed) {
            out << "    " << _("last lines of the output:") << "\n" << indented(lesson.outcome.output_tail, "      ", 15);
        }
        if (!lesson.hints.empty()) {
            out << "    " << formatted(_("hints (%s):"), lesson.title.c_str()) << "\n";
            for (const auto& hint : lesson.hints) out << "      \u2022 " << hint << "\n";
        }
        break;
    }
    return out.str();
}

std::string render_text(const std::vector<SubmissionGrade>& grades, const std::vector<std::string>& warnings) {
    std::string out;
    for (std::size_t i = 0; i < grades.size(); ++i) {
        if (i) out += "\n";
        out += render_text_one(grades[i]);
    }
    if (grades.size() > 1) {
        out += "\n" + std::string(_("summary:")) + "\n";
        for (const auto& grade : grades) {
            out += "  " + pad(grade.student, 24) + " " + format_points(grade.points) + " / " +
                   std::to_string(grade.max_points) + "\n";
        }
    }
    if (!warnings.empty()) {
        out += "\n" + std::string(_("warnings for the instructor:")) + "\n";
        for (const auto& warning : warnings) out += indented(warning, "  ", 20);
    }
    return out;
}

// --- json ----------------------------------------------------------------

json check_json(const GradedCheck& check) {
    return {{"name", check.name},         {"status", to_string(check.status)},
            {"points", round_points(check.points)}, {"max_points", round_points(check.max_points)},
            {"message", check.message}};
}

json lesson_json(const GradedLesson& lesson) {
    json checks = json::array();
    for (const auto& check : lesson.outcome.checks) checks.push_back(check_json(check));
    return {{"number", lesson.number},
            {"id", lesson.id},
            {"title", lesson.title},
            {"status", to_string(lesson.outcome.status)},
            {"counted", lesson.counted},
            {"locked_by", lesson.locked_by.empty() ? json(nullptr) : json(lesson.locked_by)},
            {"points", round_points(lesson.points)},
            {"max_points", lesson.max_points},
            {"summary", lesson.outcome.summary},
            {"seconds", std::round(lesson.outcome.seconds * 10) / 10},
            {"output_tail", lesson.outcome.output_tail},
            {"hints", lesson.hints},
            {"checks", checks}};
}

json submission_json(const SubmissionGrade& grade) {
    json problems = json::array();
    for (const auto& problem : grade.problems) problems.push_back({{"file", problem.file}, {"problem", problem.problem}});
    json lessons = json::array();
    for (const auto& lesson : grade.lessons) lessons.push_back(lesson_json(lesson));
    return {{"student", grade.student},
            {"source", grade.source},
            {"points", round_points(grade.points)},
            {"max_points", grade.max_points},
            {"error", grade.error.empty() ? json(nullptr) : json(grade.error)},
            {"files", {{"owned", grade.files_owned}, {"changed", grade.files_changed}}},
            {"problems", problems},
            {"ignored", grade.ignored},
            {"build", {{"ok", grade.built}, {"errors", grade.built ? "" : compiler_errors(grade.build_log)},
                       {"log", grade.build_log}}},
            {"seconds", std::round(grade.seconds * 10) / 10},
            {"lessons", lessons}};
}

std::string render_json(const std::vector<SubmissionGrade>& grades, const std::vector<std::string>& warnings) {
    json submissions = json::array();
    for (const auto& grade : grades) submissions.push_back(submission_json(grade));
    const json document{{"schema", "kubik-grade/1"}, {"submissions", submissions}, {"warnings", warnings}};
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// --- gradescope --------------------------------------------------------------

std::string check_output(const GradedLesson& lesson, const GradedCheck& check) {
    std::string text;
    if (check.status == CheckStatus::passed) {
        text = lesson.counted ? std::string(_("passed"))
                              : formatted(_("passed, but this lesson counts only when %s passes"),
                                          locking_lesson(lesson).c_str());
    } else {
        text = check.message.empty() ? status_text(check.status) : check.message;
    }
    return text;
}

std::string render_gradescope(const SubmissionGrade& grade) {
    json tests = json::array();
    for (const auto& lesson : grade.lessons) {
        const auto prefix = formatted(_("Lesson %d \u2014 %s"), lesson.number, topic_of(lesson.id).c_str());
        if (lesson.outcome.checks.empty()) {
            tests.push_back({{"name", prefix},
                             {"score", round_points(lesson.points)},
                             {"max_score", lesson.max_points},
                             {"status", lesson.outcome.status == LessonStatus::passed && lesson.counted ? "passed" : "failed"},
                             {"output", lesson_result(lesson)},
                             {"visibility", "visible"}});
            continue;
        }
        for (const auto& check : lesson.outcome.checks) {
            const bool counts = check.status == CheckStatus::passed && lesson.counted;
            tests.push_back({{"name", prefix + ": " + check.name},
                             {"score", round_points(check.points)},
                             {"max_score", round_points(check.max_points)},
                             {"status", counts ? "passed" : "failed"},
                             {"output", check_output(lesson, check)},
                             {"visibility", "visible"}});
        }
    }
    // What applies to the whole submission goes into the top-level output.
    std::string output = "Kubik: " +
                         formatted(ngettext("%s / %d point", "%s / %d points", static_cast<unsigned long>(grade.max_points)),
                                   format_points(grade.points).c_str(), grade.max_points) +
                         "\n";
    if (!grade.error.empty()) output += grade.error + "\n";
    if (!grade.problems.empty()) {
        output += "\n" + std::string(_("Problems with the submission:")) + "\n" + problems_text(grade, "  ");
    }
    if (!grade.built && grade.error.empty()) {
        output += "\n" + std::string(_("The submission does not build; the compiler said:")) + "\n" +
                  compiler_errors(grade.build_log);
    }
    for (const auto& lesson : grade.lessons) {
        output += "\n" + status_mark(lesson) + " " + heading(lesson) + ": " + format_points(lesson.points) + " / " +
                  std::to_string(lesson.max_points) + " \u2014 " + lesson_result(lesson);
    }
    output += "\n";
    json lesson_points = json::object();
    for (const auto& lesson : grade.lessons) lesson_points[lesson.id] = round_points(lesson.points);
    const json document{{"score", round_points(grade.points)},
                        {"execution_time", static_cast<long long>(std::llround(grade.seconds))},
                        {"output", output},
                        {"visibility", "visible"},
                        {"stdout_visibility", "hidden"},
                        {"extra_data", {{"student", grade.student}, {"lesson_points", lesson_points}}},
                        {"tests", tests}};
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// --- csv -----------------------------------------------------------------

std::string csv_field(std::string value) {
    // A name like "=cmd()" must not become a formula in a spreadsheet.
    if (!value.empty() && (value.front() == '=' || value.front() == '+' || value.front() == '-' ||
                           value.front() == '@' || value.front() == '\t' || value.front() == '\r')) {
        value = "'" + value;
    }
    if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
    std::string quoted = "\"";
    for (const char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string render_csv(const std::vector<SubmissionGrade>& grades) {
    std::string out = "student,total,max";
    if (!grades.empty()) {
        for (const auto& lesson : grades.front().lessons) out.append(",").append(csv_field(lesson.id));
    }
    out += "\r\n";
    for (const auto& grade : grades) {
        // append() rather than "," + string: GCC 12 warns falsely (-Wrestrict)
        // about operator+ on a temporary.
        out.append(csv_field(grade.student)).append(",").append(format_points(grade.points));
        out.append(",").append(std::to_string(grade.max_points));
        for (const auto& lesson : grade.lessons) out.append(",").append(format_points(lesson.points));
        out += "\r\n";
    }
    return out;
}

// --- markdown --------------------------------------------------------------

std::string md_cell(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string md_block(const std::string& text) {
    // A fence longer than any run of backticks inside.
    std::size_t longest = 0;
    std::size_t run = 0;
    for (const char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    return fence + "text\n" + text + (text.empty() || text.back() == '\n' ? "" : "\n") + fence + "\n";
}

std::string md_status(const GradedLesson& lesson) {
    if (lesson.outcome.status == LessonStatus::passed) {
        return lesson.counted ? "\u2705 " + std::string(_("passed"))
                              : "\U0001F512 " + formatted(_("passes, counts when %s passes"),
                                                           locking_lesson(lesson).c_str());
    }
    std::string text = "\u274C " + lesson.outcome.summary;
    if (lesson.outcome.status == LessonStatus::build_failed) text = "\u274C " + std::string(_("does not build"));
    if (lesson.outcome.status == LessonStatus::time_limit) text = "\u23F1\uFE0F " + lesson.outcome.summary;
    if (!lesson.counted && lesson.outcome.status != LessonStatus::build_failed) {
        text += " (\U0001F512 " + formatted(_("counts when %s passes"), locking_lesson(lesson).c_str()) + ")";
    }
    return text;
}

std::string render_md_one(const SubmissionGrade& grade) {
    std::ostringstream out;
    out << "## Kubik: " << md_cell(grade.student) << " \u2014 "
        << formatted(ngettext("%s / %d point", "%s / %d points", static_cast<unsigned long>(grade.max_points)),
                     format_points(grade.points).c_str(), grade.max_points)
        << "\n\n";
    if (!grade.error.empty()) {
        out << "\u274C " << md_cell(grade.error) << "\n";
        return out.str();
    }
    out << "| " << _("lesson") << " | " << _("result") << " | " << _("checks passed") << " | " << _("points")
        << " |\n|---|---|---|---|\n";
    for (const auto& lesson : grade.lessons) {
        out << "| " << lesson.number << " \u2014 " << md_cell(lesson.title) << " | " << md_cell(md_status(lesson)) << " | "
            << passed_checks(lesson) << " / " << lesson.outcome.checks.size() << " | " << format_points(lesson.points)
            << " / " << lesson.max_points << " |\n";
    }
    out << "\n";
    if (!grade.problems.empty()) {
        out << _("**Problems with the submission** (the starter version of these files was used):") << "\n\n";
        for (const auto& problem : grade.problems) out << "- `" << problem.file << "` " << md_cell(problem.problem) << "\n";
        out << "\n";
    }
    if (!grade.built) {
        out << _("**The submission does not build.** The compiler said:") << "\n\n" << md_block(compiler_errors(grade.build_log)) << "\n";
        return out.str();
    }
    for (const auto& lesson : grade.lessons) {
        if (lesson.outcome.status == LessonStatus::passed) continue;
        out << "### " << heading(lesson) << ": " << md_cell(lesson.outcome.summary) << "\n\n";
        if (const auto* check = first_problem(lesson)) {
            out << formatted(_("First failing check: `%s`"), check->name.c_str()) << "\n\n"
                << md_block(indented(check->message, "", kMessageLines)) << "\n";
        }
        if (!lesson.outcome.output_tail.empty() && lesson.outcome.status != LessonStatus::failed) {
            out << _("Last lines of the output:") << "\n\n" << md_block(indented(lesson.outcome.output_tail, "", 15)) << "\n";
        }
        if (!lesson.hints.empty()) {
            out << "<details><summary>" << _("Hints") << "</summary>\n\n";
            for (const auto& hint : lesson.hints) out << "- " << hint << "\n";
            out << "\n</details>\n\n";
        }
        break;
    }
    return out.str();
}

std::string render_md(const std::vector<SubmissionGrade>& grades, const std::vector<std::string>& warnings) {
    std::string out;
    if (grades.size() > 1) {
        out += "## " + std::string(_("Kubik grades")) + "\n\n| " + _("student") + " | " + _("points") +
               " |\n|---|---|\n";
        for (const auto& grade : grades) {
            out += "| " + md_cell(grade.student) + " | " + format_points(grade.points) + " / " +
                   std::to_string(grade.max_points) + " |\n";
        }
        out += "\n";
    }
    for (const auto& grade : grades) out += render_md_one(grade);
    if (!warnings.empty()) {
        out += "### " + std::string(_("Warnings for the instructor")) + "\n\n";
        for (const auto& warning : warnings) out += md_block(warning);
    }
    return out;
}

// --- junit -----------------------------------------------------------------

std::string xml_escape(std::string_view raw) {
    const auto text = xml_safe_utf8(raw);
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string seconds_attr(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", seconds);
    return buffer;
}

struct Counts {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

std::string testcase_xml(const std::string& classname, const GradedLesson& lesson, const GradedCheck& check,
                         Counts& counts) {
    ++counts.tests;
    const auto dot = check.name.find('.');
    const auto suite = dot == std::string::npos ? std::string() : check.name.substr(0, dot);
    const auto name = dot == std::string::npos ? check.name : check.name.substr(dot + 1);
    std::string out = "    <testcase classname=\"" + xml_escape(classname + (suite.empty() ? "" : "." + suite)) +
                      "\" name=\"" + xml_escape(name) + "\" time=\"0\">\n";
    const auto message = first_line(check.message);
    switch (check.status) {
    case CheckStatus::passed: break;
    case CheckStatus::failed:
        if (lesson.outcome.status == LessonStatus::time_limit || lesson.outcome.status == LessonStatus::crashed) {
            ++counts.errors;
            out += "      <error message=\"" + xml_escape(message) + "\" type=\"" +
                   xml_escape(to_string(lesson.outcome.status)) + "\">" + xml_escape(check.message + "\n\n" +
                                                                                      lesson.outcome.output_tail) +
                   "</error>\n";
        } else {
            ++counts.failures;
            out += "      <failure message=\"" + xml_escape(message) + "\">" + xml_escape(check.message) + "</failure>\n";
        }
        break;
    case CheckStatus::skipped:
    case CheckStatus::not_run:
        ++counts.skipped;
        out += "      <skipped message=\"" + xml_escape(check.message) + "\"/>\n";
        break;
    }
    out += "    </testcase>\n";
    return out;
}

std::string render_junit(const std::vector<SubmissionGrade>& grades) {
    std::string suites;
    Counts total;
    double total_time = 0;
    for (const auto& grade : grades) {
        const auto student = grade.student;
        if (!grade.error.empty() || !grade.built) {
            Counts counts;
            counts.tests = 1;
            const auto what = grade.error.empty() ? std::string(_("the submission does not build")) : grade.error;
            const auto details = grade.error.empty() ? compiler_errors(grade.build_log) : grade.error;
            if (grade.error.empty()) {
                counts.failures = 1;
            } else {
                counts.errors = 1;
            }
            suites += "  <testsuite name=\"" + xml_escape(student + ".build") + "\" tests=\"1\" failures=\"" +
                      std::to_string(counts.failures) + "\" errors=\"" + std::to_string(counts.errors) +
                      "\" skipped=\"0\" time=\"0\">\n    <testcase classname=\"" + xml_escape(student + ".build") +
                      "\" name=\"build\" time=\"0\">\n      <" + (grade.error.empty() ? "failure" : "error") +
                      " message=\"" + xml_escape(what) + "\">" + xml_escape(details) + "</" +
                      (grade.error.empty() ? "failure" : "error") + ">\n    </testcase>\n  </testsuite>\n";
            total.tests += counts.tests;
            total.failures += counts.failures;
            total.errors += counts.errors;
        }
        for (const auto& lesson : grade.lessons) {
            Counts counts;
            const auto classname = student + "." + lesson.id;
            std::string cases;
            for (const auto& check : lesson.outcome.checks) cases += testcase_xml(classname, lesson, check, counts);
            suites += "  <testsuite name=\"" + xml_escape(classname) + "\" tests=\"" + std::to_string(counts.tests) +
                      "\" failures=\"" + std::to_string(counts.failures) + "\" errors=\"" +
                      std::to_string(counts.errors) + "\" skipped=\"" + std::to_string(counts.skipped) +
                      "\" time=\"" + seconds_attr(lesson.outcome.seconds) + "\">\n";
            suites += "    <properties>\n      <property name=\"title\" value=\"" + xml_escape(lesson.title) +
                      "\"/>\n      <property name=\"status\" value=\"" + xml_escape(to_string(lesson.outcome.status)) +
                      "\"/>\n      <property name=\"points\" value=\"" + format_points(lesson.points) +
                      "\"/>\n      <property name=\"max_points\" value=\"" + std::to_string(lesson.max_points) +
                      "\"/>\n      <property name=\"counted\" value=\"" + (lesson.counted ? "true" : "false") +
                      "\"/>\n    </properties>\n";
            suites += cases + "  </testsuite>\n";
            total.tests += counts.tests;
            total.failures += counts.failures;
            total.errors += counts.errors;
            total.skipped += counts.skipped;
            total_time += lesson.outcome.seconds;
        }
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kubik\" tests=\"" +
           std::to_string(total.tests) + "\" failures=\"" + std::to_string(total.failures) + "\" errors=\"" +
           std::to_string(total.errors) + "\" skipped=\"" + std::to_string(total.skipped) + "\" time=\"" +
           seconds_attr(total_time) + "\">\n" + suites + "</testsuites>\n";
}

CheckStatus check_status_from(const std::string& text) {
    for (const auto status : {CheckStatus::passed, CheckStatus::failed, CheckStatus::skipped, CheckStatus::not_run}) {
        if (text == to_string(status)) return status;
    }
    throw std::runtime_error(formatted(_("unknown check status '%s'"), text.c_str()));
}

LessonStatus lesson_status_from(const std::string& text) {
    for (const auto status : {LessonStatus::passed, LessonStatus::failed, LessonStatus::time_limit, LessonStatus::crashed,
                              LessonStatus::not_run, LessonStatus::build_failed}) {
        if (text == to_string(status)) return status;
    }
    throw std::runtime_error(formatted(_("unknown lesson status '%s'"), text.c_str()));
}

std::string text_or_empty(const json& value, const char* key) {
    const auto it = value.find(key);
    return it != value.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::vector<SubmissionGrade> grades_from_json(const std::string& text, std::vector<std::string>* warnings) {
    std::vector<SubmissionGrade> grades;
    try {
        const auto document = json::parse(text);
        if (document.value("schema", "") != "kubik-grade/1") {
            throw std::runtime_error(_("not a kubik-course grade report (schema kubik-grade/1)"));
        }
        if (warnings != nullptr) {
            for (const auto& warning : document.at("warnings")) warnings->push_back(warning.get<std::string>());
        }
        for (const auto& item : document.at("submissions")) {
            SubmissionGrade grade;
            grade.student = item.at("student").get<std::string>();
            grade.source = text_or_empty(item, "source");
            grade.error = text_or_empty(item, "error");
            grade.points = item.at("points").get<double>();
            grade.max_points = item.at("max_points").get<int>();
            grade.files_owned = item.at("files").at("owned").get<std::size_t>();
            grade.files_changed = item.at("files").at("changed").get<std::size_t>();
            for (const auto& problem : item.at("problems")) {
                grade.problems.push_back({problem.at("file").get<std::string>(), problem.at("problem").get<std::string>()});
            }
            grade.ignored = item.at("ignored").get<std::vector<std::string>>();
            grade.built = item.at("build").at("ok").get<bool>();
            grade.build_log = text_or_empty(item.at("build"), "log");
            grade.seconds = item.value("seconds", 0.0);
            for (const auto& entry : item.at("lessons")) {
                GradedLesson lesson;
                lesson.number = entry.at("number").get<int>();
                lesson.id = entry.at("id").get<std::string>();
                lesson.title = entry.at("title").get<std::string>();
                lesson.max_points = entry.at("max_points").get<int>();
                lesson.points = entry.at("points").get<double>();
                lesson.counted = entry.at("counted").get<bool>();
                lesson.locked_by = text_or_empty(entry, "locked_by");
                lesson.hints = entry.value("hints", std::vector<std::string>{});
                lesson.outcome.status = lesson_status_from(entry.at("status").get<std::string>());
                lesson.outcome.summary = text_or_empty(entry, "summary");
                lesson.outcome.output_tail = text_or_empty(entry, "output_tail");
                lesson.outcome.seconds = entry.value("seconds", 0.0);
                for (const auto& check : entry.at("checks")) {
                    lesson.outcome.checks.push_back({check.at("name").get<std::string>(),
                                                     check_status_from(check.at("status").get<std::string>()),
                                                     text_or_empty(check, "message"), check.at("max_points").get<double>(),
                                                     check.at("points").get<double>()});
                }
                grade.lessons.push_back(std::move(lesson));
            }
            grades.push_back(std::move(grade));
        }
    } catch (const json::exception& e) {
        throw std::runtime_error(formatted(_("not a kubik-course grade report: %s"), e.what()));
    }
    return grades;
}

ReportFormat parse_report_format(std::string_view name) {
    if (name == "text") return ReportFormat::text;
    if (name == "json") return ReportFormat::json;
    if (name == "junit") return ReportFormat::junit;
    if (name == "gradescope") return ReportFormat::gradescope;
    if (name == "csv") return ReportFormat::csv;
    if (name == "md" || name == "markdown") return ReportFormat::md;
    throw std::invalid_argument(formatted(_("unknown report format '%s' (text, json, junit, gradescope, csv or md)"),
                                          std::string(name).c_str()));
}

const char* report_extension(ReportFormat format) {
    switch (format) {
    case ReportFormat::text: return "txt";
    case ReportFormat::json: return "json";
    case ReportFormat::junit: return "xml";
    case ReportFormat::gradescope: return "json";
    case ReportFormat::csv: return "csv";
    case ReportFormat::md: return "md";
    }
    return "txt";
}

std::string report_file_name(const std::string& student, ReportFormat format) {
    std::string name;
    for (const char c : student) name += (c == '/' || c == '\\' || c == '\0') ? '_' : c;
    if (name.empty() || name.front() == '.') name = "_" + name;
    return name + "." + report_extension(format);
}

std::string render_report(ReportFormat format, const std::vector<SubmissionGrade>& grades,
                          const std::vector<std::string>& warnings) {
    switch (format) {
    case ReportFormat::text: return render_text(grades, warnings);
    case ReportFormat::json: return render_json(grades, warnings);
    case ReportFormat::junit: return render_junit(grades);
    case ReportFormat::gradescope:
        if (grades.size() != 1) {
            throw std::invalid_argument(_("a Gradescope results.json describes one submission; with several, use "
                                          "--out-dir to get one file per student"));
        }
        return render_gradescope(grades.front());
    case ReportFormat::csv: return render_csv(grades);
    case ReportFormat::md: return render_md(grades, warnings);
    }
    return {};
}

std::string format_points(double points) {
    const double rounded = round_points(points);
    char buffer[32];
    if (std::fabs(rounded - std::round(rounded)) < 1e-9) {
        std::snprintf(buffer, sizeof buffer, "%.0f", rounded);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.2f", rounded);
        std::string text(buffer);
        while (text.back() == '0') text.pop_back();
        return text;
    }
    return buffer;
}

std::string xml_safe_utf8(std::string_view text) {
    std::string out;
    const auto replacement = "\xEF\xBF\xBD";
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        char32_t code = 0;
        if (c < 0x80) {
            length = 1;
            code = c;
        } else if ((c & 0xE0) == 0xC0) {
            length = 2;
            code = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3;
            code = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4;
            code = c & 0x07;
        }
        bool valid = length > 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) {
                valid = false;
            } else {
                code = (code << 6) | (next & 0x3F);
            }
        }
        const bool well_formed = valid;
        // Overlong forms, surrogates and code points XML 1.0 forbids.
        if (valid) {
            static constexpr char32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
            if (code < minimum[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF ||
                code == 0xFFFE || code == 0xFFFF || (code < 0x20 && code != '\t' && code != '\n' && code != '\r')) {
                valid = false;
            }
        }
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += replacement;
            i += well_formed ? length : 1;
        }
    }
    return out;
}

void check_report_destination(ReportFormat format, std::size_t submissions, const std::filesystem::path& out,
                              const std::filesystem::path& out_dir) {
    if (format == ReportFormat::gradescope && submissions > 1 && (out_dir.empty() || !out.empty())) {
        throw std::invalid_argument(formatted(_("%zu submissions, but a Gradescope results.json holds one: use "
                                                "--out-dir DIR (one file per student) instead of --out"),
                                              submissions));
    }
}

void write_reports(ReportFormat format, const std::vector<SubmissionGrade>& grades,
                   const std::vector<std::string>& warnings, const std::filesystem::path& out,
                   const std::filesystem::path& out_dir) {
    check_report_destination(format, grades.size(), out, out_dir);
    if (!out_dir.empty()) {
        std::filesystem::create_directories(out_dir);
        for (const auto& grade : grades) {
            write_file(out_dir / report_file_name(grade.student, format), render_report(format, {grade}, warnings));
        }
    }
    if (!out_dir.empty() && out.empty()) return;
    const auto text = render_report(format, grades, warnings);
    if (out.empty() || out == "-") {
        std::cout << text << std::flush;
    } else {
        write_file(out, text);
    }
}

} // namespace kubik::course
