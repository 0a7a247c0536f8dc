#include "progress.hpp"

#include "i18n.hpp"
#include "scoring.hpp"

#include <nlohmann/json.hpp>

#include <system_error>

namespace fs = std::filesystem;

namespace kubik::course {

const char* to_string(LessonState state) {
    switch (state) {
    case LessonState::done: return "done";
    case LessonState::in_progress: return "in progress";
    case LessonState::not_started: return "not started";
    }
    return "?";
}

const char* shown(LessonState state) {
    switch (state) {
    case LessonState::done: return _("done");
    case LessonState::in_progress: return _("in progress");
    case LessonState::not_started: return _("not started");
    }
    return "?";
}

LessonProgress lesson_progress(const Lesson& lesson, const TestRun& run) {
    const auto outcome = outcome_from_run(run, {}, 0);
    LessonProgress progress;
    progress.total = outcome.checks.size();
    std::vector<GradedLesson> scored = score_lessons({lesson}, {outcome}, Language::en);
    bool all_stubs = true;
    for (const auto& check : scored.front().outcome.checks) {
        if (check.status == CheckStatus::passed) {
            ++progress.passed;
            progress.raw_points += check.max_points;
            continue;
        }
        if (progress.first_failure.empty()) progress.first_failure = check.name;
        if (check.message.find("not implemented yet") == std::string::npos) all_stubs = false;
    }
    if (outcome.status == LessonStatus::passed) {
        progress.state = LessonState::done;
        progress.raw_points = lesson.points;
        progress.first_failure.clear();
    } else if (progress.passed == 0 && (all_stubs || outcome.checks.empty())) {
        progress.state = LessonState::not_started;
    } else {
        progress.state = LessonState::in_progress;
    }
    if (progress.first_failure.empty() && progress.state != LessonState::done) progress.first_failure = outcome.summary;
    return progress;
}

double gated_points(const std::vector<LessonProgress>& progress) {
    double points = 0;
    for (const auto& lesson : progress) {
        points += lesson.raw_points;
        if (lesson.state != LessonState::done) break;
    }
    return points;
}

std::optional<std::size_t> next_lesson(const std::vector<LessonProgress>& progress) {
    for (std::size_t i = 0; i < progress.size(); ++i) {
        if (progress[i].state != LessonState::done) return i;
    }
    return std::nullopt;
}

std::string build_key(const fs::path& build_dir, const Lesson& lesson) {
    std::string key;
    for (const auto& file : {build_dir / "tests" / lesson.test_binary, build_dir / "kubik", build_dir / "kubik-monitor"}) {
        std::error_code ec;
        const auto size = fs::file_size(file, ec);
        if (ec) {
            key += "-;";
            continue;
        }
        const auto time = fs::last_write_time(file, ec);
        key += std::to_string(size) + "@" + std::to_string(time.time_since_epoch().count()) + ";";
    }
    return key;
}

std::optional<fs::file_time_type> newest_file(const fs::path& folder) {
    std::optional<fs::file_time_type> newest;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const auto time = it->last_write_time(ec);
        if (!ec && (!newest || time > *newest)) newest = time;
    }
    return newest;
}

nlohmann::json to_json(const LessonProgress& progress) {
    return {{"state", to_string(progress.state)},
            {"passed", progress.passed},
            {"total", progress.total},
            {"raw_points", progress.raw_points},
            {"first_failure", progress.first_failure}};
}

LessonProgress progress_from_json(const nlohmann::json& json) {
    LessonProgress progress;
    const auto state = json.at("state").get<std::string>();
    progress.state = state == "done"          ? LessonState::done
                     : state == "in progress" ? LessonState::in_progress
                                              : LessonState::not_started;
    progress.passed = json.at("passed").get<std::size_t>();
    progress.total = json.at("total").get<std::size_t>();
    progress.raw_points = json.at("raw_points").get<double>();
    progress.first_failure = json.at("first_failure").get<std::string>();
    return progress;
}

std::string progress_bar(std::size_t done, std::size_t total, std::size_t width) {
    const std::size_t filled = total == 0 ? 0 : (done * width + total / 2) / total;
    std::string bar = "[";
    for (std::size_t i = 0; i < width; ++i) bar += i < filled ? "\u2588" : "\u2591";
    return bar + "]";
}

} // namespace kubik::course
