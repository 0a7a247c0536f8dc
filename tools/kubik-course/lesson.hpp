// A lesson's metadata: lessons/NN-topic/lesson.json (format in tools/README.md).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::course {

/// The languages lesson texts, titles and hints are written in.
enum class Language { en, ru };

/// "en" or "ru"; throws std::invalid_argument otherwise.
Language parse_language(std::string_view code);

/// A text given in every course language.
struct Localized {
    std::string en;
    std::string ru;
    const std::string& in(Language language) const { return language == Language::ru ? ru : en; }
};

/// A function the student writes in this lesson, and the file it lives in
/// (relative to exercises/NN-topic/).
struct LessonFunction {
    std::string name;
    std::string file;
};

struct Lesson {
    int number = 0;
    std::string id; ///< the folder name, "01-chroot"
    Localized title;
    int points = 0;
    std::string test_binary; ///< file name in BUILD/tests/
    std::vector<LessonFunction> functions;
    std::vector<std::string> hints_en;
    std::vector<std::string> hints_ru;
    /// Optional: points of single checks ("Suite.Name" → points). Checks not
    /// listed share what is left of `points` evenly (see tools/README.md).
    std::map<std::string, int> test_points;

    /// The topic part of the id: "chroot" for "01-chroot".
    std::string topic() const;
    const std::vector<std::string>& hints(Language language) const {
        return language == Language::ru ? hints_ru : hints_en;
    }
};

/// lesson.json that doesn't follow the format; the message names the file and field.
class LessonFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Validates and converts one lesson.json. `folder` is the lesson's folder
/// name, which `id` must equal; `source` names the file in error messages.
Lesson parse_lesson(const nlohmann::json& json, std::string_view folder, const std::string& source);

/// Reads every `lessons_dir/*/lesson.json`, ordered by lesson number. Numbers
/// must be unique and start at 0 without gaps, so "lessons 0..N" is meaningful.
std::vector<Lesson> load_lessons(const std::filesystem::path& lessons_dir);

/// Finds a lesson by number ("1", "01"), folder name ("01-chroot") or topic
/// ("chroot"). Returns its index in `lessons`; throws std::invalid_argument
/// when nothing matches.
std::size_t find_lesson(const std::vector<Lesson>& lessons, std::string_view selector);

} // namespace kubik::course
