// COPY and ADD's own helpers (the rest is the context's copy_sources):
// --chown and --chmod, paths in the image, and heredoc sources.
#pragma once

#include "build/build_context.hpp"
#include "build/dockerfile_ast.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::build {

/// Opens `path` (absolute, inside the image) below `root_fd` with
/// openat2(RESOLVE_IN_ROOT): a symlink the image holds is followed inside
/// the image, never out. `flags` are open(2)'s. Returns -1 with errno set.
int open_in_root(int root_fd, const std::string& path, int flags);

/// mkdir -p of `path` (absolute) inside the image below `root_fd`, each
/// component resolved with RESOLVE_IN_ROOT, new ones 0755 and root's.
/// Returns whether it made any. Throws kubik::Error naming the path when a
/// component is a file.
bool make_directories_in_root(int root_fd, const std::string& path);

/// The uid/gid of --chown=USER[:GROUP]: numbers, or names looked up in the
/// image's /etc/passwd and /etc/group (inside `root_fd`). Throws kubik::Error
/// "unable to find user NAME" as docker does.
std::pair<uid_t, gid_t> resolve_chown(int root_fd, const std::string& spec);

/// --chmod=MODE: octal ("755", "0644"). Throws on anything else.
mode_t parse_chmod(const std::string& text);

/// Copies host paths (files or directories already resolved) to `dest` in the
/// image with docker's destination rules: several sources need a dest ending
/// in '/'; a directory's contents go into dest; a file goes to dest/NAME when
/// dest ends in '/' or is a directory in the image, else to dest itself.
void copy_host_paths(const std::vector<std::filesystem::path>& sources, int root_fd, const std::string& dest,
                     const dockerfile::CopyOptions& options);

} // namespace kubik::build
