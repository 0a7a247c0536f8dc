// `kubik volume create|ls|inspect|rm|prune`: the volume store (ROOT/volumes)
// on the command line. Output, flags and exit codes are docker's (1 on errors).
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/table.hpp"
#include "cli/units.hpp"
#include "core/error.hpp"
#include "volume/volume_store.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace kubik::cli {
namespace {

// Docker 23+ marks the volumes `run -v /path` makes with this label, and
// prune without -a removes only those.
constexpr const char* kAnonymousLabel = "com.docker.volume.anonymous";


std::map<std::string, std::string> labels_of(const Volume& volume) {
    auto labels = volume.labels;
    if (volume.anonymous) labels.emplace(kAnonymousLabel, "");
    return labels;
}

nlohmann::json inspect_json(const Volume& volume) {
    return {{"CreatedAt", volume.created_at},
            {"Driver", "local"},
            {"Labels", labels_of(volume)},
            {"Mountpoint", volume.data().string()},
            {"Name", volume.name},
            {"Options", nlohmann::json::object()},
            {"Scope", "local"}};
}

// --- create --------------------------------------------------------------------

struct CreateOptions {
    std::vector<std::string> labels;
    std::string name;
};

int create(const GlobalOptions& global, const CreateOptions& opts) {
    std::map<std::string, std::string> labels;
    for (const auto& label : opts.labels) {
        auto eq = label.find('=');
        // Docker takes "K" as the label K with an empty value.
        labels[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
    }
    // No name: a random one, as docker makes it; still not an anonymous
    // volume (docker 23+ labels only those `run` makes).
    const std::string name = opts.name.empty() ? VolumeStore::anonymous_name() : opts.name;
    VolumeStore::validate_name(name, "create " + name);
    VolumeStore store(global.root_path());
    VolumeStore::Lock lock(store, /*exclusive=*/false);
    // An existing volume is fine, as in docker: its labels stay as they were.
    std::cout << store.create(name, labels, /*anonymous=*/false).name << "\n";
    return 0;
}

// --- ls ------------------------------------------------------------------------

struct LsOptions {
    bool quiet = false;
    std::string format;
};

int list(const GlobalOptions& global, const LsOptions& opts) {
    VolumeStore store(global.root_path());
    Table table({"DRIVER", "VOLUME NAME"});
    for (const auto& volume : store.list()) {
        if (opts.quiet) {
            std::cout << volume.name << "\n";
        } else if (opts.format == "json") {
            std::string labels;
            for (const auto& [key, value] : labels_of(volume)) labels += (labels.empty() ? "" : ",") + key + "=" + value;
            nlohmann::json line = {{"Availability", "N/A"}, {"Driver", "local"},  {"Group", "N/A"},
                                   {"Labels", labels},      {"Links", "N/A"},     {"Mountpoint", volume.data().string()},
                                   {"Name", volume.name},   {"Scope", "local"},   {"Size", "N/A"},
                                   {"Status", "N/A"}};
            std::cout << line.dump() << "\n";
        } else {
            table.add_row({"local", volume.name});
        }
    }
    if (!opts.quiet && opts.format.empty()) table.print();
    return 0;
}

// --- inspect -------------------------------------------------------------------

int inspect(const GlobalOptions& global, const std::vector<std::string>& names) {
    VolumeStore store(global.root_path());
    auto all = nlohmann::json::array();
    int status = 0;
    for (const auto& name : names) {
        try {
            all.push_back(inspect_json(store.get(name)));
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
    VolumeStore store(global.root_path());
    // Exclusive: no `run` is between making its volumes and recording them.
    VolumeStore::Lock lock(store, /*exclusive=*/true);
    store.sweep();
    int status = 0;
    for (const auto& name : names) {
        try {
            // -f only quiets a missing volume; one in use is refused all the same.
            if (force && !store.find(name)) continue;
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

int prune(const GlobalOptions& global, bool all, bool force) {
    if (!force) {
        std::cout << (all ? "WARNING! This will remove all local volumes not used by at least one container."
                          : "WARNING! This will remove anonymous local volumes not used by at least one container.")
                  << "\nAre you sure you want to continue? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") return 0;
    }
    VolumeStore store(global.root_path());
    VolumeStore::Lock lock(store, /*exclusive=*/true);
    store.sweep();
    const auto users = store.users();
    std::vector<std::string> deleted;
    std::uint64_t freed = 0;
    for (const auto& volume : store.list()) {
        if (users.count(volume.name) || (!all && !volume.anonymous)) continue;
        std::uint64_t size = VolumeStore::size_of(volume);
        try {
            store.remove(volume.name);
        } catch (const Error& e) {
            std::cerr << "kubik: " << e.what() << "\n";
            continue;
        }
        deleted.push_back(volume.name);
        freed += size;
    }
    if (!deleted.empty()) {
        std::cout << "Deleted Volumes:\n";
        for (const auto& name : deleted) std::cout << name << "\n";
        std::cout << "\n";
    }
    std::cout << "Total reclaimed space: " << human_size(static_cast<double>(freed), 4) << "\n";
    return 0;
}

} // namespace

void add_volume_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* volume = app.add_subcommand("volume", "Manage volumes");
    volume->set_help_flag("--help", "Print usage");
    volume->require_subcommand(1);
    use_docker_style_help(*volume, "kubik volume COMMAND");

    auto create_opts = std::make_shared<CreateOptions>();
    auto* create_cmd = add_command(*volume, "create", "Create a volume", "kubik volume create [OPTIONS] [VOLUME]");
    create_cmd->add_option("--label", create_opts->labels, "Set metadata for a volume")
        ->type_name("list")
        ->allow_extra_args(false);
    create_cmd->add_option("VOLUME", create_opts->name, "Volume name (a random one when not given)");
    create_cmd->callback([&global, &action, create_opts] {
        action = exit_one_on_error([&global, create_opts] { return create(global, *create_opts); });
    });

    auto ls_opts = std::make_shared<LsOptions>();
    auto* ls = add_command(*volume, "ls", "List volumes", "kubik volume ls [OPTIONS]");
    ls->alias("list");
    ls->add_flag("-q,--quiet", ls_opts->quiet, "Only display volume names");
    ls->add_option("--format", ls_opts->format, "Format output: json")->check(CLI::IsMember({"json"}));
    ls->callback([&global, &action, ls_opts] {
        action = exit_one_on_error([&global, ls_opts] { return list(global, *ls_opts); });
    });

    auto inspect_names = std::make_shared<std::vector<std::string>>();
    auto* inspect_cmd = add_command(*volume, "inspect", "Display detailed information on one or more volumes",
                                    "kubik volume inspect VOLUME [VOLUME...]");
    inspect_cmd->add_option("VOLUME", *inspect_names, "Volume name")->required();
    inspect_cmd->callback([&global, &action, inspect_names] {
        action = exit_one_on_error([&global, inspect_names] { return inspect(global, *inspect_names); });
    });

    struct RmOptions {
        std::vector<std::string> names;
        bool force = false;
    };
    auto rm_opts = std::make_shared<RmOptions>();
    auto* rm = add_command(*volume, "rm", "Remove one or more volumes", "kubik volume rm [OPTIONS] VOLUME [VOLUME...]");
    rm->alias("remove");
    rm->add_flag("-f,--force", rm_opts->force, "Do not fail on volumes that don't exist");
    rm->add_option("VOLUME", rm_opts->names, "Volume name")->required();
    rm->callback([&global, &action, rm_opts] {
        action = exit_one_on_error([&global, rm_opts] { return remove(global, rm_opts->names, rm_opts->force); });
    });

    struct PruneOptions {
        bool all = false, force = false;
    };
    auto prune_opts = std::make_shared<PruneOptions>();
    auto* prune_cmd = add_command(*volume, "prune", "Remove unused local volumes", "kubik volume prune [OPTIONS]");
    prune_cmd->add_flag("-a,--all", prune_opts->all, "Remove all unused volumes, not just anonymous ones");
    prune_cmd->add_flag("-f,--force", prune_opts->force, "Do not prompt for confirmation");
    prune_cmd->callback([&global, &action, prune_opts] {
        action = exit_one_on_error([&global, prune_opts] { return prune(global, prune_opts->all, prune_opts->force); });
    });
}

} // namespace kubik::cli
