// Lesson 6 — network: the cable (a veth pair) and the switch (a bridge).
// Read lessons/06-network/README.md first.
//
// A veth pair is two interfaces made together; a frame sent into one comes
// out of the other. Put one end into the container's network namespace and
// leave the other on the host: that is the container's only way out. The
// host's end is then plugged into a bridge (kubik0), a software switch that
// has every container's cable in it and the gateway's address on itself.
//
// Every step is one netlink message to the kernel (rtnetlink(7)); `ip link`
// sends the same ones. The kernel's rules that shape this file:
//
// 1. A veth pair is made by ONE RTM_NEWLINK: the link's IFLA_LINKINFO says
//    "veth" and carries the peer's own attributes (VETH_INFO_PEER): its
//    name, its MTU, and IFLA_NET_NS_PID — the namespace of that process.
//    The kernel creates the peer directly there. `ip link add … type veth
//    peer name eth0` followed by `ip link set eth0 netns PID` ends the same
//    way, but costs a second request and, for a moment, an "eth0" on the
//    host — where it may collide with the host's own eth0 (EEXIST). Made
//    in place, the name only has to be free in the container's namespace.
//
// 2. NLM_F_CREATE | NLM_F_EXCL: "make it, and fail if it exists". Without
//    EXCL an existing link of the same name is not an error, and a stale
//    interface of a dead container would be silently reused.
//
// 3. Interface names have IFNAMSIZ = 16 bytes with the final NUL: at most
//    15 characters ("kv" + 13 hex digits of the id is exactly 15). libnl
//    copies a longer name truncated, without a word, so check it first.
//
// 4. Both ends get the bridge's MTU: a bridge forwards a frame only as big
//    as its smallest port takes, and a container whose eth0 is bigger than
//    the path loses its big packets without an error.
//
// 5. Plugging into the bridge is setting the port's IFLA_MASTER to the
//    bridge's index; in the same request IFF_UP brings it up (the kernel
//    handles the master before the flags in one RTM_NEWLINK/SETLINK). Both
//    ends start down; the container's end is brought up from inside
//    (interface.cpp), and a veth has carrier only when both ends are up.
//
// 6. Hairpin mode on the port: a bridge never sends a frame back out of the
//    port it came in by. A container that connects to its own published
//    port through the host's address (ports.cpp, hairpin) needs exactly
//    that where br_netfilter is loaded (wherever docker has run): the
//    DNAT'ed packet is bridged, not routed, back to the port it came from.
//    Port flags belong to the bridge (family AF_BRIDGE, IFLA_PROTINFO), so
//    this is a second request, once the port is the bridge's: `ip link set
//    kv… type bridge_slave hairpin on` does the same.
#include "network.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <net/if.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include <string>

namespace kubik::network {

namespace {

// TODO: helpers of your own, if you want them.

} // namespace

void create_veth_pair(const net::RouteSocket& host, const std::string& host_name,
                      const std::string& container_name, pid_t container_pid, unsigned mtu) {
    // TODO: rtnl_link_veth_alloc() (own it with net::Link), its name and MTU;
    // rtnl_link_veth_get_peer() (a new reference: own it too), the peer's name,
    // MTU and rtnl_link_set_ns_pid(peer, container_pid); then one
    // rtnl_link_add(host.get(), link, NLM_F_CREATE | NLM_F_EXCL), its error
    // through net::check() with a message naming both interfaces.
    throw kubik::NotImplemented("not implemented yet: lesson 6 (network) — create_veth_pair(); see lessons/06-network/README.md (по-русски: README.ru.md)");
}

void attach_to_bridge(const net::RouteSocket& host, const std::string& host_name, const std::string& bridge) {
    // TODO: net::get_link() both (a missing one: kubik::Error naming it);
    // a change object (rtnl_link_alloc) with rtnl_link_set_master(bridge's
    // index) and rtnl_link_set_flags(IFF_UP); rtnl_link_change(host.get(),
    // port, change, 0): one request plugs it in and brings it up. Then
    // hairpin mode: a link object with the port's index, family AF_BRIDGE,
    // rtnl_link_bridge_set_flags(RTNL_BRIDGE_HAIRPIN_MODE), rtnl_link_change.
    throw kubik::NotImplemented("not implemented yet: lesson 6 (network) — attach_to_bridge(); see lessons/06-network/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::network
