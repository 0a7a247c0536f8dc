// Published ports as docker's CLI prints them (cli/command/formatter's
// DisplayablePorts and `docker port`), so that scripts reading one read the other.
#include "cli/port_format.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

namespace kubik::cli {
namespace {

using network::Protocol;
using network::PublishedPort;

const char* protocol_name(Protocol protocol) { return protocol == Protocol::Udp ? "udp" : "tcp"; }

std::string host_side(const PublishedPort& port) { return port.host_ip.str() + ":" + std::to_string(port.host_port); }

// Docker's order: container port, host address (as text), host port, protocol (as text).
bool display_less(const PublishedPort& a, const PublishedPort& b) {
    return std::make_tuple(a.container_port, a.host_ip.str(), a.host_port, std::string(protocol_name(a.protocol))) <
           std::make_tuple(b.container_port, b.host_ip.str(), b.host_port, std::string(protocol_name(b.protocol)));
}

struct Group {
    std::string ip, protocol;
    unsigned first = 0, last = 0;
    std::string str() const {
        std::string ports = std::to_string(first);
        if (last != first) ports += "-" + std::to_string(last);
        return ip + ":" + ports + "->" + ports + "/" + protocol;
    }
};

} // namespace

std::string container_port_key(const PublishedPort& port) {
    return std::to_string(port.container_port) + "/" + protocol_name(port.protocol);
}

std::string format_ports(const std::vector<PublishedPort>& ports) {
    std::vector<PublishedPort> sorted = ports;
    std::stable_sort(sorted.begin(), sorted.end(), display_less);
    std::map<std::string, Group> groups;   // by "IP/PROTO": the run being collected
    std::vector<std::string> group_order;  // keys in the order their first run began
    std::vector<std::string> result, host_mappings;
    for (const auto& port : sorted) {
        const unsigned current = port.container_port;
        if (port.host_port != port.container_port) {
            host_mappings.push_back(host_side(port) + "->" + container_port_key(port));
            continue;
        }
        const std::string key = port.host_ip.str() + "/" + protocol_name(port.protocol);
        auto found = groups.find(key);
        if (found == groups.end()) {
            groups[key] = {port.host_ip.str(), protocol_name(port.protocol), current, current};
            group_order.push_back(key);
            continue;
        }
        if (current == found->second.last + 1) {
            found->second.last = current;
            continue;
        }
        // A gap ends the run; as in docker, the finished run is printed
        // first and the newer one with the others at the end.
        result.push_back(found->second.str());
        found->second.first = found->second.last = current;
    }
    for (const auto& key : group_order) result.push_back(groups[key].str());
    result.insert(result.end(), host_mappings.begin(), host_mappings.end());
    std::string text;
    for (const auto& part : result) text += (text.empty() ? "" : ", ") + part;
    return text;
}

std::vector<std::string> port_lines(const std::vector<PublishedPort>& ports, const std::string& filter) {
    std::vector<std::string> lines;
    if (filter.empty()) {
        for (const auto& port : ports) lines.push_back(container_port_key(port) + " -> " + host_side(port));
    } else {
        auto slash = filter.find('/');
        std::string number = filter.substr(0, slash);
        std::string protocol = slash == std::string::npos ? "tcp" : filter.substr(slash + 1);
        bool numeric = !number.empty() && number.size() <= 5 &&
                       std::all_of(number.begin(), number.end(), [](unsigned char c) { return std::isdigit(c); });
        if (!numeric || std::stoul(number) > 65535) throw Error("invalid port (" + number + ")", kExitGeneric);
        const std::string key = std::to_string(std::stoul(number)) + "/" + protocol;
        for (const auto& port : ports)
            if (container_port_key(port) == key) lines.push_back(host_side(port));
    }
    std::sort(lines.begin(), lines.end(), natural_less);
    return lines;
}

bool natural_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i])), db = std::isdigit(static_cast<unsigned char>(b[j]));
        if (da && db) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
            // Numbers compare by value: without leading zeros, the shorter is smaller.
            std::string na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
            na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
            nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

} // namespace kubik::cli
