// IPv4 addresses and prefixes: parsed strictly, printed as dotted quads.
#pragma once

#include <netinet/in.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kubik::net {

/// One IPv4 address, kept in host byte order so that arithmetic (the next
/// address, a prefix's mask) is plain integer arithmetic.
struct Ipv4Address {
    std::uint32_t value = 0; ///< host byte order: 172.29.0.1 is 0xac1d0001

    /// "172.29.0.1"; nullopt for anything else ("1.2.3", "1.2.3.256",
    /// "01.2.3.4", " 1.2.3.4", "1.2.3.4/8").
    static std::optional<Ipv4Address> parse(std::string_view text);
    /// The dotted quad.
    std::string str() const;
    /// For the socket and netlink calls, in network byte order.
    in_addr to_in_addr() const;
    /// 0.0.0.0: "every address of the host" in a -p flag.
    bool is_any() const { return value == 0; }
    /// 127.0.0.0/8.
    bool is_loopback() const { return (value >> 24) == 127; }

    /// Ordered as the numbers are: 10.0.0.9 < 10.0.0.10.
    auto operator<=>(const Ipv4Address&) const = default;
};

/// An address with a prefix length: a subnet ("172.29.0.0/16") or an
/// interface's address in it ("172.29.0.2/16").
struct Ipv4Prefix {
    Ipv4Address address; ///< as given; network() masks it
    int length = 32;     ///< 0…32

    /// "172.29.0.0/16"; nullopt when the address or the length is malformed.
    static std::optional<Ipv4Prefix> parse(std::string_view text);
    /// "172.29.0.2/16".
    std::string str() const;
    /// The mask's bits, host byte order: /16 is 0xffff0000.
    std::uint32_t mask() const;
    /// The first address (host bits zero).
    Ipv4Address network() const;
    /// The last address (host bits one).
    Ipv4Address broadcast() const;
    /// True when the address lies in this prefix.
    bool contains(Ipv4Address a) const;
    /// True when the two ranges share at least one address.
    bool overlaps(const Ipv4Prefix& other) const;

    /// By address, then by length.
    auto operator<=>(const Ipv4Prefix&) const = default;
};

} // namespace kubik::net
