// `kubik exec [-i] [-t] [-e K=V] [-w DIR] CONTAINER COMMAND [ARG...]`.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/env_flags.hpp"
#include "runtime/exec.hpp"

namespace kubik::cli {
namespace {

struct ExecArgs {
    ExecOptions options;
    std::string container;
};

} // namespace

void add_exec_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto args = std::make_shared<ExecArgs>();
    auto* cmd = app.add_subcommand("exec", "Execute a command in a running container");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik exec [OPTIONS] CONTAINER COMMAND [ARG...]");
    cmd->add_option("-e,--env", args->options.env, "Set environment variables")->type_name("list")->allow_extra_args(false);
    cmd->add_flag("-i,--interactive", args->options.interactive, "Keep STDIN open");
    cmd->add_flag("-t,--tty", args->options.tty, "Allocate a pseudo-TTY");
    cmd->add_option("-u,--user", args->options.user, "Username or UID (format: <name|uid>[:<group|gid>])")
        ->type_name("string");
    cmd->add_option("-w,--workdir", args->options.working_dir, "Working directory inside the container");
    cmd->add_option("CONTAINER", args->container, "Container name or id")->required();
    cmd->add_option("COMMAND", args->options.argv, "Command and its arguments")->required();
    cmd->positionals_at_end(true);
    cmd->callback([&global, &action, args] {
        action = [&global, args]() -> int {
            // A bad -e is a usage error (125, as docker's), found before
            // the container is looked up.
            validate_env_flags(args->options.env);
            // Errors before the command runs (no such container, not
            // running) exit 1; the command's own exit code otherwise.
            ContainerStore store(global.root_path());
            ContainerInfo info;
            try {
                info = store.load(store.resolve(args->container));
            } catch (const Error& e) {
                throw Error(e.what(), kExitGeneric);
            }
            return exec_in_container(info, args->options, store.paths(info.spec.id).dir);
        };
    });
}

} // namespace kubik::cli
