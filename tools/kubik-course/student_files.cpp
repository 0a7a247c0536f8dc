#include "student_files.hpp"

#include "exercise_tree.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace kubik::course {

bool has_solutions(const fs::path& course) { return fs::is_directory(course / "solutions"); }

std::vector<ExerciseFile> pristine_exercises(const fs::path& course) {
    std::vector<ExerciseFile> files;
    if (has_solutions(course)) {
        const auto tree = kubik::tools::generate_tree(course / "solutions");
        if (!tree.errors.empty()) {
            const auto& first = tree.errors.front();
            throw std::runtime_error("solutions/" + first.file.string() + ":" + std::to_string(first.line) +
                                     ": error: " + first.message + " (run gen-exercises for the full list)");
        }
        for (const auto& file : tree.files) files.push_back({file.relative, file.content, file.permissions});
        return files;
    }
    const auto exercises = course / "exercises";
    if (!fs::is_directory(exercises)) {
        throw std::runtime_error(course.string() + " has neither solutions/ nor exercises/: is it the course?");
    }
    for (const auto& entry : fs::recursive_directory_iterator(exercises)) {
        std::error_code ec;
        if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + entry.path().string());
        files.push_back({entry.path().lexically_relative(exercises),
                         {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()},
                         entry.status().permissions()});
    }
    std::sort(files.begin(), files.end(),
              [](const ExerciseFile& a, const ExerciseFile& b) { return a.relative < b.relative; });
    return files;
}

bool left_out_of_course_copies(const fs::path& course, const fs::path& relative, bool is_directory) {
    if (relative.filename() == ".git") return true;
    if (relative == relative.filename()) {
        static const std::set<std::string> excluded{"solutions", "exercises", ".git",   ".github", ".vagrant",
                                                    ".cache",    ".idea",     ".vscode", "test-roots"};
        const auto top = relative.string();
        if (excluded.contains(top)) return true;
        if (is_directory && (top == "build" || top.starts_with("build-"))) return true;
    }
    // Someone's build folder, whatever its name.
    return is_directory && fs::exists(course / relative / "CMakeCache.txt");
}

} // namespace kubik::course
