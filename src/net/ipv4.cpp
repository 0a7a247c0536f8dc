#include "net/ipv4.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace kubik::net {
namespace {

// One decimal field: digits only, no leading zero (inet_aton would read
// "010" as octal 8, which nobody typing a -p flag means), at most `max`.
std::optional<std::uint32_t> parse_field(std::string_view text, std::uint32_t max) {
    if (text.empty() || text.size() > 10 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

} // namespace

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        auto dot = text.find('.');
        if ((i < 3) != (dot != std::string_view::npos)) return std::nullopt;
        auto field = parse_field(text.substr(0, dot), 255);
        if (!field) return std::nullopt;
        value = value << 8 | *field;
        text = i < 3 ? text.substr(dot + 1) : std::string_view{};
    }
    return Ipv4Address{value};
}

std::string Ipv4Address::str() const {
    return std::to_string(value >> 24) + "." + std::to_string(value >> 16 & 0xff) + "." +
           std::to_string(value >> 8 & 0xff) + "." + std::to_string(value & 0xff);
}

in_addr Ipv4Address::to_in_addr() const {
    in_addr a{};
    a.s_addr = htonl(value);
    return a;
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto address = Ipv4Address::parse(text.substr(0, slash));
    auto length = parse_field(text.substr(slash + 1), 32);
    if (!address || !length) return std::nullopt;
    return Ipv4Prefix{*address, static_cast<int>(*length)};
}

std::string Ipv4Prefix::str() const { return address.str() + "/" + std::to_string(length); }

std::uint32_t Ipv4Prefix::mask() const {
    return length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
}

Ipv4Address Ipv4Prefix::network() const { return {address.value & mask()}; }

Ipv4Address Ipv4Prefix::broadcast() const { return {address.value | ~mask()}; }

bool Ipv4Prefix::contains(Ipv4Address a) const { return (a.value & mask()) == network().value; }

bool Ipv4Prefix::overlaps(const Ipv4Prefix& other) const {
    // Two prefixes overlap exactly when the shorter one contains the other's network.
    return length <= other.length ? contains(other.network()) : other.contains(network());
}

} // namespace kubik::net
