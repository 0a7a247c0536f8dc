// `kubik run -p/--publish`: docker's syntax, parsed and expanded.
//
//   -p [IP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|/udp]
//
//   -p 80                 container port 80, a host port chosen by kubik
//   -p 8080:80            host 8080 on every address of the host (0.0.0.0)
//   -p 127.0.0.1:8080:80  host 8080 on 127.0.0.1 only
//   -p 127.0.0.1::80      127.0.0.1, a host port chosen by kubik
//   -p 8000-8002:80-82    three ports: 8000→80, 8001→81, 8002→82
//   -p 8000-8010:80       container port 80 on the first free host port of 8000…8010
//   -p 53:53/udp          udp
//
// Only parsing: nothing here touches the host, so a bad flag is refused
// (exit 125) before `run` makes anything. Choosing and checking host ports
// is host_ports.hpp's.
#pragma once

#include "network.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace kubik::cli {

/// One container port as a -p flag asked for it.
struct PortRequest {
    /// host_port 0: kubik chooses one (the flag gave none, or a range below).
    network::PublishedPort port;
    /// "-p 8000-8010:80": choose the first free host port of
    /// host_range_first…host_range_last; both 0 otherwise.
    std::uint16_t host_range_first = 0;
    std::uint16_t host_range_last = 0; ///< the range's last port, 0 without a range
};

/// Whether two requests ask for the same thing (every field equal).
bool same_request(const PortRequest& a, const PortRequest& b);

/// Parses one -p value, expanding ranges into one request per container
/// port. Throws kubik::Error (125) with docker's words: "invalid
/// containerPort: abc", "invalid hostPort: 99999", "invalid IP address:
/// 1.2.3", "invalid proto: sctp" (kubik publishes tcp and udp only), "no
/// port specified: 1.2.3.4::<empty>", "invalid ranges specified for container
/// and host Ports: 80-82 and 8000-8001", "invalid range specified for port:
/// 90-80" (as "invalid containerPort: 90-80").
std::vector<PortRequest> parse_publish_flag(const std::string& value);

/// Every -p of a `run`, in order, with identical requests given twice
/// counted once (docker does the same).
std::vector<PortRequest> parse_publish_flags(const std::vector<std::string>& values);

} // namespace kubik::cli
