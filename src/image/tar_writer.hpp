// Writing a layer: an uncompressed POSIX (pax) tar, through libarchive.
//
// The bytes must be the same every time for the same files (lesson 7's build
// cache and every digest depend on it), so entries are written in the order
// they are added and nothing but their own metadata goes in.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace kubik::image {

/// Writes tar entries to a file descriptor and hashes them as they go.
class TarWriter {
public:
    /// Writes to `fd` (not owned). `what` names the tar in errors.
    TarWriter(int fd, std::string what);
    ~TarWriter();
    TarWriter(const TarWriter&) = delete;
    TarWriter& operator=(const TarWriter&) = delete;

    /// Adds the file at `disk_path` (not followed if a symlink) as `entry_path`
    /// ("etc/passwd", no leading "/" or "./"): its type, mode, owner, mtime,
    /// data, symlink target, device numbers and xattrs, except overlayfs's own
    /// "trusted.overlay.*" ones. A second path to an inode already added
    /// becomes a hardlink entry to the first.
    void add_from_disk(const std::filesystem::path& disk_path, const std::string& entry_path);
    /// Adds an empty regular file `entry_path` (mode 0644, root, mtime 0):
    /// the form OCI whiteouts take in a tar (".wh.NAME", ".wh..wh..opq").
    void add_empty_file(const std::string& entry_path);
    /// Writes the end-of-archive blocks. Call once, after the last entry.
    void finish();

    /// After finish(): "sha256:…" of every byte written (the layer's diff ID).
    const std::string& digest() const;
    /// Bytes written so far.
    std::uint64_t size() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace kubik::image
