#include "rootless/host_listener.hpp"

#include "core/fd_passing.hpp"
#include "core/unique_fd.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kubik::rootless {
namespace {

struct ListenRequest {
    in_addr address;
    std::uint16_t port;
    bool udp;
};

// A TCP listener, or a bound UDP socket, on the request's address; -errno.
int listen_on(const ListenRequest& request) {
    UniqueFd fd(::socket(AF_INET, (request.udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return -errno;
    int one = 1;
    // As for root's -p (cli/host_ports.cpp): TIME_WAIT doesn't hold a port.
    if (!request.udp) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr = request.address;
    addr.sin_port = htons(request.port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -errno;
    if (!request.udp && ::listen(fd.get(), 128) != 0) return -errno;
    return fd.release();
}

// One int (0 or -errno) and, with 0, the descriptor.
void reply(int sock, int result) {
    const int code = result < 0 ? result : 0;
    send_with_fd(sock, &code, sizeof code, result);
    if (result >= 0) ::close(result);
}

} // namespace

void serve_host_listeners(int sock) noexcept {
    for (;;) {
        ListenRequest request{};
        const ssize_t n = ::recv(sock, &request, sizeof request, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n != sizeof request) return; // kubik-rootless is gone
        reply(sock, listen_on(request));
    }
}

int open_host_listener(int sock, const network::PublishedPort& port) noexcept {
    ListenRequest request{port.host_ip.to_in_addr(), port.host_port, port.protocol == network::Protocol::Udp};
    if (::send(sock, &request, sizeof request, MSG_NOSIGNAL) != sizeof request) return -EPIPE;
    int code = 0;
    UniqueFd fd;
    if (receive_with_fd(sock, &code, sizeof code, fd) != sizeof code) return -EPIPE;
    if (code < 0) return code;
    return fd ? fd.release() : -EPROTO;
}

} // namespace kubik::rootless
