#include "core/files.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace kubik {

std::string read_file(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + path.string());
    std::string data;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read " + path.string());
        if (n == 0) break;
        data.append(buf, static_cast<size_t>(n));
    }
    return data;
}

void write_file(const std::filesystem::path& path, std::string_view data, bool durable) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) throw_errno("create " + path.string());
    while (!data.empty()) {
        ssize_t n = ::write(fd.get(), data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("write " + path.string());
        data.remove_prefix(static_cast<size_t>(n));
    }
    if (durable && ::fsync(fd.get()) != 0) throw_errno("fsync " + path.string());
}

void write_file_atomic(const std::filesystem::path& path, std::string_view data, bool durable) {
    auto tmp = path;
    tmp += ".tmp";
    // Without fsync a crash may leave an empty file after the rename.
    write_file(tmp, data, durable);
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("rename " + tmp.string());
}

void remove_tree_quietly(const std::filesystem::path& path) noexcept {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

} // namespace kubik
