#include "rootless/port_relay.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"
#include "core/write_all.hpp"
#include "rootless/host_listener.hpp"
#include "rootless/rootless_mode.hpp"
#include "rootless/user_namespace_host.hpp"

#include <linux/close_range.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <sstream>
#include <vector>

namespace kubik::rootless {
namespace {

// UDP has no connections: a session per peer, a socket of kubik-rootless's
// connected to the container, so that the container's replies come back to
// it and go on to that peer. Idle sessions end (docker-proxy keeps them 90 s).
struct UdpSession {
    UniqueFd fd;
    sockaddr_in peer{};
    std::chrono::steady_clock::time_point used;
};
constexpr auto kUdpIdle = std::chrono::seconds(90);

struct Listener {
    UniqueFd fd;
    std::string id;
    sockaddr_in target{};
    bool udp = false;
    std::vector<UdpSession> sessions; // UDP only
};

bool same_peer(const sockaddr_in& a, const sockaddr_in& b) {
    return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

// A datagram from a peer on the host: on to the container, through the
// peer's session (made on its first datagram).
void forward_datagram(Listener& l) {
    char buf[65536];
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const ssize_t n = ::recvfrom(l.fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len);
    if (n < 0) return;
    auto it = std::find_if(l.sessions.begin(), l.sessions.end(),
                           [&](const UdpSession& s) { return same_peer(s.peer, peer); });
    if (it == l.sessions.end()) {
        UdpSession session;
        session.fd.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!session.fd ||
            ::connect(session.fd.get(), reinterpret_cast<const sockaddr*>(&l.target), sizeof l.target) != 0)
            return;
        session.peer = peer;
        l.sessions.push_back(std::move(session));
        it = l.sessions.end() - 1;
    }
    it->used = std::chrono::steady_clock::now();
    ::send(it->fd.get(), buf, static_cast<std::size_t>(n), 0);
}

// The container's reply: back to the session's peer, from the host port.
void return_datagram(Listener& l, UdpSession& s) {
    char buf[65536];
    const ssize_t n = ::recv(s.fd.get(), buf, sizeof buf, 0);
    if (n < 0) return;
    s.used = std::chrono::steady_clock::now();
    ::sendto(l.fd.get(), buf, static_cast<std::size_t>(n), 0, reinterpret_cast<const sockaddr*>(&s.peer), sizeof s.peer);
}

// Copies bytes both ways; each side's end-of-file is passed on as a
// half-close, so a client that sends and then shuts its side still gets
// the whole answer.
void relay(int a, int b) {
    bool open[2] = {true, true};
    const int from[2] = {a, b}, to[2] = {b, a};
    char buf[65536];
    while (open[0] || open[1]) {
        pollfd p[2] = {{open[0] ? a : -1, POLLIN, 0}, {open[1] ? b : -1, POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (int i = 0; i < 2; ++i) {
            if (!open[i] || p[i].revents == 0) continue;
            const ssize_t n = ::read(from[i], buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (n < 0) return; // reset: the other side learns it when we close
                ::shutdown(to[i], SHUT_WR);
                open[i] = false;
                continue;
            }
            write_all(to[i], buf, static_cast<std::size_t>(n));
        }
    }
}

// In a child of kubik-rootless: one accepted connection, to its end.
[[noreturn]] void serve_connection(int client, const sockaddr_in& target) noexcept {
    ::dup2(client, 3);
    ::close_range(4, ~0U, 0); // nothing of kubik-rootless's: its listeners stay its own
    UniqueFd server(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (server && ::connect(server.get(), reinterpret_cast<const sockaddr*>(&target), sizeof target) == 0)
        relay(3, server.get());
    ::_exit(0);
}

std::string publish(std::vector<Listener>& listeners, int hostports, std::istringstream& words) {
    std::string id, proto, host_ip, target_ip;
    unsigned host_port = 0, target_port = 0;
    words >> id >> proto >> host_ip >> host_port >> target_ip >> target_port;
    auto host = net::Ipv4Address::parse(host_ip);
    auto target = net::Ipv4Address::parse(target_ip);
    if (!words || !host || !target) return "error bad request";
    const std::string where = host_ip + ":" + std::to_string(host_port);
    if (proto != "tcp" && proto != "udp") return "error bad protocol " + proto;
    network::PublishedPort port;
    port.host_ip = *host;
    port.host_port = static_cast<std::uint16_t>(host_port);
    port.protocol = proto == "udp" ? network::Protocol::Udp : network::Protocol::Tcp;
    const int fd = open_host_listener(hostports, port);
    if (fd == -EADDRINUSE) return "error Bind for " + where + " failed: port is already allocated";
    if (fd == -EACCES)
        return "error listen " + proto + "4 " + where +
               ": bind: permission denied (a rootless kubik can't publish ports below "
               "net.ipv4.ip_unprivileged_port_start)";
    if (fd < 0) return "error listen " + proto + "4 " + where + ": bind: " + std::strerror(-fd);
    Listener listener;
    listener.fd.reset(fd);
    listener.id = id;
    listener.udp = port.protocol == network::Protocol::Udp;
    listener.target.sin_family = AF_INET;
    listener.target.sin_addr = target->to_in_addr();
    listener.target.sin_port = htons(static_cast<std::uint16_t>(target_port));
    listeners.push_back(std::move(listener));
    return "ok";
}

void answer(std::vector<Listener>& listeners, int hostports, int conn) {
    timeval timeout{5, 0};
    ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string line;
    char c;
    while (line.size() < 512 && ::read(conn, &c, 1) == 1 && c != '\n') line += c;
    std::istringstream words(line);
    std::string command, reply = "error unknown request";
    words >> command;
    if (command == "publish") {
        reply = publish(listeners, hostports, words);
    } else if (command == "unpublish") {
        std::string id;
        words >> id;
        std::erase_if(listeners, [&](const Listener& l) { return l.id == id; });
        reply = "ok";
    }
    reply += "\n";
    write_all(conn, reply.data(), reply.size());
}

// One request, one answer line.
std::string ask(const std::string& request) {
    const auto path = RootlessFiles(locks_dir()).ports_socket;
    UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) throw_errno("socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno("-p: connect to kubik-rootless at " + path.string());
    const std::string line = request + "\n";
    write_all(sock.get(), line.data(), line.size());
    std::string reply;
    char c;
    while (::read(sock.get(), &c, 1) == 1 && c != '\n') reply += c;
    return reply;
}

} // namespace

void run_port_relay(int control, int hostports) noexcept {
    ::signal(SIGCHLD, SIG_IGN); // connection children reap themselves
    std::vector<Listener> listeners;
    for (;;) {
        // Who each descriptor is: (listener, -1) or (listener, its UDP session).
        std::vector<pollfd> fds{{control, POLLIN, 0}};
        std::vector<std::pair<std::size_t, std::ptrdiff_t>> owner{{0, -1}};
        const auto now = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < listeners.size(); ++i) {
            auto& sessions = listeners[i].sessions;
            std::erase_if(sessions, [&](const UdpSession& s) { return now - s.used > kUdpIdle; });
            fds.push_back({listeners[i].fd.get(), POLLIN, 0});
            owner.emplace_back(i, -1);
            for (std::size_t j = 0; j < sessions.size(); ++j) {
                fds.push_back({sessions[j].fd.get(), POLLIN, 0});
                owner.emplace_back(i, static_cast<std::ptrdiff_t>(j));
            }
        }
        // Awake now and then to end idle UDP sessions.
        if (::poll(fds.data(), fds.size(), 10000) < 0) continue;
        if (fds[0].revents & POLLIN) {
            UniqueFd conn(::accept4(control, nullptr, nullptr, SOCK_CLOEXEC));
            if (conn) answer(listeners, hostports, conn.get());
            continue; // the lists may have changed under fds
        }
        for (std::size_t k = 1; k < fds.size(); ++k) {
            if (!(fds[k].revents & POLLIN)) continue;
            auto& l = listeners[owner[k].first];
            if (owner[k].second >= 0) {
                return_datagram(l, l.sessions[static_cast<std::size_t>(owner[k].second)]);
            } else if (l.udp) {
                forward_datagram(l); // may add a session: the others' indices stay
            } else {
                UniqueFd client(::accept4(fds[k].fd, nullptr, nullptr, SOCK_CLOEXEC));
                if (client && ::fork() == 0) serve_connection(client.get(), l.target);
            }
        }
    }
}

void publish_host_port(const std::string& id, const network::PublishedPort& port, net::Ipv4Address target) {
    std::ostringstream request;
    request << "publish " << id << " " << (port.protocol == network::Protocol::Udp ? "udp" : "tcp") << " "
            << port.host_ip.str() << " " << port.host_port << " " << target.str() << " " << port.container_port;
    const std::string reply = ask(request.str());
    if (reply == "ok") return;
    throw Error(reply.starts_with("error ") ? reply.substr(6) : "kubik-rootless answered \"" + reply + "\"");
}

void unpublish_host_ports(const std::string& id) noexcept {
    try {
        ask("unpublish " + id);
    } catch (const std::exception&) {
        // kubik-rootless gone: so are its listeners.
    }
}

} // namespace kubik::rootless
