// `kubik stats`: one snapshot of running containers' usage (docker's --no-stream).
#include "cli/commands.hpp"

#include "cgroup.hpp"
#include "cli/container_args.hpp"
#include "cli/table.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace kubik::cli {
namespace {

struct StatsOptions {
    bool no_stream = true;
    std::vector<std::string> containers;
};

int stats(const GlobalOptions& global, const StatsOptions& opts) {
    ContainerStore store(global.root_path());
    std::vector<ContainerInfo> chosen;
    int status = 0;
    if (opts.containers.empty()) {
        for (auto& info : store.list())
            if (info.running()) chosen.push_back(std::move(info));
    } else {
        status = for_each_container(global, opts.containers, [&](const ContainerStore&, const ContainerInfo& info) {
            chosen.push_back(info);
        });
    }

    auto layout = cgroups::detect_layout();
    struct Sample {
        std::unique_ptr<cgroups::Cgroup> cgroup;
        cgroups::CgroupUsage first;
    };
    std::vector<Sample> samples;
    for (const auto& info : chosen) {
        if (!info.spec.has_cgroup())
            throw Error("container " + info.spec.name + " has no cgroup to read (a rootless kubik without "
                        "delegated cgroups)", kExitGeneric);
        auto cg = cgroups::open_cgroup(layout, info.spec.cgroup_path());
        auto usage = cg->usage();
        samples.push_back({std::move(cg), usage});
    }
    // CPU % needs two readings: the time used over a known interval.
    auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    double wall_ns = static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());

    double host_memory = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
    Table table({"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS"});
    for (size_t i = 0; i < chosen.size(); ++i) {
        auto now = samples[i].cgroup->usage();
        double cpu = 100.0 * static_cast<double>(now.cpu_usage_ns - samples[i].first.cpu_usage_ns) / wall_ns;
        double limit = now.memory_limit ? static_cast<double>(*now.memory_limit) : host_memory;
        double used = static_cast<double>(now.memory_bytes);
        char cpu_text[16], mem_pct[16];
        std::snprintf(cpu_text, sizeof cpu_text, "%.2f%%", cpu);
        std::snprintf(mem_pct, sizeof mem_pct, "%.2f%%", 100.0 * used / limit);
        std::string mem = human_bytes(used) + " / " + human_bytes(limit);
        table.add_row({chosen[i].spec.id.substr(0, 12), chosen[i].spec.name, cpu_text, mem, mem_pct,
                       std::to_string(now.pids)});
    }
    table.print();
    return status;
}

} // namespace

void add_stats_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto opts = std::make_shared<StatsOptions>();
    auto* cmd = app.add_subcommand("stats", "Display a snapshot of containers' resource usage");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik stats [OPTIONS] [CONTAINER...]");
    cmd->add_flag("--no-stream", opts->no_stream, "Print one snapshot and exit (the only mode kubik has)");
    cmd->add_option("CONTAINER", opts->containers, "Container names or ids (default: all running)");
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] { return stats(global, *opts); });
    });
}

} // namespace kubik::cli
