#include "runtime/log_file.hpp"

#include "core/unique_fd.hpp"
#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace kubik {
std::vector<LogEntry> read_log(const std::filesystem::path& path, uint64_t& offset) {
    std::vector<LogEntry> entries;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return entries;
        throw_errno("open log " + path.string());
    }
    std::string data;
    char buf[65536];
    ssize_t n;
    while ((n = ::pread(fd.get(), buf, sizeof buf, static_cast<off_t>(offset + data.size()))) > 0)
        data.append(buf, static_cast<size_t>(n));
    size_t pos = 0;
    for (size_t nl; (nl = data.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        try {
            auto j = nlohmann::json::parse(data.substr(pos, nl - pos));
            entries.push_back({j.value("stream", "stdout"), j.value("time", ""), j.value("log", "")});
        } catch (const nlohmann::json::exception&) {
            // A damaged line: skip it rather than refuse the whole log.
        }
    }
    offset += pos;
    return entries;
}

} // namespace kubik
