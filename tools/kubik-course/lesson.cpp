#include "lesson.hpp"
#include "i18n.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace kubik::course {

namespace {

// Reads fields of one JSON object and says precisely which one is wrong,
// because course authors edit these files by hand.
class FieldReader {
public:
    FieldReader(const json& object, std::string source, std::string prefix = "")
        : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {
        if (!object_.is_object()) {
            throw LessonFormatError(prefix_.empty()
                                        ? formatted(_("%s: the top level must be a JSON object"), source_.c_str())
                                        : formatted(_("%s: \"%s\" must be a JSON object"), source_.c_str(),
                                                    prefix_.c_str()));
        }
    }

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
        // TRANSLATORS: 'lessons/00-process/lesson.json: "points" is missing'.
        throw LessonFormatError(formatted(_("%s: \"%s\" %s"), source_.c_str(), field.c_str(), problem.c_str()));
    }

    std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

    const json& field(const std::string& key) const {
        const auto it = object_.find(key);
        if (it == object_.end()) fail(path(key), _("is missing"));
        return *it;
    }

    int non_negative_int(const std::string& key) const {
        const auto& value = field(key);
        if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 1000000) {
            fail(path(key), _("must be a non-negative integer"));
        }
        return value.get<int>();
    }

    std::string text(const std::string& key) const {
        const auto& value = field(key);
        if (!value.is_string() || value.get<std::string>().empty()) fail(path(key), _("must be a non-empty string"));
        return value.get<std::string>();
    }

    std::vector<std::string> texts(const std::string& key) const {
        const auto& value = field(key);
        if (!value.is_array() || value.empty()) fail(path(key), _("must be a non-empty array of strings"));
        std::vector<std::string> result;
        for (const auto& item : value) {
            if (!item.is_string() || item.get<std::string>().empty()) {
                fail(path(key), _("must contain only non-empty strings"));
            }
            result.push_back(item.get<std::string>());
        }
        return result;
    }

    FieldReader object(const std::string& key) const { return FieldReader(field(key), source_, path(key)); }

    // Unknown keys are rejected: a misspelt "hint" would otherwise vanish silently.
    void only(const std::set<std::string>& keys) const {
        for (const auto& [key, value] : object_.items()) {
            if (!keys.contains(key)) fail(path(key), _("is not a known field"));
        }
    }

    const std::string& source() const { return source_; }

private:
    const json& object_;
    std::string source_;
    std::string prefix_;
};

bool parse_int(std::string_view text, int& value) {
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && ptr == end && !text.empty();
}

// "lessons" for "/work/kubik/lessons/": errors name files as the author sees
// them in the repository, not by the absolute path the tool was built with.
fs::path folder_name(const fs::path& dir) {
    auto normal = dir.lexically_normal();
    if (!normal.has_filename()) normal = normal.parent_path();
    return normal.filename();
}

} // namespace

Language parse_language(std::string_view code) {
    if (code == "en") return Language::en;
    if (code == "ru") return Language::ru;
    throw std::invalid_argument(formatted(_("unknown language '%s' (expected en or ru)"), std::string(code).c_str()));
}

std::string Lesson::topic() const {
    const auto dash = id.find('-');
    return dash == std::string::npos ? id : id.substr(dash + 1);
}

