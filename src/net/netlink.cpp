#include "net/netlink.hpp"

#include "core/error.hpp"

#include <netlink/errno.h>
#include <sys/socket.h>

namespace kubik::net {

int check(int rc, const std::string& what) {
    if (rc < 0) throw Error(what + ": " + nl_geterror(rc));
    return rc;
}

RouteSocket::RouteSocket() : sock_(nl_socket_alloc()) {
    if (!sock_) throw Error("allocate a netlink socket: out of memory");
    int rc = nl_connect(sock_, NETLINK_ROUTE);
    if (rc < 0) {
        nl_socket_free(sock_);
        sock_ = nullptr;
        check(rc, "connect a netlink route socket");
    }
}

RouteSocket::~RouteSocket() {
    if (sock_) nl_socket_free(sock_); // closes the socket too
}

NlAddr parse_address(const std::string& text) {
    nl_addr* raw = nullptr;
    check(nl_addr_parse(text.c_str(), AF_INET, &raw), "parse the address " + text);
    return NlAddr(raw);
}

Link get_link(const RouteSocket& sock, const std::string& name) {
    rtnl_link* raw = nullptr;
    int rc = rtnl_link_get_kernel(sock.get(), 0, name.c_str(), &raw);
    if (rc == -NLE_NODEV || rc == -NLE_OBJ_NOTFOUND) return nullptr;
    check(rc, "look up the interface " + name);
    return Link(raw);
}

int link_index(const RouteSocket& sock, const std::string& name) {
    Link link = get_link(sock, name);
    return link ? rtnl_link_get_ifindex(link.get()) : 0;
}

} // namespace kubik::net
