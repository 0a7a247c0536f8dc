// Host ports for `run -p`: chosen when the flag gave none, refused when taken.
//
// A host port is taken when a program of the host listens on it (bind()
// says EADDRINUSE), or when a kubik container of ANY state root publishes
// it. The second is invisible to bind(): a published port is a DNAT rule,
// not a socket. So the rules are read back from the kernel: one `kubik-nft
// list` (every table named kubik or kubik-*, ~2 ms), and the prerouting
// DNAT rules say which ports are published on which address. The kernel is
// the one place every root's rules are in, and it is exactly what decides
// where a packet goes; no state file can be stale about it.
//
// Nothing here makes anything: it runs before the container, and an error
// is 125 with docker's words ("Bind for 0.0.0.0:5000 failed: port is already
// allocated") with nothing left behind. Two `run -p 5000` at the very same
// moment can't both pass: the check takes /run/kubik/ports.lock, which the
// run holds until its rules are applied (network/ports_lock.hpp).
#pragma once

#include "cli/port_flags.hpp"

#include <string>
#include <vector>

namespace kubik::cli {

/// The ports kubik's tables publish, from libnftables's JSON of them
/// (nft::list_json()): each prerouting rule with a DNAT, by its `dport`
/// match (protocol and host port) and its `ip daddr` match (the host
/// address; 0.0.0.0 when it matches by `fib daddr type local`). The
/// container side is read from the DNAT ("to 172.29.0.2:80").
std::vector<network::PublishedPort> published_ports_from_json(const std::string& json);

/// Whether two published ports would catch the same packets: same
/// protocol, same host port, and the same address or either on 0.0.0.0.
bool ports_collide(const network::PublishedPort& a, const network::PublishedPort& b);

/// Gives every request a host port and checks it, against `taken` (ports
/// published already) and against the host's sockets (bind()); the ports
/// chosen here count as taken for the requests after them. A port the
/// flag named that is taken: kubik::Error (125) "Bind for 0.0.0.0:5000
/// failed: port is already allocated". No port given: bind() to port 0 on
/// the host address, read the kernel's choice (getsockname), close; a range
/// ("-p 8000-8010:80"): its first free port.
std::vector<network::PublishedPort> choose_host_ports(const std::vector<PortRequest>& requests,
                                                      std::vector<network::PublishedPort> taken);

/// What `run` calls: parse every -p, read kubik's published ports from the
/// kernel (only when there is a -p: otherwise kubik-nft is never started),
/// choose and check, holding the host's ports lock from here until the
/// rules are applied (or kubik exits). Throws kubik::Error (125).
std::vector<network::PublishedPort> resolve_publish_flags(const std::vector<std::string>& values);

} // namespace kubik::cli
