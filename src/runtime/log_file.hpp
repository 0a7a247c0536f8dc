// A detached container's log: docker's json-file format, one JSON object a line:
//   {"log":"hello\n","stream":"stdout","time":"2026-11-27T18:37:11.123456789Z"}
// kubik-monitor (src/monitor/) writes it; `kubik logs` reads it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kubik {

/// One line of a container's output, as logged.
struct LogEntry {
    std::string stream; ///< "stdout" or "stderr"
    std::string time;   ///< RFC 3339 with nanoseconds
    std::string text;   ///< the line, with its "\n" (the last one may lack it)
};

/// Reads entries from `path` starting at byte `offset`; advances `offset`
/// past the complete lines read (a line still being written is left for later).
std::vector<LogEntry> read_log(const std::filesystem::path& path, uint64_t& offset);

} // namespace kubik
