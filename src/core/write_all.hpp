// write(2) until everything is written: a pipe or a terminal may take less
// than asked. Header-only, so the small kubik-monitor, which links nothing of
// kubik's own, shares it too.
#pragma once

#include <cerrno>
#include <cstddef>
#include <unistd.h>

namespace kubik {

/// write(2) all of `data`, retrying short writes and EINTR; gives up silently
/// when the reader has gone (EPIPE) or the descriptor fails.
inline void write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

} // namespace kubik
