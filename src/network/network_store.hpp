// kubik's networks: what each one is, its bridge, and the addresses it gave out.
//
//   ROOT/networks/NAME/network.json   Name, Id, Driver "bridge", Subnet, Gateway,
//                                     Bridge (the interface), MTU, Created, Labels
//   ROOT/networks/NAME/leases/IP      one file per address in use, holding the
//                                     container's id and the pid and start time
//                                     of the `run` that took it; written aside
//                                     and link(2)ed into place, which fails with
//                                     EEXIST as O_EXCL would, so two concurrent
//                                     `run`s can never get the same one
//   ROOT/networks/.lock               flock: shared by allocators, exclusive
//                                     for release, sweep, create and remove
//   ROOT/networks/NAME/hosts/ID       (user networks) "IP NAME ID12" of each running
//                                     container, from which every member's /etc/hosts
//                                     is rewritten when one starts or stops
//   /run/kubik/network.lock           one lock for every state root of the host:
//                                     choosing a subnet and making its bridge is
//                                     done under it, so two roots never pick one subnet
//
// "bridge" (the default network) is made on first use: its interface is
// kubik0 for the default state root and "kb-" + 8 hex digits of the root's
// hash for another (tests), its subnet the first of 172.29.0.0/16,
// 172.30.0.0/16, 172.31.0.0/16, 10.240.0.0/24 … 10.255.255.0/24 that overlaps
// no route and no address of the host and no other kubik network. A user
// network's bridge is "kb-" + the first 12 digits of its id.
//
// The bridge is (re)made when missing (after a reboot, network.json stays
// and the interface is gone): with its gateway address, up, with
// forwarding and route_localnet set on it alone (never host-wide), and with
// the network's masquerade rule in kubik's nftables table.
#pragma once

#include "net/ipv4.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubik {

/// One network, as network.json has it.
struct Network {
    std::string name;          ///< "bridge" or the user's
    std::string id;            ///< 64 hex digits
    std::string bridge;        ///< the host interface: "kubik0", "kb-…"
    net::Ipv4Prefix subnet;    ///< "172.29.0.0/16"
    net::Ipv4Address gateway;  ///< the bridge's address, by default the subnet's first
    unsigned mtu = 1500;       ///< the bridge's and its veths' MTU
    std::string created;       ///< RFC 3339
    std::map<std::string, std::string> labels; ///< `network create --label K=V`
    /// True for "bridge": containers reach each other by address only, as on
    /// docker's default network; on a user network they reach each other by name.
    bool is_default() const { return name == "bridge"; }
};

/// What a container got from a network: saved with the container (its
/// NetworkSettings) and given back when it stops.
struct NetworkLease {
    std::string network;        ///< its name
    std::string network_id;     ///< its id
    std::string bridge;         ///< the host interface the veth is plugged into
    net::Ipv4Prefix address;    ///< 172.29.0.2/16
    net::Ipv4Address gateway;   ///< the default route's next hop: the bridge's address
    std::string mac;            ///< 02:42 and the address's four bytes, as docker
    unsigned mtu = 1500;        ///< the network's: both ends of the veth get it
    std::string host_veth;      ///< "kv" + 13 digits of the container id
};

/// Options of `network create`.
struct NetworkOptions {
    std::optional<net::Ipv4Prefix> subnet;    ///< --subnet; chosen from the pool when absent
    std::optional<net::Ipv4Address> gateway;  ///< --gateway; the subnet's first address when absent
    std::map<std::string, std::string> labels; ///< --label K=V
};

/// The networks of one state root. Every call is safe to make from several
/// processes at once.
class NetworkStore {
public:
    /// The networks of state root `root` (ROOT/networks, made on first write).
    explicit NetworkStore(std::filesystem::path root);

    /// Makes a user network and its bridge. Errors (kubik::Error, exit 1, and
    /// nothing left behind): the name taken ("network with name NAME already
    /// exists"), an invalid name, a subnet that overlaps another network or a
    /// route of the host ("Pool overlaps with other one on this address space"),
    /// a gateway outside the subnet, "bridge"/"host"/"none" as a name.
    Network create(const std::string& name, const NetworkOptions& options);

    /// The network by name, full id or an unambiguous id prefix; nullopt if none.
    std::optional<Network> find(const std::string& name_or_id) const;

    /// The default network, made (with its bridge) if it is not there yet.
    Network ensure_default();

    /// Makes the network's bridge again if the host lost it (a reboot).
    void ensure_bridge(const Network& network);

    /// Every network, "bridge" first, then by name.
    std::vector<Network> list() const;

    /// Removes a network, its bridge and its rules. Refused while a container
    /// holds a lease on it ("error while removing network: network NAME id ID
    /// has active endpoints", exit 1; stale leases are swept first); "bridge"
    /// can't be removed ("bridge is a pre-defined network and cannot be
    /// removed"); "network NAME not found" when there is none.
    void remove(const std::string& name_or_id);

    /// Removes every network of this root, "bridge" too, whatever leases they
    /// hold: their bridges, their rules, their directories, and kubik's table
    /// if nothing is left in it. For a test's teardown (its own root) and for
    /// getting rid of a state root; never throws. Costs one directory read
    /// when the root has no network.
    void remove_all() noexcept;

    /// Takes a free address for container `id`: the lowest one of the subnet
    /// that is neither the network's nor the gateway's nor the broadcast, nor
    /// leased. "no available addresses on network NAME" when full.
    NetworkLease allocate(const Network& network, const std::string& container_id);

    /// Gives the address back (and the container's line in the network's
    /// hosts: the file hosts/ID, named by the container's id); no error if it
    /// was already given back, and never another container's lease (the one
    /// whose id starts with host_veth's 13 digits).
    void release(const NetworkLease& lease) noexcept;

    /// Gives back every lease of this root whose container is not running
    /// (killed with kill -9, its monitor gone), with its nftables rules
    /// ("container:ID") and its hosts/ID file. A lease whose taker (the
    /// process that called allocate(), by pid and start time) is alive is
    /// kept: its container is still being started, or runs in the foreground.
    /// Also removes what killed creators left (a half-made network and its
    /// bridge). Called at the start of `run` and by `rm -f`; cheap when
    /// nothing is stale (a directory read and a /proc read per lease).
    void sweep();

    /// The container ids holding a lease on the network.
    std::vector<std::string> users(const Network& network) const;

    /// The network's leases: container id -> its address (without length).
    std::map<std::string, net::Ipv4Address> leases(const Network& network) const;

    /// ROOT/networks/NAME: network.json, leases/, hosts/.
    std::filesystem::path dir(const std::string& name) const { return root_ / "networks" / name; }

    /// Docker's MAC for an address: 02:42 and its four bytes, "02:42:ac:1d:00:02".
    static std::string mac_address(net::Ipv4Address address);

    /// Whether `name` can name a network: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most
    /// 128 characters (the predefined "bridge", "host", "none" are valid
    /// names, refused by create() for another reason).
    static bool valid_name(const std::string& name);

    const std::filesystem::path& root() const { return root_; } ///< the state root

private:
    std::filesystem::path root_;
};

} // namespace kubik
