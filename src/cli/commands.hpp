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
    /// --root / KUBIK_ROOT; the default is the build's own store
    /// (/var/lib/kubik, or /var/lib/kubik-student for the student track).
    std::string root = KUBIK_DEFAULT_ROOT;
    /// The state root as an absolute path.
    std::filesystem::path root_path() const { return std::filesystem::absolute(root); }
};

/// What a subcommand does after parsing; returns the process exit code.
using Action = std::function<int()>;

/// Sets docker-like help output on `app` ("Usage:  kubik run [OPTIONS] IMAGE ...").
void use_docker_style_help(CLI::App& app, const std::string& usage);

/// Adds subcommand `name` to `parent` with docker's help ("--help", "Print
/// usage", and `usage` as its Usage line).
CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& what, const std::string& usage);

/// Each add_*_command() registers one subcommand (or a few) on `app`, with its
/// flags; once parsing succeeds, `action` is what the command does.
///
/// `kubik run`: start a container from an image, in the foreground or with -d.
void add_run_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik image busybox` (make the busybox image), `images`, `tag`, `rmi`,
/// `history` and `image ls|rm|tag|history|inspect|prune`.
void add_image_commands(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik load`, `save` and `import`, and their `kubik image …` forms; call
/// after add_image_commands() (they go under its `image` too).
void add_transfer_commands(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik commit`: a container's changes as a new image.
void add_commit_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik build` (lesson 7), and `kubik builder prune`.
void add_build_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik system df`: disk usage of images and containers.
void add_system_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik volume create|ls|inspect|rm|prune`: the volume store.
void add_volume_commands(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik network create|ls|inspect|rm|prune`: kubik's networks (lesson 6).
void add_network_commands(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik ps`: list containers.
void add_ps_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik port`: a container's published ports.
void add_port_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik stop`, `kubik kill` and `kubik rm`.
void add_lifecycle_commands(CLI::App& app, const GlobalOptions& global, Action& action); // stop, kill, rm
/// `kubik logs`: a detached container's output.
void add_logs_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik exec`: run another command in a running container.
void add_exec_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik inspect`: containers' records (or images') as JSON, docker's shape.
void add_inspect_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik stats`: what running containers use, from their cgroups.
void add_stats_command(CLI::App& app, const GlobalOptions& global, Action& action);
/// `kubik info`: what kubik has and what the host gives it (docker info);
/// `version` is kubik's own, as --version prints it.
void add_info_command(CLI::App& app, const GlobalOptions& global, Action& action, const std::string& version);

} // namespace kubik::cli
