// gen-exercises: makes exercises/ from solutions/ (or, with --check, says
// whether the committed exercises/ are what it would make).

#include "exercise_tree.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

namespace fs = std::filesystem;
using namespace kubik::tools;

namespace {

constexpr const char* kRegenerate = "run `cmake --build build --target exercises`";

// Messages name files the way the author sees them in the repository
// ("exercises/01-chroot/rootfs.cpp"), not by the absolute paths CMake passes.
fs::path shown(const fs::path& root, const fs::path& relative) {
    auto name = root.lexically_normal();
    if (!name.has_filename()) name = name.parent_path();
    const auto base = name.filename();
    return (base.empty() || base == "." || base == "..") ? root / relative : base / relative;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
    const auto rel = inner.lexically_relative(outer);
    return !rel.empty() && *rel.begin() != "..";
}

int report_errors(const GeneratedTree& tree, const fs::path& solutions, const fs::path& exercises) {
    for (const auto& error : tree.errors) {
        std::cerr << shown(solutions, error.file).string() << ":" << error.line << ": error: " << error.message << "\n";
    }
    std::cerr << "gen-exercises: " << tree.errors.size() << " marker error(s); "
              << shown(exercises, "").string() << " left unchanged\n";
    return 1;
}

int check(const GeneratedTree& tree, const std::vector<Difference>& differences, const fs::path& exercises) {
    for (const auto& difference : differences) {
        const auto name = shown(exercises, difference.relative).string();
        switch (difference.kind) {
        case Drift::stale: std::cerr << name << " is stale: " << kRegenerate << "\n"; break;
        case Drift::missing: std::cerr << name << " is missing: " << kRegenerate << "\n"; break;
        case Drift::extra: std::cerr << name << " has no counterpart in solutions/: " << kRegenerate << "\n"; break;
        }
    }
    if (!differences.empty()) {
        std::cerr << "gen-exercises: " << differences.size() << " file(s) of " << shown(exercises, "").string()
                  << " differ from what solutions/ generates\n";
        return 1;
    }
    std::cout << shown(exercises, "").string() << " is up to date (" << tree.files.size() << " files)\n";
    return 0;
}

int update(const GeneratedTree& tree, const std::vector<Difference>& differences, const fs::path& exercises) {
    apply_differences(tree, differences, exercises);
    for (const auto& difference : differences) {
        std::cout << (difference.kind == Drift::extra ? "removed " : "wrote ")
                  << shown(exercises, difference.relative).string() << "\n";
    }
    std::cout << "gen-exercises: " << shown(exercises, "").string() << " has " << tree.files.size() << " files, "
              << differences.size() << " changed\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Generates the student's exercises/ from the reference solutions/ (see docs/architecture.md)."};
    fs::path solutions;
    fs::path exercises;
    bool check_only = false;
    app.add_option("--solutions", solutions, "the solutions/ folder to read")->required();
    app.add_option("--exercises", exercises, "the exercises/ folder to write")->required();
    app.add_flag("--check", check_only, "write nothing; exit 1 if exercises/ differ from what would be written");
    CLI11_PARSE(app, argc, argv);

    try {
        const auto solutions_abs = fs::weakly_canonical(solutions);
        const auto exercises_abs = fs::weakly_canonical(exercises);
        // Generating into (or over) the sources would delete them as "extra".
        if (solutions_abs == exercises_abs || is_within(exercises_abs, solutions_abs) ||
            is_within(solutions_abs, exercises_abs)) {
            std::cerr << "gen-exercises: error: --solutions and --exercises must be separate folders\n";
            return 1;
        }
        const auto tree = generate_tree(solutions);
        if (!tree.errors.empty()) return report_errors(tree, solutions, exercises);
        const auto differences = compare_tree(tree, exercises);
        return check_only ? check(tree, differences, exercises) : update(tree, differences, exercises);
    } catch (const std::exception& e) {
        std::cerr << "gen-exercises: error: " << e.what() << "\n";
        return 1;
    }
}
