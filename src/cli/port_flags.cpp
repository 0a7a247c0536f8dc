// `-p` parsing, step for step as docker's (go-connections' nat.ParsePortSpec),
// so that the same flag is accepted, expanded and refused with the same words.
#include "cli/port_flags.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace kubik::cli {
namespace {

using network::Protocol;
using network::PublishedPort;

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t at = text.find(sep, start);
        parts.push_back(text.substr(start, at - start));
        if (at == std::string::npos) return parts;
        start = at + 1;
    }
}

struct Parts {
    std::string ip, host, container;
};

// "IP:HOST:CONTAINER", "HOST:CONTAINER", "CONTAINER". More than two colons
// (an IPv6 address) leave everything before the last two to the address.
Parts split_parts(const std::string& value) {
    auto parts = split(value, ':');
    const std::size_t n = parts.size();
    Parts out;
    out.container = parts[n - 1];
    if (n == 2) out.host = parts[0];
    if (n >= 3) {
        out.host = parts[n - 2];
        for (std::size_t i = 0; i + 2 < n; ++i) out.ip += (i ? ":" : "") + parts[i];
    }
    return out;
}

// "80/udp" → ("udp", "80"); "80" and "80/" → ("tcp", "80"); "" or "/udp" → ("", "").
std::pair<std::string, std::string> split_proto_port(const std::string& raw) {
    auto parts = split(raw, '/');
    if (raw.empty() || parts[0].empty()) return {"", ""};
    if (parts.size() == 1 || parts[1].empty()) return {"tcp", parts[0]};
    return {parts[1], parts[0]};
}

// Go's strconv.ParseUint(text, 10, 16): digits only, at most 65535.
std::optional<std::uint16_t> parse_port(const std::string& text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    unsigned long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

struct Range {
    std::uint16_t first = 0, last = 0;
    unsigned size() const { return unsigned(last) - first + 1; }
};

// "80" or "80-82" (docker reads the first two fields of "1-2-3").
std::optional<Range> parse_range(const std::string& text) {
    if (text.find('-') == std::string::npos) {
        auto port = parse_port(text);
        if (!port) return std::nullopt;
        return Range{*port, *port};
    }
    auto parts = split(text, '-');
    auto first = parse_port(parts[0]), last = parse_port(parts[1]);
    if (!first || !last || *last < *first) return std::nullopt;
    return Range{*first, *last};
}

Protocol parse_protocol(const std::string& proto) {
    std::string lower = proto;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "tcp") return Protocol::Tcp;
    if (lower == "udp") return Protocol::Udp;
    // docker knows sctp as well; kubik's rules are for tcp and udp only.
    throw Error("invalid proto: " + proto);
}

net::Ipv4Address parse_host_ip(const std::string& ip) {
    if (ip.empty()) return {}; // 0.0.0.0: every address of the host
    if (ip.front() == '[' || ip.find(':') != std::string::npos)
        throw Error("invalid IP address: " + ip + " (kubik publishes ports on IPv4 addresses only)");
    auto address = net::Ipv4Address::parse(ip);
    if (!address) throw Error("invalid IP address: " + ip);
    return *address;
}

} // namespace

bool same_request(const PortRequest& a, const PortRequest& b) {
    return a.port.host_ip == b.port.host_ip && a.port.host_port == b.port.host_port &&
           a.port.container_port == b.port.container_port && a.port.protocol == b.port.protocol &&
           a.host_range_first == b.host_range_first && a.host_range_last == b.host_range_last;
}

std::vector<PortRequest> parse_publish_flag(const std::string& value) {
    Parts parts = split_parts(value);
    auto [proto, container] = split_proto_port(parts.container);
    const net::Ipv4Address host_ip = parse_host_ip(parts.ip);
    if (container.empty()) throw Error("no port specified: " + value + "<empty>");

    auto container_range = parse_range(container);
    // Port 0 is no port a program can listen on (docker lets it through
    // to fail later; kubik says so here).
    if (!container_range || container_range->first == 0) throw Error("invalid containerPort: " + container);
    Range host_range;
    if (!parts.host.empty()) {
        auto parsed = parse_range(parts.host);
        if (!parsed) throw Error("invalid hostPort: " + parts.host);
        host_range = *parsed;
    }
    // A host range longer than one port is allowed with ONE container port:
    // it is where kubik chooses that port's host port.
    const bool dynamic_in_range = container_range->size() == 1 && host_range.size() > 1;
    if (!parts.host.empty() && host_range.size() != container_range->size() && !dynamic_in_range)
        throw Error("invalid ranges specified for container and host Ports: " + container + " and " + parts.host);
    const Protocol protocol = parse_protocol(proto);

    std::vector<PortRequest> requests;
    for (unsigned i = 0; i < container_range->size(); ++i) {
        PortRequest request;
        request.port.host_ip = host_ip;
        request.port.protocol = protocol;
        request.port.container_port = static_cast<std::uint16_t>(container_range->first + i);
        if (dynamic_in_range) {
            request.host_range_first = host_range.first;
            request.host_range_last = host_range.last;
        } else if (!parts.host.empty()) {
            request.port.host_port = static_cast<std::uint16_t>(host_range.first + i);
        }
        requests.push_back(request);
    }
    return requests;
}

std::vector<PortRequest> parse_publish_flags(const std::vector<std::string>& values) {
    std::vector<PortRequest> all;
    for (const auto& value : values)
        for (const auto& request : parse_publish_flag(value)) {
            bool seen = std::any_of(all.begin(), all.end(), [&](const PortRequest& r) { return same_request(r, request); });
            // "-p 80" twice asks for two host ports, as docker gives them.
            if (!seen || request.port.host_port == 0) all.push_back(request);
        }
    return all;
}

} // namespace kubik::cli
