// kubik's command line: one function per subcommand, each registering its
// flags with CLI11 and returning the action to run once parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace kubik::cli {

/// Options every subcommand shares.
struct GlobalOptions {
    std::string root = "/var/lib/kubik"; ///< --root / KUBIK_ROOT
    std::filesystem::path root_path() const { return std::filesystem::absolute(root); }
};

/// What a subcommand does after parsing; returns the process exit code.
using Action = std::function<int()>;

/// Sets docker-like help output on `app` ("Usage:  kubik run [OPTIONS] IMAGE ...").
void use_docker_style_help(CLI::App& app, const std::string& usage);

void add_run_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_image_commands(CLI::App& app, const GlobalOptions& global, Action& action);
void add_ps_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_lifecycle_commands(CLI::App& app, const GlobalOptions& global, Action& action); // stop, kill, rm
void add_logs_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_exec_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_inspect_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_stats_command(CLI::App& app, const GlobalOptions& global, Action& action);

} // namespace kubik::cli
