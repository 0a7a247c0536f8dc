#include "exercise_tree.hpp"

#include "exercise_text.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>

namespace fs = std::filesystem;

namespace kubik::tools {

namespace {

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::optional<LessonFolder> lesson_of(const fs::path& relative) {
    if (std::distance(relative.begin(), relative.end()) < 2) return std::nullopt;
    return parse_lesson_folder(relative.begin()->string());
}

// Every non-folder under `root`, relative to it, sorted so output and
// diagnostics come in a stable order.
std::vector<fs::path> files_under(const fs::path& root) {
    std::vector<fs::path> files;
    if (!fs::exists(root)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_directory()) files.push_back(entry.path().lexically_relative(root));
    }
    std::sort(files.begin(), files.end());
    return files;
}

void remove_empty_folders(const fs::path& root) {
    std::vector<fs::path> folders;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_directory() && !entry.is_symlink()) folders.push_back(entry.path());
    }
    // Deepest first, so a parent is looked at after its children are gone.
    std::sort(folders.begin(), folders.end(),
              [](const fs::path& a, const fs::path& b) { return a.native().size() > b.native().size(); });
    for (const auto& folder : folders) {
        if (fs::is_empty(folder)) fs::remove(folder);
    }
}

} // namespace

GeneratedTree generate_tree(const fs::path& solutions) {
    if (!fs::is_directory(solutions)) throw std::runtime_error(solutions.string() + " is not a directory");
    GeneratedTree tree;
    for (const auto& relative : files_under(solutions)) {
        const auto source = solutions / relative;
        ExerciseFile file{relative, read_bytes(source), fs::status(source).permissions()};
        if (file.content.find('\0') == std::string::npos) {
            auto exercise = make_exercise_text(file.content, lesson_of(relative));
            for (auto& error : exercise.errors) tree.errors.push_back({relative, error.line, std::move(error.message)});
            file.content = std::move(exercise.text);
        }
        tree.files.push_back(std::move(file));
    }
    return tree;
}

std::vector<Difference> compare_tree(const GeneratedTree& generated, const fs::path& exercises) {
    std::map<fs::path, Drift> found;
    std::map<fs::path, bool> expected;
    for (const auto& file : generated.files) {
        const auto target = exercises / file.relative;
        expected[file.relative] = true;
        if (!fs::is_regular_file(target)) {
            found[file.relative] = Drift::missing;
        } else if (read_bytes(target) != file.content) {
            found[file.relative] = Drift::stale;
        }
    }
    for (const auto& relative : files_under(exercises)) {
        if (!expected.contains(relative)) found[relative] = Drift::extra;
    }
    std::vector<Difference> differences;
    for (const auto& [relative, kind] : found) differences.push_back({relative, kind});
    return differences;
}

void apply_differences(const GeneratedTree& generated, const std::vector<Difference>& differences,
                       const fs::path& exercises) {
    std::map<fs::path, const ExerciseFile*> by_path;
    for (const auto& file : generated.files) by_path[file.relative] = &file;

    // Removals first: a file that replaces a folder (or the other way round)
    // needs the old one gone before it can be written.
    for (const auto& difference : differences) {
        if (difference.kind == Drift::extra) fs::remove(exercises / difference.relative);
    }
    for (const auto& difference : differences) {
        if (difference.kind == Drift::extra) continue;
        const auto target = exercises / difference.relative;
        const auto& file = *by_path.at(difference.relative);
        // A folder or link in the way of a file would make the write fail
        // halfway; clear it first.
        if (fs::is_directory(fs::symlink_status(target))) fs::remove_all(target);
        fs::create_directories(target.parent_path());
        write_bytes(target, file.content);
        fs::permissions(target, file.permissions);
    }
    if (fs::exists(exercises)) remove_empty_folders(exercises);
}

} // namespace kubik::tools
