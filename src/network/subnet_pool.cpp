#include "network/subnet_pool.hpp"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/route/nexthop.h>

#include <cstring>

namespace kubik::subnet_pool {
namespace {

constexpr unsigned kDefaultMtu = 1500;

// An IPv4 nl_addr as a prefix of length `length`; nullopt for anything else.
std::optional<net::Ipv4Prefix> to_prefix(nl_addr* addr, int length) {
    if (!addr || nl_addr_get_family(addr) != AF_INET || nl_addr_get_len(addr) != 4) return std::nullopt;
    std::uint32_t be = 0;
    std::memcpy(&be, nl_addr_get_binary_addr(addr), 4);
    net::Ipv4Prefix prefix{{ntohl(be)}, length};
    prefix.address = prefix.network();
    return prefix;
}

net::Cache route_cache(const net::RouteSocket& sock) {
    nl_cache* raw = nullptr;
    net::check(rtnl_route_alloc_cache(sock.get(), AF_INET, 0, &raw), "list the host's routes");
    return net::Cache(raw);
}

} // namespace

std::vector<net::Ipv4Prefix> candidates() {
    std::vector<net::Ipv4Prefix> all;
    all.reserve(3 + 16 * 256);
    for (std::uint32_t second : {29u, 30u, 31u}) all.push_back({{(172u << 24) | (second << 16)}, 16});
    for (std::uint32_t second = 240; second <= 255; ++second)
        for (std::uint32_t third = 0; third <= 255; ++third)
            all.push_back({{(10u << 24) | (second << 16) | (third << 8)}, 24});
    return all;
}

std::vector<net::Ipv4Prefix> host_prefixes(const net::RouteSocket& sock) {
    std::vector<net::Ipv4Prefix> used;
    net::Cache routes = route_cache(sock);
    for (nl_object* obj = nl_cache_get_first(routes.get()); obj; obj = nl_cache_get_next(obj)) {
        auto* route = reinterpret_cast<rtnl_route*>(obj);
        if (rtnl_route_get_table(route) == RT_TABLE_LOCAL) continue;
        nl_addr* dst = rtnl_route_get_dst(route);
        if (!dst || nl_addr_get_prefixlen(dst) == 0) continue;
        if (auto prefix = to_prefix(dst, static_cast<int>(nl_addr_get_prefixlen(dst)))) used.push_back(*prefix);
    }
    nl_cache* raw = nullptr;
    net::check(rtnl_addr_alloc_cache(sock.get(), &raw), "list the host's addresses");
    net::Cache addrs(raw);
    for (nl_object* obj = nl_cache_get_first(addrs.get()); obj; obj = nl_cache_get_next(obj)) {
        auto* addr = reinterpret_cast<rtnl_addr*>(obj);
        if (auto prefix = to_prefix(rtnl_addr_get_local(addr), rtnl_addr_get_prefixlen(addr))) used.push_back(*prefix);
    }
    return used;
}

bool overlaps_any(const net::Ipv4Prefix& subnet, const std::vector<net::Ipv4Prefix>& used) {
    for (const auto& other : used)
        if (subnet.overlaps(other)) return true;
    return false;
}

std::optional<net::Ipv4Prefix> choose(const std::vector<net::Ipv4Prefix>& used) {
    for (const auto& candidate : candidates())
        if (!overlaps_any(candidate, used)) return candidate;
    return std::nullopt;
}

unsigned host_mtu(const net::RouteSocket& sock) {
    net::Cache routes = route_cache(sock);
    for (nl_object* obj = nl_cache_get_first(routes.get()); obj; obj = nl_cache_get_next(obj)) {
        auto* route = reinterpret_cast<rtnl_route*>(obj);
        nl_addr* dst = rtnl_route_get_dst(route);
        if (rtnl_route_get_table(route) != RT_TABLE_MAIN || (dst && nl_addr_get_prefixlen(dst) != 0)) continue;
        if (rtnl_route_get_nnexthops(route) < 1) continue;
        const int index = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(route, 0));
        rtnl_link* raw = nullptr;
        if (index <= 0 || rtnl_link_get_kernel(sock.get(), index, nullptr, &raw) < 0) continue;
        net::Link link(raw);
        const unsigned mtu = rtnl_link_get_mtu(link.get());
        if (mtu >= 576 && mtu < kDefaultMtu) return mtu;
    }
    return kDefaultMtu;
}

} // namespace kubik::subnet_pool
