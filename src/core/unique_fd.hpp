// RAII ownership of a file descriptor: closed exactly once, when the owner goes.
#pragma once

#include <unistd.h>

#include <utility>

namespace kubik {

/// Owns a file descriptor and closes it exactly once: when the owner goes,
/// or on reset(). Movable, not copyable.
class UniqueFd {
public:
    UniqueFd() = default;
    /// Owns `fd` (-1: nothing).
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    /// Takes over `other`'s descriptor; `other` owns nothing after.
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    /// Closes the descriptor it owns, then takes over `other`'s.
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    /// The descriptor, still owned; -1 when none.
    int get() const noexcept { return fd_; }
    /// Whether it owns a descriptor.
    explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Gives up ownership without closing.
    int release() noexcept { return std::exchange(fd_, -1); }
    /// Closes the descriptor it owns, if any, and owns `fd` instead.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

} // namespace kubik
