// Choosing a network's subnet: the pool, and what the host already uses.
//
// A subnet is free when no address of it is in use anywhere that matters:
// not on a route of the host (a LAN, a VPN, another bridge — docker0
// included), not on an address of the host (an interface that is down has
// its address but no route), and not by another kubik network. Kubik's
// networks of every state root have their bridge, so their addresses are
// among the host's; a network of this root whose bridge is gone (a reboot)
// is passed in from its network.json.
#pragma once

#include "net/ipv4.hpp"
#include "net/netlink.hpp"

#include <optional>
#include <vector>

namespace kubik::subnet_pool {

/// The candidates, in the order they are tried: 172.29.0.0/16,
/// 172.30.0.0/16, 172.31.0.0/16, then 10.240.0.0/24 … 10.255.255.0/24.
std::vector<net::Ipv4Prefix> candidates();

/// The prefixes the host uses, read through netlink: the destination of
/// every IPv4 route but default ones (0.0.0.0/0 overlaps everything) and
/// those of the `local` table (the host's own addresses, already below),
/// and the subnet of every IPv4 address of every interface.
std::vector<net::Ipv4Prefix> host_prefixes(const net::RouteSocket& sock);

/// True when `subnet` shares an address with one of `used`.
bool overlaps_any(const net::Ipv4Prefix& subnet, const std::vector<net::Ipv4Prefix>& used);

/// The first candidate that overlaps none of `used`; nullopt when all do.
std::optional<net::Ipv4Prefix> choose(const std::vector<net::Ipv4Prefix>& used);

/// The MTU for a new bridge: 1500, or the MTU of the interface of the
/// host's default route when that is smaller (a tunnel, a cloud's 1460).
unsigned host_mtu(const net::RouteSocket& sock);

} // namespace kubik::subnet_pool
