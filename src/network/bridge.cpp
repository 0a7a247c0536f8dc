#include "network/bridge.hpp"

#include "core/error.hpp"
#include "core/files.hpp"

#include <linux/if.h>
#include <netlink/route/link/bridge.h>

namespace kubik::bridge {
namespace {

void set_sysctl(const std::string& bridge, const char* name) {
    write_file("/proc/sys/net/ipv4/conf/" + bridge + "/" + name, "1\n");
}

void add_gateway_address(const net::RouteSocket& sock, int index, const Network& network) {
    net::Addr addr(rtnl_addr_alloc());
    if (!addr) throw Error("configure the bridge " + network.bridge + ": out of memory");
    const net::Ipv4Prefix local{network.gateway, network.subnet.length};
    net::NlAddr address = net::parse_address(local.str());
    net::NlAddr broadcast = net::parse_address(network.subnet.broadcast().str());
    rtnl_addr_set_ifindex(addr.get(), index);
    rtnl_addr_set_family(addr.get(), AF_INET);
    net::check(rtnl_addr_set_local(addr.get(), address.get()), "set the address " + local.str());
    rtnl_addr_set_prefixlen(addr.get(), local.length);
    net::check(rtnl_addr_set_broadcast(addr.get(), broadcast.get()), "set the broadcast address");
    // REPLACE: the same address again is no error (a bridge made again).
    net::check(rtnl_addr_add(sock.get(), addr.get(), NLM_F_REPLACE),
               "add the address " + local.str() + " to the bridge " + network.bridge);
}

void bring_up(const net::RouteSocket& sock, const std::string& name) {
    net::Link link = net::get_link(sock, name);
    if (!link) throw Error("bring up the bridge " + name + ": it is gone");
    net::Link change(rtnl_link_alloc());
    if (!change) throw Error("bring up the bridge " + name + ": out of memory");
    rtnl_link_set_flags(change.get(), IFF_UP);
    net::check(rtnl_link_change(sock.get(), link.get(), change.get(), 0), "bring up the bridge " + name);
}

} // namespace

std::string default_name(const std::filesystem::path& root) {
    if (nft::table_name(root) == "kubik") return "kubik0";
    return "kb-" + nft::root_hash(root);
}

std::string user_name(const std::string& network_id) { return "kb-" + network_id.substr(0, 12); }

void create(const net::RouteSocket& sock, const Network& network) {
    net::Link link(rtnl_link_bridge_alloc());
    if (!link) throw Error("create the bridge " + network.bridge + ": out of memory");
    rtnl_link_set_name(link.get(), network.bridge.c_str());
    rtnl_link_set_mtu(link.get(), network.mtu);
    net::check(rtnl_link_add(sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL),
               "create the bridge " + network.bridge);
    try {
        const int index = net::link_index(sock, network.bridge);
        if (index == 0) throw Error("create the bridge " + network.bridge + ": it is gone");
        // Before it is up: forwarding must hold from the first packet.
        set_sysctl(network.bridge, "forwarding");
        set_sysctl(network.bridge, "route_localnet");
        add_gateway_address(sock, index, network);
        bring_up(sock, network.bridge);
    } catch (...) {
        try {
            remove(sock, network.bridge);
        } catch (const std::exception&) {
        }
        throw;
    }
}

bool exists(const net::RouteSocket& sock, const std::string& name) { return net::link_index(sock, name) != 0; }

bool remove(const net::RouteSocket& sock, const std::string& name) {
    net::Link link = net::get_link(sock, name);
    if (!link) return false;
    int rc = rtnl_link_delete(sock.get(), link.get());
    if (rc == -NLE_NODEV || rc == -NLE_OBJ_NOTFOUND) return false;
    net::check(rc, "delete the bridge " + name);
    return true;
}

std::string rules_owner(const Network& network) { return "network:" + network.name; }

nft::Batch rules(const Network& network, const std::string& table) {
    nft::Batch batch(table, rules_owner(network));
    const std::string quoted = "\"" + network.bridge + "\"";
    batch.add_rule(nft::Chain::Postrouting,
                   "ip saddr " + network.subnet.str() + " oifname != " + quoted + " masquerade");
    batch.add_rule(nft::Chain::Forward, "iifname " + quoted + " accept");
    batch.add_rule(nft::Chain::Forward, "oifname " + quoted + " accept");
    return batch;
}

} // namespace kubik::bridge
