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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them.
net::NlAddr parse_mac(const std::string& text) {
    nl_addr* raw = nullptr;
    net::check(nl_addr_parse(text.c_str(), AF_LLC, &raw), "parse the MAC address " + text);
    return net::NlAddr(raw);
}

void set_mac_and_up(const net::RouteSocket& sock, rtnl_link* link, const InterfaceConfig& config) {
    net::Link change(rtnl_link_alloc());
    if (!change) throw Error("configure " + config.name + ": out of memory");
    net::NlAddr mac = parse_mac(config.mac);
    rtnl_link_set_addr(change.get(), mac.get()); // takes its own reference
    rtnl_link_set_flags(change.get(), IFF_UP);
    net::check(rtnl_link_change(sock.get(), link, change.get(), 0),
               "set the MAC address " + config.mac + " of " + config.name + " and bring it up");
}

void add_address(const net::RouteSocket& sock, int index, const InterfaceConfig& config) {
    net::Addr addr(rtnl_addr_alloc());
    if (!addr) throw Error("configure " + config.name + ": out of memory");
    net::NlAddr local = net::parse_address(config.address.str()); // "172.29.0.2/16"
    net::NlAddr broadcast = net::parse_address(config.address.broadcast().str());
    rtnl_addr_set_ifindex(addr.get(), index);
    rtnl_addr_set_family(addr.get(), AF_INET);
    net::check(rtnl_addr_set_local(addr.get(), local.get()), "set the address " + config.address.str());
    rtnl_addr_set_prefixlen(addr.get(), config.address.length);
    net::check(rtnl_addr_set_broadcast(addr.get(), broadcast.get()), "set the broadcast address");
    net::check(rtnl_addr_add(sock.get(), addr.get(), NLM_F_EXCL),
               "add the address " + config.address.str() + " to " + config.name);
}

void add_default_route(const net::RouteSocket& sock, int index, const InterfaceConfig& config) {
    net::Route route(rtnl_route_alloc());
    rtnl_nexthop* hop = rtnl_route_nh_alloc();
    if (!route || !hop) {
        if (hop) rtnl_route_nh_free(hop);
        throw Error("configure " + config.name + ": out of memory");
    }
    net::NlAddr any = net::parse_address("0.0.0.0/0");
    net::NlAddr gateway = net::parse_address(config.gateway.str());
    rtnl_route_set_family(route.get(), AF_INET);
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
    rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
    rtnl_route_set_type(route.get(), RTN_UNICAST);
    net::check(rtnl_route_set_dst(route.get(), any.get()), "set the default route's destination");
    rtnl_route_nh_set_ifindex(hop, index);
    rtnl_route_nh_set_gateway(hop, gateway.get());
    rtnl_route_add_nexthop(route.get(), hop); // the route owns it from here
    net::check(rtnl_route_add(sock.get(), route.get(), NLM_F_EXCL),
               "add the default route via " + config.gateway.str() + " dev " + config.name);
}
// END SOLUTION

} // namespace

void configure_interface(const net::RouteSocket& sock, const InterfaceConfig& config) {
    // BEGIN SOLUTION configure_interface
    // TODO: find the interface (net::get_link; missing: kubik::Error naming
    // it). One rtnl_link_change() with rtnl_link_set_addr(MAC, parsed with
    // AF_LLC) and IFF_UP; rtnl_addr_add() of config.address with its prefix
    // length (and broadcast); rtnl_route_add() of 0.0.0.0/0 with a nexthop
    // (rtnl_route_nh_alloc: ifindex + gateway). Name the step in each error.
    net::Link link = net::get_link(sock, config.name);
    if (!link) throw Error("configure " + config.name + ": no such interface in the container's network namespace");
    const int index = rtnl_link_get_ifindex(link.get());
    set_mac_and_up(sock, link.get(), config);
    add_address(sock, index, config);
    add_default_route(sock, index, config);
    // END SOLUTION
}

} // namespace kubik::network
