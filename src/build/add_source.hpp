// What ADD does beyond COPY, for local sources: a tar archive (plain, gzip,
// bzip2, xz or zstd) is unpacked at the destination instead of copied; a URL
// is refused, since kubik builds offline.
#pragma once

#include "build/build_context.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::build {

/// Whether an ADD source is a URL (http://, https://, git@…, or a
/// "scheme://" of any kind): docker would download it.
bool is_url(std::string_view source);

/// Throws kubik::Error (exit 1) "ADD from a URL is not supported offline:
/// URL" when `source` is a URL; does nothing otherwise.
void refuse_url(std::string_view source);

/// Whether the file at `path` is a tar archive docker's ADD unpacks. As
/// docker, by its content, not its name: a compressed stream (gzip, bzip2,
/// xz, zstd) or none, holding a valid tar. A directory, a symlink or a file
/// that is not a tar (a `.tar.gz` that is really text, a gzip of one file
/// that is not a tar) is not one, and is copied as it is.
bool is_archive(const std::filesystem::path& path);

/// Unpacks the archive at `path` into the directory `dest` of the image
/// whose root is `root_fd` (made, 0755, when missing; resolved inside the
/// root, as copy_into_root resolves). Entries keep their owners, modes and
/// mtimes from the archive; none can be written outside `dest` (entries
/// with "..", absolute names or through the archive's own symlinks are
/// refused). Throws kubik::Error naming the archive and the entry.
void extract_archive(const std::filesystem::path& path, int root_fd, const std::string& dest);

/// ADD of resolved local sources: each archive (is_archive) is unpacked
/// into `dest` (a directory, with or without the trailing '/', as docker
/// does), everything else is copied as COPY copies it (copy_sources, with
/// its rules for several sources). `options` (--chown, --chmod) apply to
/// the copied files; unpacked entries keep the archive's owners and modes.
/// URLs must have been refused (refuse_url) before the sources were resolved.
void add_sources(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                 const std::string& dest, const dockerfile::CopyOptions& options);

} // namespace kubik::build
