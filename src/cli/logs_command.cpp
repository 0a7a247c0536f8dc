// `kubik logs [-f] [--tail N] [-t] CONTAINER`: a detached container's output.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "runtime/log_file.hpp"
#include "core/write_all.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

namespace kubik::cli {
namespace {

struct LogsOptions {
    bool follow = false, timestamps = false;
    std::string tail = "all";
    std::string container;
};

void print_entries(const std::vector<LogEntry>& entries, size_t from, bool timestamps) {
    for (size_t i = from; i < entries.size(); ++i) {
        const auto& e = entries[i];
        int fd = e.stream == "stderr" ? STDERR_FILENO : STDOUT_FILENO;
        std::string text = timestamps ? e.time + " " + e.text : e.text;
        write_all(fd, text.data(), text.size());
    }
}

int logs(const GlobalOptions& global, const LogsOptions& opts) {
    size_t tail = 0;
    bool all = opts.tail == "all";
    if (!all) {
        try {
            tail = std::stoul(opts.tail);
        } catch (const std::exception&) {
            throw Error("invalid --tail value \"" + opts.tail + "\": a number or \"all\"");
        }
    }
    return for_each_container(global, {opts.container}, [&](const ContainerStore& store, const ContainerInfo& info) {
        auto path = store.paths(info.spec.id).log;
        uint64_t offset = 0;
        auto entries = read_log(path, offset);
        print_entries(entries, all || tail >= entries.size() ? 0 : entries.size() - tail, opts.timestamps);
        if (!opts.follow) return;
        // Follow until the container has stopped and its last lines are read.
        for (;;) {
            bool running = store.load(info.spec.id).running();
            print_entries(read_log(path, offset), 0, opts.timestamps);
            if (!running) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
}

} // namespace

void add_logs_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto opts = std::make_shared<LogsOptions>();
    auto* cmd = app.add_subcommand("logs", "Fetch the logs of a container");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik logs [OPTIONS] CONTAINER");
    cmd->add_flag("-f,--follow", opts->follow, "Follow log output");
    cmd->add_option("-n,--tail", opts->tail, "Number of lines to show from the end of the logs")->capture_default_str();
    cmd->add_flag("-t,--timestamps", opts->timestamps, "Show timestamps");
    cmd->add_option("CONTAINER", opts->container, "Container name or id")->required();
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] { return logs(global, *opts); });
    });
}

} // namespace kubik::cli
