// Choosing and checking host ports for `run -p` (see host_ports.hpp).
#include "cli/host_ports.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"
#include "net/nft.hpp"
#include "network/ports_lock.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include <cerrno>

namespace kubik::cli {
namespace {

using network::Protocol;
using network::PublishedPort;

const char* protocol_name(Protocol protocol) { return protocol == Protocol::Udp ? "udp" : "tcp"; }

[[noreturn]] void throw_allocated(const PublishedPort& port, const std::string& ports) {
    throw Error("Bind for " + port.host_ip.str() + ":" + ports + " failed: port is already allocated");
}

// One `match` of a rule's expression list: {"left": {"payload": {"protocol":
// "tcp", "field": "dport"}}, "right": 8080}.
void read_match(const nlohmann::json& match, PublishedPort& port, bool& has_dport) {
    const auto& left = match.value("left", nlohmann::json::object());
    if (!left.contains("payload")) return;
    const auto& payload = left["payload"];
    const std::string protocol = payload.value("protocol", ""), field = payload.value("field", "");
    const auto& right = match.value("right", nlohmann::json());
    if (field == "dport" && right.is_number_unsigned() && (protocol == "tcp" || protocol == "udp")) {
        port.protocol = protocol == "udp" ? Protocol::Udp : Protocol::Tcp;
        port.host_port = right.get<std::uint16_t>();
        has_dport = true;
    } else if (protocol == "ip" && field == "daddr" && right.is_string()) {
        if (auto ip = net::Ipv4Address::parse(right.get<std::string>())) port.host_ip = *ip;
    }
}

// The published port a prerouting rule stands for, if it is a DNAT one.
std::optional<PublishedPort> port_of_rule(const nlohmann::json& rule) {
    PublishedPort port;
    bool has_dport = false, has_dnat = false;
    for (const auto& expr : rule.value("expr", nlohmann::json::array())) {
        if (expr.contains("match")) read_match(expr["match"], port, has_dport);
        if (expr.contains("dnat")) {
            has_dnat = true;
            const auto& dnat = expr["dnat"];
            if (dnat.contains("port") && dnat["port"].is_number_unsigned())
                port.container_port = dnat["port"].get<std::uint16_t>();
        }
    }
    if (!has_dport || !has_dnat) return std::nullopt;
    return port;
}

bool is_taken(const PublishedPort& port, const std::vector<PublishedPort>& taken) {
    for (const auto& other : taken)
        if (ports_collide(port, other)) return true;
    return false;
}

// A socket of the port's protocol bound to the host address and `port`
// (0: the kernel chooses). Returns the port it got, 0 when it was in use.
// TCP sets SO_REUSEADDR: a port with connections in TIME_WAIT is free for
// a new listener (and for our DNAT), only a listening socket holds it.
std::uint16_t try_bind(const PublishedPort& request, std::uint16_t port) {
    const bool udp = request.protocol == Protocol::Udp;
    UniqueFd fd(::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
    if (!fd) throw_errno("socket");
    int one = 1;
    if (!udp) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr = request.host_ip.to_in_addr();
    addr.sin_port = htons(port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        if (err == EADDRINUSE) return 0;
        // docker-proxy fails the same way on an address the host doesn't have.
        throw_errno(std::string("Error starting userland proxy: listen ") + protocol_name(request.protocol) + "4 " +
                        request.host_ip.str() + ":" + std::to_string(port) + ": bind",
                    err);
    }
    socklen_t len = sizeof addr;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) throw_errno("getsockname");
    return ntohs(addr.sin_port);
}

// Whether `port` on the request's address is free both of kubik's rules and
// of the host's sockets.
bool is_free(PublishedPort port, std::uint16_t number, const std::vector<PublishedPort>& taken) {
    port.host_port = number;
    return !is_taken(port, taken) && try_bind(port, number) != 0;
}

// A port the kernel chooses (its ephemeral range), retried while kubik
// publishes the one it gave.
std::uint16_t kernel_chosen_port(const PublishedPort& port, const std::vector<PublishedPort>& taken) {
    for (int attempt = 0; attempt < 64; ++attempt) {
        PublishedPort candidate = port;
        candidate.host_port = try_bind(port, 0);
        if (candidate.host_port != 0 && !is_taken(candidate, taken)) return candidate.host_port;
    }
    throw Error("no free host port for " + port.host_ip.str() + ":" + std::to_string(port.container_port) + "/" +
                protocol_name(port.protocol));
}

} // namespace

std::vector<PublishedPort> published_ports_from_json(const std::string& json) {
    std::vector<PublishedPort> ports;
    auto doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) throw Error("nftables: kubik-nft list printed no JSON");
    for (const auto& item : doc.value("nftables", nlohmann::json::array())) {
        if (!item.contains("rule")) continue;
        const auto& rule = item["rule"];
        if (rule.value("chain", "") != "prerouting") continue;
        if (auto port = port_of_rule(rule)) ports.push_back(*port);
    }
    return ports;
}

bool ports_collide(const PublishedPort& a, const PublishedPort& b) {
    return a.protocol == b.protocol && a.host_port == b.host_port &&
           (a.host_ip.is_any() || b.host_ip.is_any() || a.host_ip == b.host_ip);
}

std::vector<PublishedPort> choose_host_ports(const std::vector<PortRequest>& requests,
                                             std::vector<PublishedPort> taken) {
    std::vector<PublishedPort> chosen;
    for (const auto& request : requests) {
        PublishedPort port = request.port;
        if (request.host_range_first != 0 || request.host_range_last != 0) {
            unsigned number = request.host_range_first;
            while (number <= request.host_range_last && !is_free(port, static_cast<std::uint16_t>(number), taken))
                ++number;
            if (number > request.host_range_last)
                throw_allocated(port, std::to_string(request.host_range_first) + "-" +
                                          std::to_string(request.host_range_last));
            port.host_port = static_cast<std::uint16_t>(number);
        } else if (port.host_port == 0) {
            port.host_port = kernel_chosen_port(port, taken);
        } else if (!is_free(port, port.host_port, taken)) {
            throw_allocated(port, std::to_string(port.host_port));
        }
        taken.push_back(port);
        chosen.push_back(port);
    }
    return chosen;
}

std::vector<PublishedPort> resolve_publish_flags(const std::vector<std::string>& values) {
    auto requests = parse_publish_flags(values);
    if (requests.empty()) return {};
    // Held until this container's rules are in the kernel (ports_lock.hpp).
    network::lock_published_ports();
    return choose_host_ports(requests, published_ports_from_json(nft::list_json()));
}

} // namespace kubik::cli
