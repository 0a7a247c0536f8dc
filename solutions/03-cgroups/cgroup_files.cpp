#include "cgroup_files.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <thread>

namespace kubik::cgroups {

void write_control(const std::filesystem::path& file, const std::string& value) {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + file.string());
    if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        throw_errno("write \"" + value + "\" to " + file.string());
}

std::optional<std::string> read_control(const std::filesystem::path& file) {
    try {
        std::string text = read_file(file);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return text;
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::optional<int64_t> read_keyed_value(const std::filesystem::path& file, const std::string& key) {
    auto text = read_control(file);
    if (!text) return std::nullopt;
    std::istringstream lines(*text);
    std::string name;
    int64_t value;
    while (lines >> name >> value)
        if (name == key) return value;
    return std::nullopt;
}

void remove_cgroup_dir(const std::filesystem::path& dir) {
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
        if (errno != EBUSY) throw_errno("remove cgroup " + dir.string());
        // Processes that were just killed leave the group a moment later.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw_errno("remove cgroup " + dir.string() + " (processes are still in it)");
}

} // namespace kubik::cgroups
