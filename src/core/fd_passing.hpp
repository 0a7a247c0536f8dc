// Descriptors sent over a Unix socket (SCM_RIGHTS): the kernel duplicates
// the descriptor into the receiver, which can use it as its own: a
// terminal made inside a container, a socket made in another namespace.
#pragma once

#include "core/unique_fd.hpp"

#include <sys/types.h>

#include <cstddef>

namespace kubik {

/// sendmsg(2) of `size` bytes of `data`, with descriptor `fd` when it is
/// not -1 (MSG_NOSIGNAL). Returns sendmsg's result.
ssize_t send_with_fd(int sock, const void* data, std::size_t size, int fd) noexcept;

/// recvmsg(2) into `buf`, retried on EINTR; a descriptor that came with the
/// message goes into `fd` (close-on-exec). Returns recvmsg's result.
ssize_t receive_with_fd(int sock, void* buf, std::size_t size, UniqueFd& fd) noexcept;

} // namespace kubik
