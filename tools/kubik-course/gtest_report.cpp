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
