// Reading and writing the small text files of a cgroup filesystem.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace kubik::cgroups {

/// Writes `value` to a cgroup control file in one write(2), as the kernel
/// expects; throws kubik::Error naming the file and the value on failure
/// (the kernel's errno says why: EINVAL for a bad value, EBUSY, ...).
void write_control(const std::filesystem::path& file, const std::string& value);

/// The file's content without the trailing newline; nullopt if it does not exist.
std::optional<std::string> read_control(const std::filesystem::path& file);

/// The number after `key` in a "key value" per line file (memory.events,
/// memory.oom_control, cpu.stat); nullopt if the file or the key is missing.
std::optional<int64_t> read_keyed_value(const std::filesystem::path& file, const std::string& key);

/// Removes an empty cgroup directory, retrying briefly while the kernel still
/// counts exiting processes in it (EBUSY). A missing directory is fine.
void remove_cgroup_dir(const std::filesystem::path& dir);

} // namespace kubik::cgroups
