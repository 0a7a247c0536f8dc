// Reading a layer: a tar stream, plain, gzip- or zstd-compressed, through libarchive.
//
// A layer has two digests: of the bytes as stored (the "compressed digest"
// a manifest names) and of the uncompressed tar (the "diff ID" an image
// config lists). TarReader computes both in one pass while the entries are
// read, so a layer is never read twice.
#pragma once

#include "core/unique_fd.hpp"

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kubik::image {

/// One tar entry's header, as the tar says it (nothing applied yet).
struct TarEntry {
    /// What the entry makes.
    enum class Type { Regular, Directory, Symlink, Hardlink, CharDevice, BlockDevice, Fifo };

    std::string path;        ///< as written in the tar ("./etc/passwd", "etc/", …)
    Type type = Type::Regular; ///< what the entry makes
    mode_t mode = 0;         ///< permission bits, setuid/setgid/sticky included
    uid_t uid = 0;           ///< owner
    gid_t gid = 0;           ///< group
    struct timespec mtime {};
    std::int64_t size = 0;   ///< bytes of data (regular files)
    std::string link_target; ///< symlink's target, or the path a hardlink names
    unsigned dev_major = 0;  ///< device nodes: the major number
    unsigned dev_minor = 0;  ///< device nodes: the minor number
    /// Extended attributes ("security.capability", "user.x", …) with raw values.
    std::vector<std::pair<std::string, std::string>> xattrs;
};

/// Reads the entries of a tar stream from a file descriptor, one by one.
class TarReader {
public:
    /// Reads from `fd` (not owned). `what` names the stream in errors
    /// ("layer sha256:…", "archive busybox.tar").
    TarReader(int fd, std::string what);
    ~TarReader();
    TarReader(const TarReader&) = delete;
    TarReader& operator=(const TarReader&) = delete;

    /// Reads the next header into `entry`; false at the end of the archive.
    /// Throws kubik::Error naming the stream (and the entry) when the data is
    /// truncated, corrupt or not a tar.
    bool next(TarEntry& entry);
    /// Writes the current entry's data to `fd`.
    void copy_data(int fd);
    /// Returns the current entry's data (at most `limit` bytes, else an error).
    std::string read_data(std::size_t limit);

    /// After next() returned false: "sha256:…" of the bytes read from the fd.
    const std::string& compressed_digest() const;
    /// After next() returned false: "sha256:…" of the uncompressed tar.
    const std::string& diff_id() const;
    /// Bytes read from the fd so far.
    std::uint64_t compressed_size() const;
    /// Uncompressed tar bytes so far.
    std::uint64_t uncompressed_size() const;
    /// The stream's name, as given.
    const std::string& what() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace kubik::image
