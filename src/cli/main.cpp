// kubik: a small, readable, fast container runtime with docker's interface.
//
// This file only wires the subcommands together; each lives in its own file
// under src/cli/. Exit codes follow docker: 125 for a usage error.
#include "cli/commands.hpp"
#include "cli/empty_values.hpp"
#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/process_title.hpp"
#include "rootless/rootless_mode.hpp"
#include "rootless/user_namespace_host.hpp"
#include "runtime/launch.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string_view>

#ifndef KUBIK_VERSION
#define KUBIK_VERSION "dev"
#endif

int main(int argc, char** argv) {
    using namespace kubik;
    // First of all, before anything opens a file: close every descriptor
    // kubik's caller left open (a shell's `exec 7</dir`, a leaky parent).
    // Each one would be open in every container kubik starts until exec, and
    // in there /proc/self/fd/7 is a door to the host: `-w /proc/self/fd/7`
    // starts the command in a directory of the host's (runc's CVE-2024-21626;
    // see src/runtime/working_directory.hpp). Kubik needs none of them: its
    // own `kubik __finish` gets only stdio from kubik-monitor.
    if (::close_range(3, ~0U, 0) != 0) {
        std::cerr << "kubik: close inherited descriptors: " << std::strerror(errno) << "\n";
        return kExitRuntimeError;
    }
    remember_process_args(argc, argv);
    // A detached container's monitor runs this when the container is gone
    // (see src/runtime/detach.cpp); not a user's command.
    if (argc > 1 && std::string_view(argv[1]) == "__finish") return finish_main(argc, argv);
    CLI::App app("A small container runtime, built one lesson at a time", "kubik");
    app.set_help_flag("--help", "Print usage");
    app.set_version_flag("-v,--version", std::string("kubik version ") + KUBIK_VERSION);
    app.require_subcommand(1);
    cli::use_docker_style_help(app, "kubik [OPTIONS] COMMAND");

    cli::GlobalOptions global;
    // An ordinary user's kubik keeps its own store (rootless/rootless_mode.hpp).
    const bool rootless = rootless::started_by_user();
    std::string no_state_root; // why a user's kubik has no default state root
    if (rootless) {
        try {
            global.root = rootless::user_state_root().string();
        } catch (const Error& e) {
            global.root.clear(); // --root or KUBIK_ROOT may still give one
            no_state_root = e.what();
        }
    }
    app.add_option("--root", global.root, "Root directory of kubik's state (images, containers)")
        ->envname("KUBIK_ROOT")
        ->capture_default_str();

    cli::Action action;
    cli::add_run_command(app, global, action);
    cli::add_ps_command(app, global, action);
    cli::add_port_command(app, global, action);
    cli::add_lifecycle_commands(app, global, action);
    cli::add_logs_command(app, global, action);
    cli::add_exec_command(app, global, action);
    cli::add_inspect_command(app, global, action);
    cli::add_stats_command(app, global, action);
    cli::add_image_commands(app, global, action);
    cli::add_transfer_commands(app, global, action);
    cli::add_commit_command(app, global, action);
    cli::add_build_command(app, global, action);
    cli::add_system_command(app, global, action);
    cli::add_volume_commands(app, global, action);
    cli::add_network_commands(app, global, action);
    cli::add_info_command(app, global, action, KUBIK_VERSION);

    try {
        auto args = cli::split_empty_values(app, argc, argv); // `--entrypoint=""`: see empty_values.hpp
        app.parse(args);
    } catch (const CLI::Success& e) {
        return app.exit(e); // --help, --version
    } catch (const CLI::ParseError& e) {
        // Docker prints the error and where to read more, and exits 125.
        std::cerr << "kubik: " << e.what() << "\n";
        std::string sub;
        for (const auto* s : app.get_subcommands()) sub = " " + s->get_name();
        std::cerr << "See 'kubik" << sub << " --help'.\n";
        return kExitRuntimeError;
    }

    try {
        // Into the user's own namespaces, where kubik is root
        // (rootless/user_namespace_host.hpp); one thread still, as setns
        // requires.
        if (rootless && global.root.empty()) throw Error(no_state_root);
        if (rootless) rootless::enter_rootless_namespaces();
        return action();
    } catch (const Error& e) {
        std::cerr << "kubik: " << e.what() << "\n";
        return e.exit_code();
    } catch (const NotImplemented& e) {
        std::cerr << "kubik: " << e.what() << "\n";
        return kExitRuntimeError;
    } catch (const std::exception& e) {
        std::cerr << "kubik: " << e.what() << "\n";
        return kExitRuntimeError;
    }
}
