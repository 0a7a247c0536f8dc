// A network's bridge on the host: the switch its containers' cables plug into.
//
// The bridge is an interface of the host's namespace with the network's
// gateway address (172.29.0.1/16): the address containers send to when the
// destination is not on their subnet. Two per-interface sysctls, set on the
// bridge alone and gone with it (never the host-wide ones):
//
//   net.ipv4.conf.BRIDGE.forwarding=1     packets arriving from the containers
//                                         may be routed on (outbound traffic);
//                                         the check is made on the interface a
//                                         packet comes IN by
//   net.ipv4.conf.BRIDGE.route_localnet=1 a packet with a 127.0.0.0/8 source
//                                         may be routed out of the bridge:
//                                         `curl 127.0.0.1:PORT` after the
//                                         output hook's DNAT (then masqueraded)
//
// and the network's rules in kubik's nftables table, owned "network:NAME":
// masquerade of the subnet's traffic leaving by another interface, and
// accept in the forward chain for what comes in or goes out by the bridge.
#pragma once

#include "net/netlink.hpp"
#include "net/nft.hpp"
#include "network/network_store.hpp"

#include <filesystem>
#include <string>

namespace kubik::bridge {

/// The default network's interface for state root `root`: "kubik0" for the
/// default root, "kb-" + nft::root_hash(root) for another (same digits as
/// the nftables table kubik-XXXXXXXX).
std::string default_name(const std::filesystem::path& root);

/// A user network's interface: "kb-" + the first 12 digits of its id.
std::string user_name(const std::string& network_id);

/// Makes the network's bridge: the link (failing if the name exists), its
/// MTU, the gateway address with the subnet's length, up, and the two
/// sysctls. On an error, deletes what it made and throws kubik::Error.
void create(const net::RouteSocket& sock, const Network& network);

/// Whether an interface named `name` exists.
bool exists(const net::RouteSocket& sock, const std::string& name);

/// Deletes the interface `name` (its ports are let go by the kernel); false
/// when there was none. Throws kubik::Error if the kernel refuses.
bool remove(const net::RouteSocket& sock, const std::string& name);

/// The network's own rules (owner "network:NAME") for table `table`.
nft::Batch rules(const Network& network, const std::string& table);

/// The owner of the network's rules: "network:NAME".
std::string rules_owner(const Network& network);

} // namespace kubik::bridge
