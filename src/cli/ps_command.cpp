// `kubik ps`: docker's columns, -a, -q, --format json.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/port_format.hpp"
#include "cli/table.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>

namespace kubik::cli {
namespace {

struct PsOptions {
    bool all = false, quiet = false;
    std::string format;
};

std::string quoted_command(const ContainerSpec& spec) {
    std::string cmd;
    for (const auto& arg : spec.argv) cmd += (cmd.empty() ? "" : " ") + arg;
    // Docker cuts the command at 20 characters and marks the cut.
    if (cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
    return "\"" + cmd + "\"";
}

std::string status_text(const ContainerInfo& info, double now) {
    auto status = info.effective_status();
    if (status == "running") return "Up " + human_duration(now - parse_rfc3339(info.state.started_at));
    if (status == "exited")
        return "Exited (" + std::to_string(info.state.exit_code.value_or(-1)) + ") " +
               human_duration(now - parse_rfc3339(info.state.finished_at)) + " ago";
    if (status == "dead") return "Dead";
    if (status == "unknown") return "Unknown";
    return "Created";
}

int ps(const GlobalOptions& global, const PsOptions& opts) {
    ContainerStore store(global.root_path());
    store.sweep(); // what a killed `kubik run` left half-made is not a container
    double now = static_cast<double>(std::time(nullptr));
    Table table({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    for (const auto& info : store.list()) {
        // A container whose state can't be read may still run: shown with
        // -a, and said on stderr, so that nobody mistakes it for gone.
        if (!info.damage.empty()) std::cerr << "kubik: warning: container " << info.spec.id << ": " << info.damage << "\n";
        if (!opts.all && !info.running()) continue;
        std::string id = info.spec.id.substr(0, 12);
        std::string created = info.state.created_at.empty()
                                  ? ""
                                  : human_duration(now - parse_rfc3339(info.state.created_at)) + " ago";
        // A stopped container publishes nothing: its rules went with it.
        const std::string ports = info.running() ? format_ports(info.spec.ports) : "";
        if (opts.quiet) {
            std::printf("%s\n", id.c_str());
        } else if (opts.format == "json") {
            nlohmann::json line = {{"Command", quoted_command(info.spec)}, {"CreatedAt", info.state.created_at},
                                   {"ID", id}, {"Image", info.spec.image}, {"Names", info.spec.name},
                                   {"Ports", ports}, {"RunningFor", created}, {"State", info.effective_status()},
                                   {"Status", status_text(info, now)}};
            std::cout << line.dump() << "\n";
        } else {
            table.add_row({id, info.spec.image, quoted_command(info.spec), created, status_text(info, now), ports,
                           info.spec.name});
        }
    }
    if (!opts.quiet && opts.format.empty()) table.print();
    return 0;
}

} // namespace

void add_ps_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto opts = std::make_shared<PsOptions>();
    auto* cmd = app.add_subcommand("ps", "List containers");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik ps [OPTIONS]");
    cmd->add_flag("-a,--all", opts->all, "Show all containers (default shows just running)");
    cmd->add_flag("-q,--quiet", opts->quiet, "Only display container IDs");
    cmd->add_option("--format", opts->format, "Format output: json")->check(CLI::IsMember({"json"}));
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] { return ps(global, *opts); });
    });
}

} // namespace kubik::cli
