// `kubik stop`, `kubik kill`, `kubik rm`: each takes one or more containers
// and prints each one's reference as given, like docker. `rm` also removes a
// container whose state file can't be read (ContainerStore::load_any).
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/units.hpp"
#include "network/network_store.hpp"
#include "runtime/container_network.hpp"
#include "runtime/stop.hpp"

#include <iostream>
#include <optional>

namespace kubik::cli {
namespace {

struct Refs {
    std::vector<std::string> refs;
};

// What `stop` sends first: --stop-signal or the image's STOPSIGNAL, as
// recorded at `run`; SIGTERM when there is none. `run` checked the flag; an
// image's StopSignal that kubik can't read is SIGTERM, with a warning.
int stop_signal_of(const ContainerSpec& spec) {
    if (spec.stop_signal.empty()) return SIGTERM;
    try {
        return parse_signal(spec.stop_signal);
    } catch (const Error&) {
        std::cerr << "kubik: warning: container " << spec.name << ": invalid stop signal \"" << spec.stop_signal
                  << "\", sending SIGTERM\n";
        return SIGTERM;
    }
}

CLI::App* add_container_command(CLI::App& app, const char* name, const char* what, const std::string& usage) {
    auto* cmd = app.add_subcommand(name, what);
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, usage);
    return cmd;
}

} // namespace

void add_lifecycle_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    {
        auto refs = std::make_shared<Refs>();
        auto timeout = std::make_shared<int>(10);
        auto signal = std::make_shared<std::string>();
        auto* cmd = add_container_command(app, "stop", "Stop one or more running containers",
                                          "kubik stop [OPTIONS] CONTAINER [CONTAINER...]");
        cmd->add_option("-s,--signal", *signal, "Signal to send to the container")->type_name("string");
        cmd->add_option("-t,--time", *timeout, "Seconds to wait before killing the container")->capture_default_str();
        cmd->add_option("CONTAINER", refs->refs, "Container name or id")->required();
        cmd->callback([&global, &action, refs, timeout, signal] {
            action = exit_one_on_error([&global, refs, timeout, signal] {
                // A bad -s fails before any container is touched.
                const std::optional<int> given = signal->empty() ? std::nullopt : std::optional(parse_signal(*signal));
                return for_each_container(
                    global, refs->refs,
                    [&](const ContainerStore&, const ContainerInfo& info) {
                        stop_container(info, std::chrono::seconds(std::max(0, *timeout)),
                                       given ? *given : stop_signal_of(info.spec));
                    },
                    /*echo_refs=*/true);
            });
        });
    }
    {
        auto refs = std::make_shared<Refs>();
        auto signal = std::make_shared<std::string>("KILL");
        auto* cmd = add_container_command(app, "kill", "Kill one or more running containers",
                                          "kubik kill [OPTIONS] CONTAINER [CONTAINER...]");
        cmd->add_option("-s,--signal", *signal, "Signal to send to the container")->capture_default_str();
        cmd->add_option("CONTAINER", refs->refs, "Container name or id")->required();
        cmd->callback([&global, &action, refs, signal] {
            action = exit_one_on_error([&global, refs, signal] {
                int sig = parse_signal(*signal); // a bad signal fails before any container is touched
                return for_each_container(
                    global, refs->refs, [&](const ContainerStore&, const ContainerInfo& info) { signal_container(info, sig); },
                    /*echo_refs=*/true);
            });
        });
    }
    {
        auto refs = std::make_shared<Refs>();
        auto force = std::make_shared<bool>(false);
        auto volumes = std::make_shared<bool>(false);
        auto* cmd = add_container_command(app, "rm", "Remove one or more containers",
                                          "kubik rm [OPTIONS] CONTAINER [CONTAINER...]");
        cmd->add_flag("-f,--force", *force, "Force the removal of a running container (uses SIGKILL)");
        cmd->add_flag("-v,--volumes", *volumes, "Remove anonymous volumes associated with the container");
        cmd->add_option("CONTAINER", refs->refs, "Container name or id")->required();
        cmd->callback([&global, &action, refs, force, volumes] {
            action = [&global, refs, force, volumes] {
                // Whatever a killed `kubik run` left half-made goes too.
                ContainerStore(global.root_path()).sweep();
                bool had_network = false;
                int status = for_each_container_id(
                    global, refs->refs,
                    [&](const ContainerStore& store, const std::string& id) {
                        // Read first: once removed, what it held is known no more.
                        std::optional<ContainerSpec> spec;
                        try {
                            spec = store.load_any(id).spec;
                        } catch (const std::exception&) {
                        }
                        remove_container(store, id, *force, *volumes);
                        // Its monitor gave the network back, unless it was
                        // killed (kill -9): then this does.
                        if (spec && spec->lease) {
                            release_container_network(store.root(), *spec);
                            remove_host_veth(*spec);
                            had_network = true;
                        }
                    },
                    /*echo_refs=*/true);
                // And what other containers killed that way still hold.
                if (had_network) {
                    try {
                        NetworkStore(global.root_path()).sweep();
                    } catch (const std::exception& e) {
                        std::cerr << "kubik: warning: " << e.what() << "\n";
                    }
                }
                return status;
            };
        });
    }
}

} // namespace kubik::cli
