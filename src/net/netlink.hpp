// A netlink route socket and owning pointers for libnl-route-3's objects.
//
// Links, addresses and routes are made by sending netlink messages to the
// kernel (rtnetlink(7)); `ip link`, `ip addr` and `ip route` do nothing else.
// libnl-route-3 builds and parses those messages; this file only makes its C
// objects follow RAII, so that an early return or an exception never leaks a
// socket or an object. Every libnl call returns a negative error code, which
// check() turns into a kubik::Error naming what was being done.
#pragma once

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <memory>
#include <string>

namespace kubik::net {

/// Throws kubik::Error("WHAT: MESSAGE") when a libnl call returned a negative
/// error code (nl_geterror's words); returns `rc` otherwise.
int check(int rc, const std::string& what);

/// A connected NETLINK_ROUTE socket in the network namespace of the thread
/// that made it: make it after setns()/unshare() to work inside a container.
class RouteSocket {
public:
    /// Allocates and connects; throws kubik::Error if the kernel refuses.
    RouteSocket();
    ~RouteSocket();
    RouteSocket(const RouteSocket&) = delete;
    RouteSocket& operator=(const RouteSocket&) = delete;

    /// For libnl's calls: rtnl_link_add(sock.get(), …).
    nl_sock* get() const { return sock_; }

private:
    nl_sock* sock_ = nullptr;
};

/// libnl objects are reference counted; each deleter drops one reference.
struct LinkDeleter {
    void operator()(rtnl_link* p) const noexcept { rtnl_link_put(p); } ///< rtnl_link_put
};
/// Drops a reference to an address object.
struct AddrDeleter {
    void operator()(rtnl_addr* p) const noexcept { rtnl_addr_put(p); } ///< rtnl_addr_put
};
/// Drops a reference to a route object.
struct RouteDeleter {
    void operator()(rtnl_route* p) const noexcept { rtnl_route_put(p); } ///< rtnl_route_put
};
/// Drops a reference to an abstract address (nl_addr).
struct NlAddrDeleter {
    void operator()(nl_addr* p) const noexcept { nl_addr_put(p); } ///< nl_addr_put
};
/// Frees a cache and drops its objects.
struct CacheDeleter {
    void operator()(nl_cache* p) const noexcept { nl_cache_free(p); } ///< nl_cache_free
};

using Link = std::unique_ptr<rtnl_link, LinkDeleter>;     ///< owns an rtnl_link
using Addr = std::unique_ptr<rtnl_addr, AddrDeleter>;     ///< owns an rtnl_addr
using Route = std::unique_ptr<rtnl_route, RouteDeleter>;  ///< owns an rtnl_route
using NlAddr = std::unique_ptr<nl_addr, NlAddrDeleter>;   ///< owns an nl_addr
using Cache = std::unique_ptr<nl_cache, CacheDeleter>;    ///< owns an nl_cache

/// nl_addr_parse("172.29.0.2/16", AF_INET) owned; throws on a malformed address.
NlAddr parse_address(const std::string& text);

/// The interface's index in the socket's namespace, or 0 when there is none
/// by that name (rtnl_link_get_kernel).
int link_index(const RouteSocket& sock, const std::string& name);

/// The interface by name, as the kernel has it now, or null.
Link get_link(const RouteSocket& sock, const std::string& name);

} // namespace kubik::net
