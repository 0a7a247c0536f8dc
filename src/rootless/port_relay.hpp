// -p for a rootless kubik: kubik-rootless relays the host's connections.
//
// kubik-hostports (host_listener.hpp) listens on the host port; the
// listening socket comes to kubik-rootless, which is in the rootless
// network namespace and so can reach the container. For each connection it
// accepts, a child of kubik-rootless connects to the container's address
// and copies bytes both ways until both sides are done:
//
//   host 127.0.0.1:8080 ── kubik-rootless (relay) ──> container 172.29.0.2:80
//
// docker's userland proxy (docker-proxy) and rootlesskit do the same. The
// container sees the connections come from its bridge's address, as with
// docker-proxy. UDP has no connections: each peer gets a session, a socket
// of kubik-rootless's connected to the container, that carries the peer's
// datagrams in and the container's replies back out, and ends after 90 s
// without traffic (docker-proxy's rule).
//
// kubik asks for a port with a line on kubik-rootless's control socket
// (RUN/ports.sock): "publish ID tcp|udp HOST_IP HOST_PORT TARGET_IP TARGET_PORT"
// or "unpublish ID"; the answer is "ok" or "error MESSAGE".
#pragma once

#include "net/ipv4.hpp"
#include "network.hpp"

#include <string>

namespace kubik::rootless {

/// kubik-rootless's loop: answers requests on `control` (a listening Unix
/// socket), gets listeners from kubik-hostports over `hostports`, and
/// relays the connections they accept. Never returns.
[[noreturn]] void run_port_relay(int control, int hostports) noexcept;

/// Publishes container `id`'s `port` (TCP or UDP) on the host, relayed to
/// `target`:`port.container_port`. Throws kubik::Error with docker's "port
/// is already allocated" when the host has the port.
void publish_host_port(const std::string& id, const network::PublishedPort& port, net::Ipv4Address target);

/// Stops relaying container `id`'s ports (connections already open finish
/// on their own); quiet when there are none or kubik-rootless is gone.
void unpublish_host_ports(const std::string& id) noexcept;

} // namespace kubik::rootless
