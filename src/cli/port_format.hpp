// Published ports as docker prints them: `ps`'s PORTS column and `kubik port`.
#pragma once

#include "network.hpp"

#include <string>
#include <vector>

namespace kubik::cli {

/// "80/tcp": the container side of a port, as docker names it (the key of
/// inspect's NetworkSettings.Ports).
std::string container_port_key(const network::PublishedPort& port);

/// `ps`'s PORTS column, docker's DisplayablePorts: sorted by container port,
/// then host address, host port, protocol; ports published on the same
/// number ("-p 8000-8002:8000-8002") collapse into a range,
/// "0.0.0.0:8000-8002->8000-8002/tcp"; any other mapping is listed alone,
/// after them: "0.0.0.0:8000->80/tcp, 0.0.0.0:8001->81/tcp". Empty when
/// there are none. (docker also lists each port's IPv6 twin, ":::8080->80/tcp";
/// kubik publishes on IPv4 only.)
std::string format_ports(const std::vector<network::PublishedPort>& ports);

/// `kubik port CONTAINER`'s lines, "80/tcp -> 0.0.0.0:8080", in docker's
/// natural order. With `filter` ("80", "80/tcp", "53/udp"; tcp when no
/// protocol is given) only that port's host sides: "0.0.0.0:8080".
std::vector<std::string> port_lines(const std::vector<network::PublishedPort>& ports,
                                    const std::string& filter = "");

/// Natural order, as docker sorts `port`'s lines: digit runs compare as
/// numbers ("2" before "10").
bool natural_less(const std::string& a, const std::string& b);

} // namespace kubik::cli
