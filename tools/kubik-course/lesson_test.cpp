#include "lesson.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

namespace fs = std::filesystem;
using namespace kubik::course;
using nlohmann::json;

namespace {

json valid_lesson() {
    return json::parse(R"({
        "number": 1,
        "id": "01-chroot",
        "title": {"en": "Chroot", "ru": "Chroot"},
        "points": 10,
        "test_binary": "test-01-chroot",
        "functions": [{"name": "enter_rootfs", "file": "rootfs.cpp"}],
        "hints": {"en": ["one", "two"], "ru": ["один", "два"]}
    })");
}

std::string error_of(const json& document, std::string_view folder = "01-chroot") {
    try {
        parse_lesson(document, folder, "lessons/01-chroot/lesson.json");
    } catch (const LessonFormatError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(Lesson, ParsesEveryField) {
    const auto lesson = parse_lesson(valid_lesson(), "01-chroot", "x");
    EXPECT_EQ(lesson.number, 1);
    EXPECT_EQ(lesson.id, "01-chroot");
    EXPECT_EQ(lesson.topic(), "chroot");
    EXPECT_EQ(lesson.title.in(Language::ru), "Chroot");
    EXPECT_EQ(lesson.points, 10);
    EXPECT_EQ(lesson.test_binary, "test-01-chroot");
    ASSERT_EQ(lesson.functions.size(), 1u);
    EXPECT_EQ(lesson.functions[0].file, "rootfs.cpp");
    EXPECT_EQ(lesson.hints(Language::ru)[1], "два");
    EXPECT_EQ(lesson.hints(Language::en)[0], "one");
}

TEST(Lesson, ErrorsNameTheFileAndField) {
    auto document = valid_lesson();
    document["title"].erase("ru");
    EXPECT_EQ(error_of(document), "lessons/01-chroot/lesson.json: \"title.ru\" is missing");
}

TEST(Lesson, RejectsInconsistentIds) {
    EXPECT_NE(error_of(valid_lesson(), "02-namespaces").find("\"id\" must equal the folder name"), std::string::npos);
    auto document = valid_lesson();
    document["number"] = 2;
    EXPECT_NE(error_of(document).find("NN equal to \"number\""), std::string::npos);
}

TEST(Lesson, RejectsHintsThatDriftApart) {
    auto document = valid_lesson();
    document["hints"]["ru"].push_back("три");
    EXPECT_NE(error_of(document).find("\"hints.ru\" has 3 hints but \"hints.en\" has 2"), std::string::npos);
}

TEST(Lesson, RejectsUnknownAndMistypedFields) {
    auto unknown = valid_lesson();
    unknown["hint"] = "typo";
    EXPECT_NE(error_of(unknown).find("\"hint\" is not a known field"), std::string::npos);
    auto negative = valid_lesson();
    negative["points"] = -1;
    EXPECT_NE(error_of(negative).find("\"points\" must be a non-negative integer"), std::string::npos);
    auto path = valid_lesson();
    path["test_binary"] = "tests/test-01-chroot";
    EXPECT_NE(error_of(path).find("\"test_binary\""), std::string::npos);
    auto function = valid_lesson();
    function["functions"][0].erase("file");
    EXPECT_NE(error_of(function).find("\"functions[0].file\" is missing"), std::string::npos);
    auto empty_hint = valid_lesson();
    empty_hint["hints"]["en"][0] = "";
    EXPECT_NE(error_of(empty_hint).find("\"hints.en\""), std::string::npos);
}

TEST(Lesson, FindsLessonsByNumberIdOrTopic) {
    std::vector<Lesson> lessons(3);
    lessons[0].number = 0;
    lessons[0].id = "00-process";
    lessons[1].number = 1;
    lessons[1].id = "01-chroot";
    lessons[2].number = 2;
    lessons[2].id = "02-namespaces";
    EXPECT_EQ(find_lesson(lessons, "1"), 1u);
    EXPECT_EQ(find_lesson(lessons, "01"), 1u);
    EXPECT_EQ(find_lesson(lessons, "02-namespaces"), 2u);
    EXPECT_EQ(find_lesson(lessons, "process"), 0u);
    EXPECT_THROW(find_lesson(lessons, "7"), std::invalid_argument);
    EXPECT_THROW(find_lesson(lessons, "1x"), std::invalid_argument);
}

TEST(Lesson, LoadsLessonsInNumberOrderAndRequiresNoGaps) {
    std::string pattern = (fs::temp_directory_path() / "kubik-course-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const fs::path lessons = fs::path(pattern) / "lessons";
    auto write = [&](const std::string& id, int number) {
        auto document = valid_lesson();
        document["id"] = id;
        document["number"] = number;
        fs::create_directories(lessons / id);
        std::ofstream(lessons / id / "lesson.json") << document.dump(2);
    };
    write("01-chroot", 1);
    write("00-process", 0);
    fs::create_directories(lessons / "assets"); // a folder without lesson.json is not a lesson
    const auto loaded = load_lessons(lessons);
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0].id, "00-process");
    EXPECT_EQ(loaded[1].id, "01-chroot");

    write("03-cgroups", 3);
    EXPECT_THROW(load_lessons(lessons), LessonFormatError);
    fs::remove_all(pattern);
}

TEST(Lesson, TestPointsAreOptional) {
    EXPECT_TRUE(parse_lesson(valid_lesson(), "01-chroot", "x").test_points.empty());
    auto document = valid_lesson();
    document["test_points"] = {{"Chroot.Escape", 4}, {"Chroot.Works", 6}};
    const auto lesson = parse_lesson(document, "01-chroot", "x");
    EXPECT_EQ(lesson.test_points.at("Chroot.Escape"), 4);
    EXPECT_EQ(lesson.test_points.size(), 2u);
}

TEST(Lesson, TestPointsMustNameChecksAndFitTheLesson) {
    auto document = valid_lesson();
    document["test_points"] = {{"NoDot", 1}};
    EXPECT_NE(error_of(document).find("must name a check as Suite.Name"), std::string::npos);
    document["test_points"] = {{"A.B", -1}};
    EXPECT_NE(error_of(document).find("non-negative integer"), std::string::npos);
    document["test_points"] = {{"A.B", 6}, {"A.C", 5}};
    EXPECT_NE(error_of(document).find("adds up to 11, more than the lesson's 10 points"), std::string::npos);
    document["test_points"] = json::array();
    EXPECT_NE(error_of(document).find("must be an object"), std::string::npos);
}
