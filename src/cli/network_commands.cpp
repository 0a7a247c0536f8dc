// `kubik network create|ls|inspect|rm|prune`: kubik's networks (ROOT/networks)
// on the command line. Output, flags and exit codes are docker's (1 on errors).
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/table.hpp"
#include "container/container_store.hpp"
#include "core/error.hpp"
#include "network/network_store.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace kubik::cli {
namespace {

std::map<std::string, std::string> parse_labels(const std::vector<std::string>& flags) {
    std::map<std::string, std::string> labels;
    for (const auto& label : flags) {
        auto eq = label.find('=');
        // Docker takes "K" as the label K with an empty value.
        labels[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
    }
    return labels;
}

// What `docker network inspect` shows of the containers on it.
nlohmann::ordered_json containers_json(const NetworkStore& store, const Network& network) {
    auto containers = nlohmann::ordered_json::object();
    ContainerStore container_store(store.root());
    for (const auto& [id, address] : store.leases(network)) {
        std::string name;
        try {
            name = container_store.load_any(id).spec.name;
        } catch (const Error&) {
            // Its record is gone; the sweep at the next `run` gives the address back.
        }
        containers[id] = {{"Name", name},
                          {"EndpointID", ""},
                          {"MacAddress", NetworkStore::mac_address(address)},
                          {"IPv4Address", net::Ipv4Prefix{address, network.subnet.length}.str()},
                          {"IPv6Address", ""}};
    }
    return containers;
}

// Docker shows these options of its default network (docker0); a user
// network shows only what `network create -o` gave, kubik its bridge and MTU.
nlohmann::ordered_json options_json(const Network& network) {
    nlohmann::ordered_json options = nlohmann::ordered_json::object();
    if (network.is_default()) {
        options["com.docker.network.bridge.default_bridge"] = "true";
        options["com.docker.network.bridge.enable_icc"] = "true";
        options["com.docker.network.bridge.enable_ip_masquerade"] = "true";
        options["com.docker.network.bridge.host_binding_ipv4"] = "0.0.0.0";
    }
    options["com.docker.network.bridge.name"] = network.bridge;
    options["com.docker.network.driver.mtu"] = std::to_string(network.mtu);
    return options;
}

// In docker's order of keys (ordered_json keeps them as written).
nlohmann::ordered_json inspect_json(const NetworkStore& store, const Network& network) {
    return {{"Name", network.name},
            {"Id", network.id},
            {"Created", network.created},
            {"Scope", "local"},
            {"Driver", "bridge"},
            {"EnableIPv6", false},
            {"IPAM",
             {{"Driver", "default"},
              {"Options", nlohmann::ordered_json::object()},
              {"Config",
               nlohmann::ordered_json::array({{{"Subnet", network.subnet.str()}, {"Gateway", network.gateway.str()}}})}}},
            {"Internal", false},
            {"Attachable", false},
            {"Ingress", false},
            {"ConfigFrom", {{"Network", ""}}},
            {"ConfigOnly", false},
            {"Containers", containers_json(store, network)},
            {"Options", options_json(network)},
            {"Labels", nlohmann::ordered_json(network.labels)}};
}

// --- create --------------------------------------------------------------------

struct CreateOptions {
    std::string driver = "bridge";
    std::string subnet, gateway;
    std::vector<std::string> labels;
    std::string name;
};

int create(const GlobalOptions& global, const CreateOptions& opts) {
    if (opts.driver != "bridge") throw Error("plugin \"" + opts.driver + "\" not found", kExitGeneric);
    NetworkOptions options;
    options.labels = parse_labels(opts.labels);
    if (!opts.subnet.empty()) {
        options.subnet = net::Ipv4Prefix::parse(opts.subnet);
        if (!options.subnet) throw Error("invalid CIDR address: " + opts.subnet, kExitGeneric);
    }
    if (!opts.gateway.empty()) {
        options.gateway = net::Ipv4Address::parse(opts.gateway);
        if (!options.gateway) throw Error("invalid gateway address: " + opts.gateway, kExitGeneric);
    }
    NetworkStore store(global.root_path());
    std::cout << store.create(opts.name, options).id << "\n";
    return 0;
}

// --- ls ------------------------------------------------------------------------

struct LsOptions {
    bool quiet = false, no_trunc = false;
    std::string format;
    std::vector<std::string> filters;
};

// Docker's `network ls -f`: name= (a part of the name), id= (a prefix),
// label=K or label=K=V, driver=bridge, scope=local, type=custom|builtin.
// Filters of one key are alternatives; different keys must all match.
bool matches(const Network& network, const std::vector<std::string>& filters) {
    std::map<std::string, bool> any_of; // key -> one of its values matched
    for (const auto& filter : filters) {
        const auto eq = filter.find('=');
        if (eq == std::string::npos) throw Error("bad format of filter (expected name=value)", kExitGeneric);
        const std::string key = filter.substr(0, eq), value = filter.substr(eq + 1);
        bool hit = false;
        if (key == "name") hit = network.name.find(value) != std::string::npos;
        else if (key == "id") hit = network.id.starts_with(value);
        else if (key == "driver") hit = value == "bridge";
        else if (key == "scope") hit = value == "local";
        else if (key == "type") hit = value == (network.is_default() ? "builtin" : "custom");
        else if (key == "label") {
            const auto veq = value.find('=');
            auto it = network.labels.find(value.substr(0, veq));
            hit = it != network.labels.end() && (veq == std::string::npos || it->second == value.substr(veq + 1));
        } else throw Error("invalid filter '" + key + "'", kExitGeneric);
        any_of[key] = any_of[key] || hit;
    }
    for (const auto& [key, hit] : any_of)
        if (!hit) return false;
    return true;
}

int list(const GlobalOptions& global, const LsOptions& opts) {
    NetworkStore store(global.root_path());
    Table table({"NETWORK ID", "NAME", "DRIVER", "SCOPE"});
    for (const auto& network : store.list()) {
        if (!matches(network, opts.filters)) continue;
        const std::string id = opts.no_trunc ? network.id : network.id.substr(0, 12);
        if (opts.quiet) {
            std::cout << id << "\n";
        } else if (opts.format == "json") {
            std::string labels;
            for (const auto& [key, value] : network.labels) labels += (labels.empty() ? "" : ",") + key + "=" + value;
            nlohmann::json line = {{"CreatedAt", network.created}, {"Driver", "bridge"}, {"ID", id},
                                   {"IPv6", "false"},              {"Internal", "false"}, {"Labels", labels},
                                   {"Name", network.name},         {"Scope", "local"}};
            std::cout << line.dump() << "\n";
        } else {
            table.add_row({id, network.name, "bridge", "local"});
        }
    }
    if (!opts.quiet && opts.format.empty()) table.print();
    return 0;
}

// --- inspect -------------------------------------------------------------------

int inspect(const GlobalOptions& global, const std::vector<std::string>& names) {
    NetworkStore store(global.root_path());
    auto all = nlohmann::ordered_json::array();
    int status = 0;
    for (const auto& name : names) {
        try {
            auto network = store.find(name);
            if (!network) throw Error("No such network: " + name, kExitGeneric);
            all.push_back(inspect_json(store, *network));
        } catch (const Error& e) {
            std::cerr << "kubik: " << e.what() << "\n";
            status = kExitGeneric;
        }
    }
    std::cout << all.dump(4) << "\n";
    return status;
}

// --- rm ------------------------------------------------------------------------

int remove(const GlobalOptions& global, const std::vector<std::string>& names, bool force) {
    NetworkStore store(global.root_path());
    int status = 0;
    for (const auto& name : names) {
        try {
            if (force && !store.find(name)) continue; // -f: a missing one is fine
            store.remove(name);
            std::cout << name << "\n";
        } catch (const Error& e) {
            std::cerr << "kubik: " << e.what() << "\n";
            status = kExitGeneric;
        }
    }
    return status;
}

// --- prune ---------------------------------------------------------------------

int prune(const GlobalOptions& global, bool force) {
    if (!force) {
        std::cout << "WARNING! This will remove all custom networks not used by at least one container.\n"
                     "Are you sure you want to continue? [y/N] "
                  << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") return 0;
    }
    NetworkStore store(global.root_path());
    store.sweep();
    std::vector<std::string> deleted;
    for (const auto& network : store.list()) {
        if (network.is_default() || !store.users(network).empty()) continue;
        try {
            store.remove(network.id);
            deleted.push_back(network.name);
        } catch (const Error& e) {
            std::cerr << "kubik: " << e.what() << "\n";
        }
    }
    if (!deleted.empty()) {
        std::cout << "Deleted Networks:\n";
        for (const auto& name : deleted) std::cout << name << "\n";
    }
    return 0;
}

} // namespace

void add_network_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* network = app.add_subcommand("network", "Manage networks");
    network->set_help_flag("--help", "Print usage");
    network->require_subcommand(1);
    use_docker_style_help(*network, "kubik network COMMAND");

