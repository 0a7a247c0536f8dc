#include "gtest_report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

using nlohmann::json;

namespace kubik::course {

namespace {

// GoogleTest 1.12 (Debian 12) forgets the comma before the
// "NonTestSuiteFailure" suite it adds for failures outside tests, which makes
// the whole report invalid JSON. Put the comma back before parsing again.
std::string repair_missing_suite_comma(std::string_view text) {
    constexpr std::string_view broken = "}    {";
    std::string repaired;
    std::size_t copied = 0;
    for (auto at = text.find(broken); at != std::string_view::npos; at = text.find(broken, at + 1)) {
        repaired += text.substr(copied, at + 1 - copied);
        repaired += ',';
        copied = at + 1;
    }
    repaired += text.substr(copied);
    return repaired;
}

// GoogleTest writes each byte >= 0x80 of a message as its own "\u00XX", so
// the UTF-8 of "—" arrives as three Latin-1 characters. When every character
// fits in a byte, turning them back into bytes restores the original text.
std::string undo_byte_escapes(const std::string& text) {
    std::string bytes;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            bytes += static_cast<char>(c);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
            const auto next = static_cast<unsigned char>(text[++i]);
            bytes += static_cast<char>(((c & 0x03) << 6) | (next & 0x3F));
        } else {
            return text; // a character above U+00FF: not gtest's byte escaping
        }
    }
    return bytes;
}

std::string string_or_empty(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? undo_byte_escapes(it->get<std::string>()) : std::string();
}

CheckResult parse_check(const json& test, const std::string& suite) {
    CheckResult check;
    check.suite = string_or_empty(test, "classname");
    if (check.suite.empty()) check.suite = suite;
    check.name = string_or_empty(test, "name");
    check.file = string_or_empty(test, "file");
    if (const auto line = test.find("line"); line != test.end() && line->is_number_integer()) {
        check.line = line->get<int>();
    }
    if (const auto failures = test.find("failures"); failures != test.end() && failures->is_array()) {
        for (const auto& failure : *failures) check.failures.push_back(string_or_empty(failure, "failure"));
    }
    if (!check.failures.empty()) {
        check.outcome = Outcome::failed;
    } else if (string_or_empty(test, "result") == "SKIPPED") {
        check.outcome = Outcome::skipped;
    }
    return check;
}

} // namespace

std::size_t TestReport::count(Outcome outcome) const {
    return static_cast<std::size_t>(
        std::count_if(checks.begin(), checks.end(), [&](const CheckResult& c) { return c.outcome == outcome; }));
}

const CheckResult* TestReport::first_failure() const {
    const auto it = std::find_if(checks.begin(), checks.end(),
                                 [](const CheckResult& c) { return c.outcome == Outcome::failed; });
    return it == checks.end() ? nullptr : &*it;
}

TestReport parse_gtest_report(std::string_view json_text) {
    json document = json::parse(json_text, nullptr, false);
    if (document.is_discarded()) document = json::parse(repair_missing_suite_comma(json_text), nullptr, false);
    if (document.is_discarded() || !document.is_object() || !document.contains("testsuites") ||
        !document["testsuites"].is_array()) {
        throw std::runtime_error("not a GoogleTest JSON report");
    }
    TestReport report;
    for (const auto& suite : document["testsuites"]) {
        const auto suite_name = string_or_empty(suite, "name");
        const auto tests = suite.find("testsuite");
        if (tests == suite.end() || !tests->is_array()) continue;
        for (const auto& test : *tests) {
            // Disabled tests are the author's choice, not the student's problem.
            if (string_or_empty(test, "status") == "NOTRUN") continue;
            report.checks.push_back(parse_check(test, suite_name));
        }
    }
    return report;
}

} // namespace kubik::course

namespace kubik::course {

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

// "Suite.Name (12 ms)" → "Suite.Name"; "Suite.Name, where GetParam() = 3 (1 ms)" → "Suite.Name".
std::string check_name(std::string_view rest) {
    const auto end = rest.find_first_of(" ,");
    return std::string(rest.substr(0, end));
}

void split_name(const std::string& full, CheckResult& check) {
    const auto dot = full.find('.');
    check.suite = dot == std::string::npos ? full : full.substr(0, dot);
    check.name = dot == std::string::npos ? "" : full.substr(dot + 1);
}

} // namespace

TestReport parse_gtest_console(std::string_view output) {
    constexpr std::string_view run_tag = "[ RUN      ] ";
    constexpr std::string_view ok_tag = "[       OK ] ";
    constexpr std::string_view failed_tag = "[  FAILED  ] ";
    constexpr std::string_view skipped_tag = "[  SKIPPED ] ";
    TestReport report;
    std::string running;
    std::string messages;
    for (const auto line : lines_of(output)) {
        Outcome outcome;
        std::string_view rest;
        if (line.starts_with(run_tag)) {
            running = check_name(line.substr(run_tag.size()));
            messages.clear();
            continue;
        }
        if (line.starts_with(ok_tag)) {
            outcome = Outcome::passed;
            rest = line.substr(ok_tag.size());
        } else if (line.starts_with(failed_tag)) {
            outcome = Outcome::failed;
            rest = line.substr(failed_tag.size());
        } else if (line.starts_with(skipped_tag)) {
            outcome = Outcome::skipped;
            rest = line.substr(skipped_tag.size());
        } else {
            if (!running.empty()) {
                messages += line;
                messages += '\n';
            }
            continue;
        }
        const auto name = check_name(rest);
        // The summary at the end repeats failed and skipped checks; only a
        // verdict for the check that was running counts.
        if (name != running || running.empty()) continue;
        CheckResult check;
        split_name(name, check);
        check.outcome = outcome;
        if (outcome == Outcome::failed) check.failures.push_back(messages.empty() ? "(no message)" : messages);
        report.checks.push_back(std::move(check));
        running.clear();
        messages.clear();
    }
    return report;
}

std::string running_check(std::string_view output) {
    std::string started;
    for (const auto line : lines_of(output)) {
        if (line.starts_with("[ RUN      ] ")) {
            started = check_name(line.substr(13));
        } else if (line.starts_with("[       OK ] ") || line.starts_with("[  FAILED  ] ") ||
                   line.starts_with("[  SKIPPED ] ")) {
            started.clear();
        }
    }
    return started;
}

std::vector<std::string> parse_gtest_list(std::string_view output) {
    std::vector<std::string> names;
    std::string suite;
    for (const auto line : lines_of(output)) {
        if (line.empty()) continue;
        if (line.front() != ' ') {
            // "Suite."  or "Suite.  # TypeParam = int"
            const auto end = line.find(' ');
            suite = std::string(line.substr(0, end));
            if (!suite.empty() && suite.back() == '.') suite.pop_back();
            continue;
        }
        const auto start = line.find_first_not_of(' ');
        const auto rest = line.substr(start);
        const auto end = rest.find(' ');
        if (!suite.empty()) names.push_back(suite + "." + std::string(rest.substr(0, end)));
    }
    return names;
}

} // namespace kubik::course
