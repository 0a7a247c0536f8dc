// The solutions/ → exercises/ tree: what the generator would write, how the
// committed exercises/ differ from it, and bringing them in line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::tools {

/// One file of the generated exercises tree.
struct ExerciseFile {
    std::filesystem::path relative; ///< the same path under solutions/ and exercises/
    std::string content;
    std::filesystem::perms permissions = std::filesystem::perms::none;
};

/// A marker problem, located like a compiler diagnostic.
struct SourceError {
    std::filesystem::path file; ///< relative to solutions/
    int line = 0;
    std::string message;
};

/// Everything generated from solutions/, or why it can't be.
struct GeneratedTree {
    std::vector<ExerciseFile> files; ///< sorted by path
    std::vector<SourceError> errors;
};

/// Reads every file under `solutions` and applies the marker rules. The lesson
/// of a file is the first folder of its relative path (`01-chroot/...`).
/// Files containing NUL bytes are taken as binary and copied unchanged.
GeneratedTree generate_tree(const std::filesystem::path& solutions);

enum class Drift { stale, missing, extra };

/// A file of exercises/ that is not what the generator would write.
struct Difference {
    std::filesystem::path relative;
    Drift kind = Drift::stale;
};

/// Compares `generated` with the files under `exercises` (which may not exist).
std::vector<Difference> compare_tree(const GeneratedTree& generated, const std::filesystem::path& exercises);

/// Makes `exercises` match `generated`: writes stale and missing files, removes
/// extra ones and folders left empty. Untouched files keep their timestamps, so
/// regenerating does not make the student build recompile everything.
void apply_differences(const GeneratedTree& generated, const std::vector<Difference>& differences,
                       const std::filesystem::path& exercises);

} // namespace kubik::tools