Lesson parse_lesson(const json& document, std::string_view folder, const std::string& source) {
    const FieldReader reader(document, source);
    reader.only({"number", "id", "title", "points", "test_binary", "functions", "hints", "test_points"});

    Lesson lesson;
    lesson.number = reader.non_negative_int("number");
    lesson.id = reader.text("id");
    if (lesson.id != folder) reader.fail("id", formatted(_("must equal the folder name '%s'"), std::string(folder).c_str()));
    const auto dash = lesson.id.find('-');
    int id_number = -1;
    if (dash == std::string::npos || !parse_int(std::string_view(lesson.id).substr(0, dash), id_number) ||
        id_number != lesson.number) {
        reader.fail("id", _("must be NN-topic with NN equal to \"number\""));
    }

    const auto title = reader.object("title");
    title.only({"en", "ru"});
    lesson.title = {title.text("en"), title.text("ru")};

    lesson.points = reader.non_negative_int("points");

    lesson.test_binary = reader.text("test_binary");
    if (lesson.test_binary.find('/') != std::string::npos) {
        reader.fail("test_binary", _("must be a file name in BUILD/tests/, without '/'"));
    }

    const auto& functions = reader.field("functions");
    if (!functions.is_array() || functions.empty()) reader.fail("functions", _("must be a non-empty array"));
    for (std::size_t i = 0; i < functions.size(); ++i) {
        const FieldReader function(functions[i], source, "functions[" + std::to_string(i) + "]");
        function.only({"name", "file"});
        lesson.functions.push_back({function.text("name"), function.text("file")});
    }

    // Optional per-check points; the rest of the lesson's points is shared by
    // the checks not listed, so their sum may not exceed "points".
    if (const auto it = document.find("test_points"); it != document.end()) {
        if (!it->is_object()) reader.fail("test_points", _("must be an object of \"Suite.Name\": points"));
        long long sum = 0;
        for (const auto& [name, value] : it->items()) {
            if (name.empty() || name.find('.') == std::string::npos || name.find(' ') != std::string::npos) {
                reader.fail("test_points." + name, _("must name a check as Suite.Name"));
            }
            if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 1000000) {
                reader.fail("test_points." + name, _("must be a non-negative integer"));
            }
            sum += value.get<long long>();
            lesson.test_points[name] = value.get<int>();
        }
        if (sum > lesson.points) {
            reader.fail("test_points", formatted(ngettext("adds up to %lld, more than the lesson's %d point",
                                                          "adds up to %lld, more than the lesson's %d points",
                                                          static_cast<unsigned long>(lesson.points)),
                                                 sum, lesson.points));
        }
    }

    const auto hints = reader.object("hints");
    hints.only({"en", "ru"});
    lesson.hints_en = hints.texts("en");
    lesson.hints_ru = hints.texts("ru");
    // The two languages are translations of each other; a different count
    // means one of them was edited and the other forgotten.
    if (lesson.hints_en.size() != lesson.hints_ru.size()) {
        hints.fail(hints.path("ru"), formatted(ngettext("has %zu hint but \"hints.en\" has %zu",
                                                        "has %zu hints but \"hints.en\" has %zu", lesson.hints_ru.size()),
                                               lesson.hints_ru.size(), lesson.hints_en.size()));
    }
    return lesson;
}

std::vector<Lesson> load_lessons(const fs::path& lessons_dir) {
    if (!fs::is_directory(lessons_dir)) throw LessonFormatError(formatted(_("%s is not a directory"), lessons_dir.c_str()));
    std::vector<Lesson> lessons;
    for (const auto& entry : fs::directory_iterator(lessons_dir)) {
        const auto file = entry.path() / "lesson.json";
        if (!entry.is_directory() || !fs::exists(file)) continue;
        const auto source = (folder_name(lessons_dir) / entry.path().filename() / "lesson.json").string();
        std::ifstream in(file);
        json document;
        try {
            document = json::parse(in);
        } catch (const json::parse_error& e) {
            throw LessonFormatError(formatted(_("%s: not valid JSON: %s"), source.c_str(), e.what()));
        }
        lessons.push_back(parse_lesson(document, entry.path().filename().string(), source));
    }
    std::sort(lessons.begin(), lessons.end(), [](const Lesson& a, const Lesson& b) { return a.number < b.number; });
    for (std::size_t i = 0; i < lessons.size(); ++i) {
        if (lessons[i].number != static_cast<int>(i)) {
            throw LessonFormatError(formatted(_("%s: lesson numbers must be 0, 1, 2, ... without gaps or repeats; "
                                                "found %s at position %zu"),
                                              lessons_dir.c_str(), lessons[i].id.c_str(), i));
        }
    }
    if (lessons.empty()) throw LessonFormatError(formatted(_("no lessons found in %s"), lessons_dir.c_str()));
    return lessons;
}

std::size_t find_lesson(const std::vector<Lesson>& lessons, std::string_view selector) {
    int number = -1;
    const bool is_number = parse_int(selector, number);
    for (std::size_t i = 0; i < lessons.size(); ++i) {
        const auto& lesson = lessons[i];
        if ((is_number && lesson.number == number) || lesson.id == selector || lesson.topic() == selector) return i;
    }
    throw std::invalid_argument(
        formatted(_("no lesson '%s' (try `kubik-course list`)"), std::string(selector).c_str()));
}

} // namespace kubik::course
