#include "runtime/channel.hpp"

#include "core/error.hpp"
#include "core/fd_passing.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace kubik {
namespace {

// The wire format: a fixed header, then the message text. Both ends are the
// same binary, so no versioning is needed.
struct Header {
    int32_t kind;
    int32_t exit_code;
};
constexpr size_t kMaxMessage = 4096;

} // namespace

Channel Channel::create() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair");
    Channel channel;
    channel.parent_.reset(fds[0]);
    channel.child_.reset(fds[1]);
    return channel;
}

void Channel::send_go(const GoMessage& go) const {
    if (::send(parent_.get(), &go, sizeof go, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof go))
        throw_errno("start the container");
}

GoMessage Channel::wait_go() const {
    GoMessage go;
    ssize_t n;
    while ((n = ::recv(child_.get(), &go, sizeof go, 0)) < 0 && errno == EINTR) {}
    if (n != static_cast<ssize_t>(sizeof go)) throw Error("kubik run went away before the container started");
    return go;
}

void Channel::send_error(int exit_code, const std::string& message) const noexcept {
    char buf[sizeof(Header) + kMaxMessage];
    Header header{ContainerReport::Error, exit_code};
    size_t len = std::min(message.size(), kMaxMessage);
    std::memcpy(buf, &header, sizeof header);
    std::memcpy(buf + sizeof header, message.data(), len);
    (void)::send(child_.get(), buf, sizeof header + len, MSG_NOSIGNAL);
}

void Channel::send_terminal(int master_fd) const {
    Header header{ContainerReport::Terminal, 0};
    if (send_with_fd(child_.get(), &header, sizeof header, master_fd) < 0) throw_errno("send the terminal to kubik run");
}

std::optional<ContainerReport> Channel::receive() const {
    char buf[sizeof(Header) + kMaxMessage];
    UniqueFd fd;
    const ssize_t n = receive_with_fd(parent_.get(), buf, sizeof buf, fd);
    if (n <= 0) return std::nullopt; // EOF (or the socket broke, which means the same here)
    if (static_cast<size_t>(n) < sizeof(Header)) return std::nullopt;

    Header header;
    std::memcpy(&header, buf, sizeof header);
    ContainerReport report;
    report.kind = static_cast<ContainerReport::Kind>(header.kind);
    report.exit_code = header.exit_code;
    report.message.assign(buf + sizeof header, static_cast<size_t>(n) - sizeof header);
    report.fd = std::move(fd);
    return report;
}

} // namespace kubik