    auto create_opts = std::make_shared<CreateOptions>();
    auto* create_cmd = add_command(*network, "create", "Create a network", "kubik network create [OPTIONS] NETWORK");
    create_cmd->add_option("-d,--driver", create_opts->driver, "Driver to manage the Network (bridge)");
    create_cmd->add_option("--subnet", create_opts->subnet, "Subnet in CIDR format that represents a network segment");
    create_cmd->add_option("--gateway", create_opts->gateway, "IPv4 Gateway for the master subnet");
    create_cmd->add_option("--label", create_opts->labels, "Set metadata on a network")
        ->type_name("list")
        ->allow_extra_args(false);
    create_cmd->add_option("NETWORK", create_opts->name, "Network name")->required();
    create_cmd->callback([&global, &action, create_opts] {
        action = exit_one_on_error([&global, create_opts] { return create(global, *create_opts); });
    });

    auto ls_opts = std::make_shared<LsOptions>();
    auto* ls = add_command(*network, "ls", "List networks", "kubik network ls [OPTIONS]");
    ls->alias("list");
    ls->add_flag("-q,--quiet", ls_opts->quiet, "Only display network IDs");
    ls->add_flag("--no-trunc", ls_opts->no_trunc, "Do not truncate the output");
    ls->add_option("-f,--filter", ls_opts->filters, "Provide filter values (e.g. \"name=front\")")
        ->allow_extra_args(false);
    ls->add_option("--format", ls_opts->format, "Format output: json")->check(CLI::IsMember({"json"}));
    ls->callback([&global, &action, ls_opts] {
        action = exit_one_on_error([&global, ls_opts] { return list(global, *ls_opts); });
    });

