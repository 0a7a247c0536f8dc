#include "grade_report.hpp"
#include "i18n.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

using namespace kubik::course;
using nlohmann::json;

namespace {

GradedLesson lesson(int number, const std::string& id, int max, std::vector<GradedCheck> checks, LessonStatus status,
                    bool counted = true) {
    GradedLesson l;
    l.number = number;
    l.id = id;
    l.title = "Title of " + id;
    l.max_points = max;
    l.counted = counted;
    l.locked_by = counted ? "" : "lesson 1";
    l.outcome.status = status;
    l.outcome.summary = std::string(to_string(status));
    l.outcome.checks = std::move(checks);
    l.hints = {"a hint"};
    for (const auto& c : l.outcome.checks) l.points += c.points;
    if (status == LessonStatus::passed && counted) l.points = max;
    return l;
}

SubmissionGrade sample() {
    SubmissionGrade grade;
    grade.student = "alice";
    grade.source = "/subs/alice";
    grade.files_owned = 4;
    grade.files_changed = 3;
    grade.built = true;
    grade.max_points = 30;
    grade.problems = {{"exercises/01-chroot/rootfs.cpp", "is a symbolic link; the starter version was used"}};
    grade.lessons.push_back(lesson(0, "00-process", 10,
                                   {{"Process.A", CheckStatus::passed, "", 5, 5}, {"Process.B", CheckStatus::passed, "", 5, 5}},
                                   LessonStatus::passed));
    grade.lessons.push_back(lesson(1, "01-chroot", 10,
                                   {{"Chroot.A", CheckStatus::passed, "", 10.0 / 3, 10.0 / 3},
                                    {"Chroot.B", CheckStatus::failed, "chroot_test.cpp:3\nExpected <x> & \"y\"\n", 10.0 / 3, 0},
                                    {"Chroot.C", CheckStatus::not_run, "did not run", 10.0 / 3, 0}},
                                   LessonStatus::failed));
    grade.lessons.push_back(lesson(2, "02-namespaces", 10, {{"Ns.A", CheckStatus::passed, "", 10, 0}},
                                   LessonStatus::passed, false));
    grade.points = 0;
    for (const auto& l : grade.lessons) grade.points += l.points;
    return grade;
}

SubmissionGrade broken_build() {
    SubmissionGrade grade;
    grade.student = "=bob,\"the\" builder";
    grade.max_points = 30;
    grade.built = false;
    grade.build_log = "[1/3] Building\nFAILED: src/x.o\nexercises/00-process/process.cpp:3:1: error: expected ';'\n"
                      "    3 | int x\n      | ^\nninja: build stopped\n";
    grade.lessons.push_back(lesson(0, "00-process", 10, {}, LessonStatus::build_failed));
    grade.lessons.push_back(lesson(1, "01-chroot", 10, {}, LessonStatus::build_failed, false));
    grade.lessons.push_back(lesson(2, "02-namespaces", 10, {}, LessonStatus::build_failed, false));
    return grade;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Well-formed enough: every element closed in order, attributes quoted, and
// no raw '<' or '&' in text.
void expect_well_formed_xml(const std::string& xml) {
    std::vector<std::string> open;
    std::size_t i = 0;
    ASSERT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    i = xml.find("?>") + 2;
    while (i < xml.size()) {
        const auto lt = xml.find('<', i);
        const auto text = xml.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
        for (std::size_t a = text.find('&'); a != std::string::npos; a = text.find('&', a + 1)) {
            ASSERT_TRUE(std::regex_search(text.substr(a, 7), std::regex("^&(amp|lt|gt|quot|apos);")))
                << "raw & in: " << text.substr(a, 20);
        }
        if (lt == std::string::npos) break;
        const auto gt = xml.find('>', lt);
        ASSERT_NE(gt, std::string::npos);
        const auto tag = xml.substr(lt + 1, gt - lt - 1);
        ASSERT_EQ(tag.find('<'), std::string::npos) << tag;
        if (tag.starts_with("/")) {
            ASSERT_FALSE(open.empty()) << tag;
            ASSERT_EQ(open.back(), tag.substr(1));
            open.pop_back();
        } else {
            const auto name = tag.substr(0, tag.find_first_of(" /"));
            if (!tag.ends_with("/")) open.push_back(name);
        }
        i = gt + 1;
    }
    EXPECT_TRUE(open.empty());
}

} // namespace

// The reports a human reads come in the grader's language; the JSON's keys
// and status words stay as they are.
TEST(GradeReport, RussianTextKeepsJsonWordsEnglish) {
    init_messages("ru", KUBIK_COURSE_LOCALE_DIR);
    const auto text = render_report(ReportFormat::text, {sample()});
    const auto document = json::parse(render_report(ReportFormat::json, {sample()}));
    init_messages("en", KUBIK_COURSE_LOCALE_DIR);
    EXPECT_NE(text.find("alice: 13.33 из 30 баллов"), std::string::npos) << text;
    EXPECT_NE(text.find("урок 1 \u2014 chroot"), std::string::npos) << text;
    EXPECT_NE(text.find("засчитывается, только когда пройден урок 1"), std::string::npos) << text;
    EXPECT_NE(text.find("первая непройденная проверка: Chroot.B"), std::string::npos) << text;
    EXPECT_EQ(text.find("points"), std::string::npos) << text;
    const auto& lesson = document.at("submissions")[0].at("lessons")[2];
    EXPECT_EQ(lesson.at("status"), "passed");
    EXPECT_EQ(lesson.at("locked_by"), "lesson 1");
    // And English again once the language is back.
    EXPECT_NE(render_report(ReportFormat::text, {sample()}).find("counts only when lesson 1 passes"), std::string::npos);
}

TEST(GradeReport, FormatsPoints) {
    EXPECT_EQ(format_points(10), "10");
    EXPECT_EQ(format_points(7.5), "7.5");
    EXPECT_EQ(format_points(10.0 / 7), "1.43");
    EXPECT_EQ(format_points(0), "0");
}

TEST(GradeReport, CsvHasOneRowPerStudentAndEscapesNames) {
    const auto csv = render_report(ReportFormat::csv, {sample(), broken_build()});
    EXPECT_EQ(csv, "student,total,max,00-process,01-chroot,02-namespaces\r\n"
                   "alice,13.33,30,10,3.33,0\r\n"
                   "\"'=bob,\"\"the\"\" builder\",0,30,0,0,0\r\n");
}

TEST(GradeReport, GradescopeFollowsItsSchema) {
    const auto document = json::parse(render_report(ReportFormat::gradescope, {sample()}));
    EXPECT_DOUBLE_EQ(document.at("score").get<double>(), 13.33);
    EXPECT_TRUE(document.at("output").is_string());
    const auto& tests = document.at("tests");
    ASSERT_EQ(tests.size(), 6u);
    double max = 0;
    for (const auto& test : tests) {
        for (const auto* key : {"name", "score", "max_score", "status", "output", "visibility"}) {
            EXPECT_TRUE(test.contains(key)) << key;
        }
        EXPECT_TRUE(test.at("status") == "passed" || test.at("status") == "failed");
        EXPECT_EQ(test.at("visibility"), "visible");
        max += test.at("max_score").get<double>();
    }
    EXPECT_NEAR(max, 30, 0.02);
    EXPECT_EQ(tests[0].at("name"), "Lesson 0 \u2014 process: Process.A");
    EXPECT_EQ(tests[0].at("status"), "passed");
    EXPECT_EQ(tests[3].at("status"), "failed");
    EXPECT_TRUE(contains(tests[3].at("output").get<std::string>(), "Expected <x>"));
    // Passing, but locked behind lesson 1: no points, and it says why.
    EXPECT_EQ(tests[5].at("status"), "failed");
    EXPECT_EQ(tests[5].at("score"), 0);
    EXPECT_TRUE(contains(tests[5].at("output").get<std::string>(), "counts only when lesson 1 passes"));
    EXPECT_THROW(render_report(ReportFormat::gradescope, {sample(), sample()}), std::invalid_argument);
}

TEST(GradeReport, GradescopeOfABrokenBuildCarriesTheCompilerMessage) {
    const auto document = json::parse(render_report(ReportFormat::gradescope, {broken_build()}));
    EXPECT_EQ(document.at("score"), 0);
    EXPECT_TRUE(contains(document.at("output").get<std::string>(), "process.cpp:3:1: error: expected ';'"));
    ASSERT_EQ(document.at("tests").size(), 3u); // one per lesson when no check is known
    EXPECT_EQ(document.at("tests")[0].at("max_score"), 10);
}

TEST(GradeReport, JunitIsWellFormedAndCountsRight) {
    const auto xml = render_report(ReportFormat::junit, {sample(), broken_build()});
    expect_well_formed_xml(xml);
    EXPECT_TRUE(contains(xml, "<testsuites name=\"kubik\" tests=\"7\" failures=\"2\" errors=\"0\" skipped=\"1\""));
    EXPECT_TRUE(contains(xml, "<testsuite name=\"alice.01-chroot\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
    EXPECT_TRUE(contains(xml, "<failure message=\"Expected &lt;x&gt; &amp; &quot;y&quot;\">"));
    EXPECT_TRUE(contains(xml, "name=\"build\""));
    EXPECT_TRUE(contains(xml, "error: expected &apos;;&apos;"));
}

TEST(GradeReport, XmlSafeTextReplacesWhatXmlForbids) {
    EXPECT_EQ(xml_safe_utf8("ok \u0436 \t\n"), "ok \u0436 \t\n");
    EXPECT_EQ(xml_safe_utf8(std::string("a\x01" "b", 3)), "a\uFFFDb");
    EXPECT_EQ(xml_safe_utf8("\xff\xfe"), "\uFFFD\uFFFD");
    EXPECT_EQ(xml_safe_utf8("\xC0\xAF"), "\uFFFD"); // overlong '/'
    EXPECT_EQ(xml_safe_utf8("\xE2\x82"), "\uFFFD\uFFFD"); // cut short
}

TEST(GradeReport, JsonRoundTrips) {
    const auto text = render_report(ReportFormat::json, {sample(), broken_build()}, {"a warning"});
    std::vector<std::string> warnings;
    const auto grades = grades_from_json(text, &warnings);
    EXPECT_EQ(warnings, std::vector<std::string>{"a warning"});
    ASSERT_EQ(grades.size(), 2u);
    EXPECT_EQ(render_report(ReportFormat::json, grades, warnings), text);
    EXPECT_EQ(grades[0].lessons[1].outcome.checks[1].status, CheckStatus::failed);
    EXPECT_THROW(grades_from_json("{}"), std::runtime_error);
}

TEST(GradeReport, TextAndMarkdownSayWhatHappened) {
    const auto text = render_report(ReportFormat::text, {sample(), broken_build()});
    EXPECT_TRUE(contains(text, "alice: 13.33 / 30 points"));
    EXPECT_TRUE(contains(text, "first failing check: Chroot.B"));
    EXPECT_TRUE(contains(text, "exercises/01-chroot/rootfs.cpp is a symbolic link"));
    EXPECT_TRUE(contains(text, "does not build"));
    EXPECT_TRUE(contains(text, "process.cpp:3:1: error: expected ';'"));
    const auto md = render_report(ReportFormat::md, {sample()});
    EXPECT_TRUE(contains(md, "## Kubik: alice \u2014 13.33 / 30 points"));
    EXPECT_TRUE(contains(md, "| 0 \u2014 Title of 00-process | \u2705 passed | 2 / 2 | 10 / 10 |"));
    EXPECT_TRUE(contains(md, "First failing check: `Chroot.B`"));
    EXPECT_TRUE(contains(md, "<details><summary>Hints</summary>"));
}

TEST(GradeReport, CompilerErrorsPicksTheErrorLines) {
    const auto errors = compiler_errors(broken_build().build_log);
    EXPECT_TRUE(contains(errors, "error: expected ';'"));
    EXPECT_TRUE(contains(errors, "3 | int x"));
    EXPECT_FALSE(contains(errors, "[1/3] Building"));
}

TEST(GradeReport, ReportFileNamesStayInTheFolder) {
    EXPECT_EQ(report_file_name("alice", ReportFormat::md), "alice.md");
    EXPECT_EQ(report_file_name("../x", ReportFormat::junit), "_.._x.xml");
    EXPECT_EQ(report_file_name(".hidden", ReportFormat::json), "_.hidden.json");
}
