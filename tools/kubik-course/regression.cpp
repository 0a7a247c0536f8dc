#include "regression.hpp"

#include "i18n.hpp"
#include "student_build.hpp"
#include "tree_ops.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace fs = std::filesystem;
using nlohmann::json;

namespace kubik::course {

namespace {

constexpr std::size_t kChecksNamed = 3;
constexpr std::size_t kFilesNamed = 5;

fs::path record_file(const fs::path& build_dir) { return build_dir / ".kubik-course-passed.json"; }

// "A, B, C and 2 more"
std::string listed(const std::vector<std::string>& items, std::size_t shown) {
    std::string text;
    for (std::size_t i = 0; i < items.size() && i < shown; ++i) text += (i ? ", " : "") + items[i];
    if (items.size() > shown) {
        const auto more = items.size() - shown;
        text += formatted(ngettext(" and %zu more", " and %zu more", more), more);
    }
    return text;
}

} // namespace

PassRecord read_pass_record(const fs::path& build_dir) {
    PassRecord record;
    try {
        const auto document = json::parse(read_file(record_file(build_dir)));
        for (const auto& [id, ticks] : document.at("passed").items()) {
            record[id] = fs::file_time_type(fs::file_time_type::duration(ticks.get<std::int64_t>()));
        }
    } catch (const std::exception&) {
        // No record yet, or a broken one: nothing passed before.
        record.clear();
    }
    return record;
}

void write_pass_record(const fs::path& build_dir, const PassRecord& record) {
    json passed = json::object();
    for (const auto& [id, time] : record) passed[id] = static_cast<std::int64_t>(time.time_since_epoch().count());
    try {
        write_file(record_file(build_dir), json{{"passed", passed}}.dump(2));
    } catch (const std::exception&) {
        // A read-only build folder only loses the record.
    }
}

std::optional<Regression> find_regression(const std::vector<Lesson>& lessons, std::size_t failed,
                                          const std::vector<std::string>& failing_checks, const PassRecord& record,
                                          const ChangedFiles& changed) {
    const auto passed = record.find(lessons.at(failed).id);
    if (passed == record.end()) return std::nullopt;
    Regression regression;
    regression.lesson = failed;
    regression.failing_checks = failing_checks;
    regression.changed_files = changed(lessons[failed], passed->second);
    regression.own_files_changed = !regression.changed_files.empty();
    for (std::size_t i = failed + 1; i < lessons.size(); ++i) {
        const auto files = changed(lessons[i], passed->second);
        if (files.empty()) continue;
        regression.changed_lessons.push_back(i);
        regression.changed_files.insert(regression.changed_files.end(), files.begin(), files.end());
    }
    return regression;
}

std::vector<fs::path> lesson_files_changed_since(const fs::path& code_dir, const Lesson& lesson,
                                                 fs::file_time_type since) {
    std::vector<fs::path> files;
    for (const auto& file : files_modified_after(code_dir / lesson.id, since)) files.push_back(lesson.id / file);
    return files;
}

std::string regression_text(const std::vector<Lesson>& lessons, const Regression& regression) {
    const auto& lesson = lessons.at(regression.lesson);
    const auto checks = listed(regression.failing_checks, kChecksNamed);
    std::string text;
    if (!regression.changed_lessons.empty()) {
        std::vector<std::string> numbers;
        for (const auto index : regression.changed_lessons) numbers.push_back(std::to_string(lessons[index].number));
        std::string later;
        for (std::size_t i = 0; i < numbers.size(); ++i) {
            later += (i == 0 ? "" : i + 1 == numbers.size() ? _(" and ") : ", ") + numbers[i];
        }
        text = formatted(ngettext("Lesson %d passed before; the change to lesson %s broke %s.",
                                  "Lesson %d passed before; the changes to lessons %s broke %s.", numbers.size()),
                         lesson.number, later.c_str(), checks.c_str());
    } else if (regression.own_files_changed) {
        text = formatted(_("Lesson %d passed before; a change to its own files broke %s."), lesson.number,
                         checks.c_str());
    } else {
        text = formatted(_("Lesson %d passed before, and none of its files or later lessons' files changed since; "
                           "%s fails now: the runtime (src/), the checks or the machine changed."),
                         lesson.number, checks.c_str());
    }
    std::string out = "\n  " + text + "\n";
    if (!regression.changed_files.empty()) {
        std::vector<std::string> files;
        for (const auto& file : regression.changed_files) files.push_back(file.generic_string());
        out += "  " + formatted(_("Changed since it passed: %s"), listed(files, kFilesNamed).c_str()) + "\n";
        out += "  " + formatted(_("Look at what it changed in the code lesson %d relies on; the lesson's hints, "
                                  "written for a first try, are left out here."),
                                lesson.number) +
               "\n";
    }
    return out;
}

} // namespace kubik::course
