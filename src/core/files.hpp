// Small file helpers used by the stores: whole-file reads and atomic writes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kubik {

/// Reads a whole file; throws kubik::Error naming the path on failure.
std::string read_file(const std::filesystem::path& path);

/// Creates or truncates `path` and writes `data` to it; `durable` adds
/// fsync. A reader may see it half-written: for files nobody reads yet.
void write_file(const std::filesystem::path& path, std::string_view data, bool durable = false);

/// Writes `data` to `path` so that readers see either the old or the new file,
/// never half of one: write a temp file beside it, optionally fsync, rename.
void write_file_atomic(const std::filesystem::path& path, std::string_view data, bool durable);

/// `rm -rf` that reports nothing: for cleanup paths that must not throw.
void remove_tree_quietly(const std::filesystem::path& path) noexcept;

} // namespace kubik
