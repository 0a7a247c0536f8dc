// Listening sockets on the host's network, for a rootless kubik's -p.
//
// The rootless network namespace can't see the host's ports, and nothing
// in it may ever join the host's network namespace again (setns(2) needs
// CAP_SYS_ADMIN over the host's, which a user never has). But a socket
// keeps the namespace it was made in wherever its descriptor goes. So one
// small process, kubik-hostports, stays in the host's network namespace
// and makes listening sockets there on request; it sends each one back over
// a socket pair (SCM_RIGHTS) to kubik-rootless, which accepts on it from
// inside (port_relay.hpp). rootlesskit's "builtin" port driver works so.
//
// kubik-hostports is in the user's user namespace, so it binds as the user
// would: ports below net.ipv4.ip_unprivileged_port_start stay root's.
#pragma once

#include "network.hpp"

namespace kubik::rootless {

/// kubik-hostports: answers listen requests on `sock` (a SOCK_SEQPACKET
/// socket pair's end) until the other end closes, then returns.
void serve_host_listeners(int sock) noexcept;

/// Asks kubik-hostports at the other end of `sock` for a socket on the
/// host's `port.host_ip`:`port.host_port`: listening (TCP) or bound (UDP),
/// non-blocking. Returns the descriptor, or -errno when the host refused
/// (EADDRINUSE: taken).
int open_host_listener(int sock, const network::PublishedPort& port) noexcept;

} // namespace kubik::rootless
