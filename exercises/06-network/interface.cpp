// Lesson 6 — network: the container's end of the cable, configured inside.
// Read lessons/06-network/README.md first.
//
// This runs in the container's init, inside its network namespace, before
// the command starts: the socket was made there, so every request below is
// about the container's interfaces, routes and addresses, never the host's.
// Three requests, in an order the kernel imposes:
//
// 1. MAC address and IFF_UP in one RTM_NEWLINK. Many drivers refuse to
//    change the hardware address of a running interface (EBUSY), so it is
//    set while the interface is still down; the kernel applies IFLA_ADDRESS
//    before the flags within one request, so "set the MAC, then up" is one
//    message. Docker's MAC is 02:42 and the four bytes of the address: the
//    02 bit says "locally administered", never a vendor's, and the same
//    address always gets the same MAC (the neighbours' ARP caches stay right).
//
// 2. The address, with its prefix length: 172.29.0.2/16, not 172.29.0.2.
//    The length is what tells the kernel which addresses are on this link:
//    adding the address adds the "connected" route 172.29.0.0/16 dev eth0
//    by itself (ip route shows it "proto kernel scope link"). With /32 there
//    would be no such route, and the gateway would be unreachable. The
//    broadcast address is given too, as `ip addr add … brd +` does.
//
// 3. The default route: 0.0.0.0/0 via the gateway, out of eth0. The kernel
//    accepts a route via a gateway only if it can reach that gateway
//    already — through the connected route of step 2 — and only through an
//    interface that is UP ("Nexthop device is not up", ENETDOWN otherwise).
//    Hence this order: up, address, route.
#include "network.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/nexthop.h>

#include <string>

namespace kubik::network {

namespace {

// TODO: helpers of your own, if you want them.

} // namespace

void configure_interface(const net::RouteSocket& sock, const InterfaceConfig& config) {
    // TODO: find the interface (net::get_link; missing: kubik::Error naming
    // it). One rtnl_link_change() with rtnl_link_set_addr(MAC, parsed with
    // AF_LLC) and IFF_UP; rtnl_addr_add() of config.address with its prefix
    // length (and broadcast); rtnl_route_add() of 0.0.0.0/0 with a nexthop
    // (rtnl_route_nh_alloc: ifindex + gateway). Name the step in each error.
    throw kubik::NotImplemented("not implemented yet: lesson 6 (network) — configure_interface(); see lessons/06-network/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::network
