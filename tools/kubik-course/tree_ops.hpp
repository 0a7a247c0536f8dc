// Copying and removing trees the way grading needs: copies keep timestamps
// (so a build copied along with its sources stays up to date), removal never
// crosses into a mount the tests left behind.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kubik::course {

/// Called with each path relative to the copy's root; false leaves it (and
/// everything below it) out.
using CopyFilter = std::function<bool(const std::filesystem::path& relative, bool is_directory)>;

/// Copies `from` to `to` (created): regular files with their permissions and
/// modification times, folders, and symbolic links as links. Anything else
/// (sockets, pipes, devices) is skipped.
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to, const CopyFilter& filter = {});

/// One line of /proc/self/mountinfo: where, and which filesystem type.
struct Mount {
    std::filesystem::path point; ///< unescaped ("\040" is a blank)
    std::string type;            ///< "overlay", "cgroup2", ...
};

/// Every mount of our mount namespace, in mountinfo's order.
std::vector<Mount> read_mountinfo();

/// Mount points at `path` or below it, deepest first (from /proc/self/mountinfo).
std::vector<std::filesystem::path> mounts_below(const std::filesystem::path& path);

/// Detaches every mount at or below `path`. Returns the ones that are still
/// there afterwards.
std::vector<std::filesystem::path> unmount_below(const std::filesystem::path& path);

/// Unmounts what is below `path`, then removes it without leaving its file
/// system. Returns what could not be removed (for a warning); never throws.
std::vector<std::string> remove_tree(const std::filesystem::path& path);

/// After a test program was killed (time limit, Ctrl-C) its tests had no
/// chance to clean up: removes the state roots under `build_dir/test-roots`
/// changed since `since` (mounts first). Returns what could not be removed.
std::vector<std::string> clean_test_roots(const std::filesystem::path& build_dir,
                                          std::filesystem::file_time_type since);

/// Writes `content` to `path` (parents created), replacing it.
void write_file(const std::filesystem::path& path, const std::string& content);

/// The whole file; throws std::runtime_error when it can't be read.
std::string read_file(const std::filesystem::path& path);

} // namespace kubik::course
