// Writing tar entries into a directory, never outside it.
//
// A layer comes from outside (a downloaded image, a tar a user gave), and tar
// lets an entry be named "../../etc/cron.d/x", "/etc/passwd", or go through a
// symlink an earlier entry made ("lnk -> /", then "lnk/etc/shadow"). Every
// path here is resolved from the layer directory's descriptor with
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
// RESOLVE_NO_XDEV): the kernel itself refuses any walk that would leave it.
#pragma once

#include "core/unique_fd.hpp"
#include "image/tar_reader.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::image {

/// A directory (an empty layer directory) that tar entries are created in.
class LayerRoot {
public:
    /// Opens `dir`, which must exist.
    explicit LayerRoot(const std::filesystem::path& dir);

    /// The directory's descriptor.
    int fd() const { return dir_.get(); }
    /// The directory's path, for messages.
    const std::filesystem::path& path() const { return path_; }

    // [docs:layer-root-api]
    /// Where an entry goes: its parent directory, opened, and its last name.
    struct Parent {
        UniqueFd dir;     ///< the parent directory, inside the layer
        std::string name; ///< the entry's own name in it ("passwd")
    };
    /// Resolves the parent of `entry_path` (a tar path: "./a/b", "a/b/") inside
    /// the layer, creating missing parent directories (0755, root). Throws
    /// kubik::Error naming the entry when the path is absolute, has a ".."
    /// component, is empty, or goes through a symlink or out of the directory.
    Parent parent_of(const std::string& entry_path);

    /// Creates `entry` (its data read from `tar`) with its owner, mode, mtime
    /// and xattrs. An existing non-directory of the same name is replaced; an
    /// existing directory is kept and given the entry's metadata. A hardlink
    /// must name an entry already in this layer. Throws kubik::Error naming
    /// the entry on any refusal or failure.
    void extract(const TarEntry& entry, TarReader& tar);

    /// Sets the directories' mtimes (creating entries in a directory changes
    /// its mtime, so they are set last). Call once, after the last entry.
    void finish();
    // [docs:layer-root-api end]

private:
    std::filesystem::path path_;
    UniqueFd dir_;
    struct DirTime {
        std::string path;
        struct timespec mtime;
    };
    std::vector<DirTime> dir_times_;
    // The parent directory of the last entry: a layer lists a directory's
    // entries together, so most entries need no path walk at all.
    std::string cached_dir_path_;
    UniqueFd cached_dir_;

    /// The descriptor of directory `dir` (normalised, "" = the layer), made
    /// if missing; borrowed (the cache or fd()). `entry_path` is for errors.
    int dir_fd(const std::string& dir, const std::string& entry_path);
};

} // namespace kubik::image
