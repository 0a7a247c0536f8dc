// `kubik run`: parse → resolve the image → build the ContainerSpec → start it.
#include "cli/commands.hpp"

#include "container/container_store.hpp"
#include "container/naming.hpp"
#include "core/error.hpp"
#include "image/image_store.hpp"
#include "process.hpp"
#include "runtime/launch.hpp"

#include <cstdlib>
#include <optional>

namespace kubik::cli {
namespace {

struct RunOptions {
    bool remove = false, interactive = false, tty = false;
    std::string name, hostname, workdir, isolation = "default";
    std::vector<std::string> env;
    std::string image;
    std::vector<std::string> command;
};

ContainerSpec make_spec(const RunOptions& opts, const Image& image) {
    ContainerSpec spec;
    spec.id = generate_container_id();
    spec.name = opts.name.empty() ? generate_container_name() : opts.name;
    spec.image = image.ref.str();
    spec.image_rootfs = image.rootfs;

    // The image's ENTRYPOINT stays; a command given to `run` replaces its CMD.
    spec.argv = image.config.entrypoint;
    const auto& cmd = opts.command.empty() ? image.config.cmd : opts.command;
    spec.argv.insert(spec.argv.end(), cmd.begin(), cmd.end());
    if (spec.argv.empty())
        throw Error("no command specified (the image has no CMD; give one after the image name)");

    spec.working_dir = !opts.workdir.empty()               ? opts.workdir
                       : !image.config.working_dir.empty() ? image.config.working_dir
                                                           : "/";
    // Docker's default hostname: the short form of the container id.
    spec.hostname = opts.hostname.empty() ? spec.id.substr(0, 12) : opts.hostname;
    spec.hostname_given = !opts.hostname.empty();
    spec.interactive = opts.interactive;
    spec.tty = opts.tty;
    spec.remove = opts.remove;
    spec.isolation = opts.isolation == "chroot" ? Isolation::Chroot : Isolation::PivotRoot;
    spec.env = process::build_environment(image.config.env, opts.env, spec.hostname, spec.tty,
                                          [](const char* key) { return std::getenv(key); });
    return spec;
}

int run(const GlobalOptions& global, const RunOptions& opts) {
    // Check what the user typed before touching any state.
    if (!opts.name.empty()) validate_container_name(opts.name);
    if (!opts.workdir.empty() && opts.workdir.front() != '/')
        throw Error("the working directory '" + opts.workdir + "' is invalid, it needs to be an absolute path");
    if (opts.hostname.size() > 64)
        throw Error("invalid hostname \"" + opts.hostname + "\": longer than 64 characters");

    const auto root = global.root_path();
    Image image = ImageStore(root).find(ImageRef::parse(opts.image));
    ContainerSpec spec = make_spec(opts, image);

    ContainerStore store(root);
    std::optional<ContainerRecord> created;
    for (int attempt = 1; !created; ++attempt) {
        try {
            created.emplace(store.create(spec));
        } catch (const NameInUse&) {
            // A generated name may collide with an existing one; try another.
            if (!opts.name.empty() || attempt == 5) throw;
            spec.name = generate_container_name();
        }
    }
    ContainerRecord& record = *created;
    return run_container(spec, record);
}

} // namespace

void add_run_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto opts = std::make_shared<RunOptions>();
    auto* run_cmd = app.add_subcommand("run", "Create and run a new container from an image");
    // Docker uses -h for --hostname, so help is --help only.
    run_cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*run_cmd, "kubik run [OPTIONS] IMAGE [COMMAND] [ARG...]");

    run_cmd->add_option("-e,--env", opts->env, "Set environment variables (KEY=VALUE, or KEY to pass kubik's own)")
        ->type_name("list")
        ->allow_extra_args(false);
    run_cmd->add_option("-h,--hostname", opts->hostname, "Container host name")->type_name("string");
    run_cmd->add_flag("-i,--interactive", opts->interactive, "Keep STDIN open");
    run_cmd->add_option("--isolation", opts->isolation,
                        "How to enter the root filesystem: default (pivot_root) or chroot (lesson 1 demo; escapable)")
        ->type_name("string")
        ->check(CLI::IsMember({"default", "pivot_root", "chroot"}));
    run_cmd->add_option("--name", opts->name, "Assign a name to the container")->type_name("string");
    run_cmd->add_flag("--rm", opts->remove, "Automatically remove the container when it exits");
    run_cmd->add_flag("-t,--tty", opts->tty, "Allocate a pseudo-TTY");
    run_cmd->add_option("-w,--workdir", opts->workdir, "Working directory inside the container")->type_name("string");

    run_cmd->add_option("IMAGE", opts->image, "Image to run")->required();
    run_cmd->add_option("COMMAND", opts->command, "Command and its arguments");
    // Everything after IMAGE belongs to the command, even what looks like a
    // flag: `kubik run busybox ls -l` must not parse -l as kubik's.
    run_cmd->positionals_at_end(true);

    run_cmd->callback([&global, &action, opts] { action = [&global, opts] { return run(global, *opts); }; });
}

} // namespace kubik::cli
