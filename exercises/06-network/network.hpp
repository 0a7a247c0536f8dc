// Lesson 6 — network: a cable, a switch and a door into the container.
//
// Lesson 2 gave each container a network namespace of its own, with one
// interface, `lo`, and no way out. This lesson connects it, as docker's
// default "bridge" network does:
//
//   host namespace                          container's namespace
//   ┌───────────────────────────────┐       ┌──────────────────────┐
//   │ kubik0 (bridge, 172.29.0.1/16)│       │ eth0  172.29.0.2/16  │
//   │   └── kv1a2b3c4d5e6f ─────────┼─veth──┼─ (the other end)     │
//   │ nftables table ip kubik       │       │ default via 172.29.0.1│
//   └───────────────────────────────┘       └──────────────────────┘
//
// A veth pair is a cable: two interfaces, and what goes in one comes out of
// the other. One end is created inside the container's namespace as eth0,
// the other stays on the host and is plugged into the bridge, a switch that
// every container of the network is plugged into and that has the gateway's
// address. `-p 8080:80` is not a process that copies bytes (docker-proxy):
// it is a few nftables rules that rewrite the destination of packets for
// port 8080 to the container's address and port 80 (DNAT), in the kernel.
//
// The netlink socket (net/netlink.hpp), the address allocator, the bridge
// and kubik's nftables table are src/'s; the student writes the four steps
// below. Each takes a socket in the right namespace and does one thing.
#pragma once

#include "net/ipv4.hpp"
#include "net/netlink.hpp"
#include "net/nft.hpp"

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace kubik::network {

// [docs:network-api]
/// Creates a veth pair with one request: `host_name` in the socket's (the
/// host's) namespace, its peer `container_name` directly inside the network
/// namespace of process `container_pid`. Both ends get `mtu` (the bridge's)
/// and stay down. Throws kubik::Error naming the interface if the kernel
/// refuses (a name taken: EEXIST; no such process: ESRCH).
void create_veth_pair(const net::RouteSocket& host, const std::string& host_name,
                      const std::string& container_name, pid_t container_pid, unsigned mtu);

/// Plugs the host end into the bridge (makes the bridge its master), brings
/// it up, and turns on the port's hairpin mode (a container reaching its own
/// published port: where br_netfilter is loaded, the DNAT'ed packet goes
/// back out of the port it came in by). Throws kubik::Error naming the interface or the bridge if
/// either is missing.
void attach_to_bridge(const net::RouteSocket& host, const std::string& host_name,
                      const std::string& bridge);

/// What the container's end of the cable gets.
struct InterfaceConfig {
    std::string name = "eth0";  ///< the interface, already in the container's namespace
    net::Ipv4Prefix address;    ///< its address and the subnet's length: 172.29.0.2/16
    net::Ipv4Address gateway;   ///< the bridge's address: the default route's next hop
    std::string mac;            ///< "02:42:ac:1d:00:02", derived from the address as docker does
};

/// Inside the container's network namespace (`sock` was made there): sets
/// the MAC address, brings the interface up, gives it its address, and adds
/// the default route via the gateway. Throws kubik::Error naming the step
/// that failed.
void configure_interface(const net::RouteSocket& sock, const InterfaceConfig& config);

/// The transport protocol of a published port.
enum class Protocol { Tcp, Udp };

/// One `-p` mapping, parsed and expanded by src: one port per value (a
/// range "8000-8002:80-82" becomes three).
struct PublishedPort {
    net::Ipv4Address host_ip;     ///< 0.0.0.0: every address of the host ("-p 8080:80")
    std::uint16_t host_port = 0;  ///< chosen by src when the flag gave none ("-p 80")
    std::uint16_t container_port = 0;  ///< the port the container's program listens on
    Protocol protocol = Protocol::Tcp;  ///< "/udp" in the flag; tcp otherwise
};

/// The rules that publish one port, added to `batch` (src applies the batch
/// as one transaction, and removes every rule of the container when it
/// stops). Packets for the host's `host_port` — arriving from outside, and
/// sent by the host itself to one of its own addresses, 127.0.0.1 included —
/// go to `container_ip`:`container_port`; packets for any other address,
/// another container's included, are left alone. Replies must come back
/// through the host, so a connection from 127.0.0.1 or from the container
/// itself (hairpin) leaves with the bridge's address as its source.
/// `bridge` is the host end's bridge ("kubik0").
void add_port_rules(nft::Batch& batch, const PublishedPort& port, net::Ipv4Address container_ip,
                    const std::string& bridge);
// [docs:network-api end]

} // namespace kubik::network
