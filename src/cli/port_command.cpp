// `kubik port CONTAINER [PRIVATE_PORT[/PROTO]]`: which host ports a running
// container's ports are published on, as docker prints them.
//
//   $ kubik port web           $ kubik port web 80
//   80/tcp -> 0.0.0.0:8080     0.0.0.0:8080
//
// The ports are the container's spec (-p, with the host ports kubik chose
// filled in), saved in its state when it started. A stopped container
// publishes nothing (its rules are gone), so it shows nothing, as in docker.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/port_format.hpp"
#include "core/error.hpp"

#include <cstdio>

namespace kubik::cli {
namespace {

struct PortOptions {
    std::string container;
    std::string port; // "80", "80/tcp", "53/udp"; empty: all of them
};

int port(const GlobalOptions& global, const PortOptions& opts) {
    return for_each_container(global, {opts.container}, [&](const ContainerStore&, const ContainerInfo& info) {
        const std::vector<network::PublishedPort> none;
        const auto& ports = info.running() ? info.spec.ports : none;
        auto lines = port_lines(ports, opts.port);
        if (!opts.port.empty() && lines.empty()) {
            std::string key = opts.port.find('/') == std::string::npos ? opts.port + "/tcp" : opts.port;
            throw Error("No public port '" + key + "' published for " + opts.container, kExitGeneric);
        }
        for (const auto& line : lines) std::printf("%s\n", line.c_str());
    });
}

} // namespace

void add_port_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto opts = std::make_shared<PortOptions>();
    auto* cmd = app.add_subcommand("port", "List port mappings or a specific mapping for the container");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik port CONTAINER [PRIVATE_PORT[/PROTO]]");
    cmd->add_option("CONTAINER", opts->container, "Container name or id")->required();
    cmd->add_option("PRIVATE_PORT", opts->port, "The container's port, 80 or 80/tcp or 53/udp");
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] { return port(global, *opts); });
    });
}

} // namespace kubik::cli