    auto inspect_names = std::make_shared<std::vector<std::string>>();
    auto* inspect_cmd = add_command(*network, "inspect", "Display detailed information on one or more networks",
                                    "kubik network inspect [OPTIONS] NETWORK [NETWORK...]");
    inspect_cmd->add_option("NETWORK", *inspect_names, "Network name or id")->required();
    inspect_cmd->callback([&global, &action, inspect_names] {
        action = exit_one_on_error([&global, inspect_names] { return inspect(global, *inspect_names); });
    });

    struct RmOptions {
        std::vector<std::string> names;
        bool force = false;
    };
    auto rm_opts = std::make_shared<RmOptions>();
    auto* rm = add_command(*network, "rm", "Remove one or more networks", "kubik network rm NETWORK [NETWORK...]");
    rm->alias("remove");
    rm->add_flag("-f,--force", rm_opts->force, "Do not error if the network does not exist");
    rm->add_option("NETWORK", rm_opts->names, "Network name or id")->required();
    rm->callback([&global, &action, rm_opts] {
        action = exit_one_on_error([&global, rm_opts] { return remove(global, rm_opts->names, rm_opts->force); });
    });

    auto prune_force = std::make_shared<bool>(false);
    auto* prune_cmd = add_command(*network, "prune", "Remove all unused networks", "kubik network prune [OPTIONS]");
    prune_cmd->add_flag("-f,--force", *prune_force, "Do not prompt for confirmation");
    prune_cmd->callback([&global, &action, prune_force] {
        action = exit_one_on_error([&global, prune_force] { return prune(global, *prune_force); });
    });
}

} // namespace kubik::cli
