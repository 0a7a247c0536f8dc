// `kubik build` (lesson 7): docker's flags, the context from a directory or a
// tar on stdin, the Dockerfile parsed, then build_image(); and `kubik builder
// prune`, which empties the layer cache.
//
// Progress goes to stderr, as BuildKit's does, so that stdout holds only what
// a script wants: with -q, the image ID.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"

#include "build/build_cache.hpp"
#include "build/build_context.hpp"
#include "build/builder.hpp"
#include "build/dockerfile_ast.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "image/image_ref.hpp"
#include "image/image_store.hpp"
#include "rootless/rootless_cgroup.hpp"
#include "rootless/rootless_mode.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>

namespace kubik::cli {
namespace {

namespace fs = std::filesystem;

struct BuildFlags {
    std::vector<std::string> tags, build_args, labels;
    std::string file, target, progress = "auto", network = "none", cgroup_parent = "kubik-build";
    bool no_cache = false, quiet = false, print_ast = false;
    std::string context;
};

std::string read_stdin() {
    std::string text;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(STDIN_FILENO, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    if (n < 0) throw_errno("read the Dockerfile from stdin");
    return text;
}

// "K=V" pairs of --build-arg and --label; a --build-arg K alone takes kubik's
// own environment's value, and is left out when that has none (docker).
std::map<std::string, std::string> key_values(const std::vector<std::string>& values, const std::string& flag,
                                              bool from_env) {
    std::map<std::string, std::string> out;
    for (const auto& v : values) {
        auto eq = v.find('=');
        if (eq == 0) throw Error("invalid argument \"" + v + "\" for \"" + flag + "\" flag: empty key", kExitGeneric);
        if (eq != std::string::npos) {
            out[v.substr(0, eq)] = v.substr(eq + 1);
        } else if (from_env) {
            if (const char* value = std::getenv(v.c_str())) out[v] = value;
        } else {
            out[v] = "";
        }
    }
    return out;
}

// --print-ast PATH: the parser alone (a file, or a directory's Dockerfile).
int print_ast(const BuildFlags& flags) {
    fs::path path = !flags.file.empty() ? fs::path(flags.file) : fs::path(flags.context);
    std::string text;
    std::string name = "Dockerfile";
    if (path == "-") {
        text = read_stdin();
    } else {
        if (fs::is_directory(path)) path /= "Dockerfile";
        if (!fs::exists(path)) throw Error("failed to read dockerfile: open " + path.string() + ": no such file or directory",
                                           kExitGeneric);
        text = read_file(path);
        name = path.filename().string();
    }
    std::cout << dockerfile::format_ast(dockerfile::parse_dockerfile(text, name));
    return 0;
}

int build(const GlobalOptions& global, const BuildFlags& flags) {
    if (flags.print_ast) return print_ast(flags);
    if (flags.context.empty()) throw Error("\"kubik build\" requires exactly 1 argument", kExitGeneric);
    if (flags.progress != "auto" && flags.progress != "plain" && flags.progress != "tty" && flags.progress != "quiet")
        throw Error("invalid --progress value \"" + flags.progress + "\": plain, tty, auto or quiet", kExitGeneric);
    if (flags.context == "-" && flags.file == "-")
        throw Error("invalid argument: can't use stdin for both build context and dockerfile", kExitGeneric);

    build::BuildOptions options;
    options.root = global.root_path();
    for (const auto& t : flags.tags) {
        try {
            options.tags.push_back(ImageRef::parse(t));
        } catch (const Error& e) {
            throw Error("invalid argument \"" + t + "\" for \"-t, --tag\" flag: " + e.what(), kExitGeneric);
        }
    }
    options.build_args = key_values(flags.build_args, "--build-arg", true);
    options.labels = key_values(flags.labels, "--label", false);
    options.target = flags.target;
    options.no_cache = flags.no_cache;
    options.quiet = flags.quiet || flags.progress == "quiet";
    options.progress = flags.progress;
    options.network = flags.network;
    // Like `run`'s: relative to each hierarchy's root, no way up.
    options.cgroup_parent = flags.cgroup_parent;
    options.cgroup_parent.erase(0, options.cgroup_parent.find_first_not_of('/'));
    if (options.cgroup_parent.empty() || options.cgroup_parent.find("..") != std::string::npos)
        throw Error("invalid --cgroup-parent \"" + flags.cgroup_parent + "\"", kExitGeneric);
    if (rootless::inside()) options.cgroup_parent = rootless::cgroup_parent_for(options.cgroup_parent);

    ImageStore store(options.root);
    std::optional<build::BuildContext> context;
    if (flags.context == "-") {
        fs::create_directories(store.dir() / "tmp");
        context.emplace(build::BuildContext::from_tar(STDIN_FILENO, store.dir() / "tmp"));
    } else {
        if (!fs::is_directory(flags.context))
            throw Error("unable to prepare context: path \"" + flags.context + "\" not found", kExitGeneric);
        context.emplace(build::BuildContext::from_directory(
            fs::absolute(flags.context), flags.file.empty() || flags.file == "-" ? fs::path() : fs::absolute(flags.file)));
    }

    std::string text;
    if (flags.file == "-") {
        text = read_stdin();
    } else if (!flags.file.empty()) {
        // Docker's -f is relative to where kubik runs, not to the context.
        text = context->read_dockerfile(fs::absolute(flags.file));
        options.dockerfile_name = fs::path(flags.file).filename().string();
    } else {
        text = context->read_dockerfile("Dockerfile");
    }
    dockerfile::Dockerfile file = dockerfile::parse_dockerfile(text, options.dockerfile_name);

    Image image = build::build_image(file, *context, options, [](const std::string& line) {
        std::string out = line + "\n";
        std::cerr << out << std::flush;
    });
    if (options.quiet) std::cout << image.id << "\n";
    return 0;
}

int prune(const GlobalOptions& global) {
    build::BuildCache cache(global.root_path());
    std::size_t n = cache.prune();
    std::cout << "Deleted build cache objects: " << n << "\n";
    return 0;
}

} // namespace

void add_build_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto flags = std::make_shared<BuildFlags>();
    auto* cmd = add_command(app, "build", "Build an image from a Dockerfile", "kubik build [OPTIONS] PATH | -");
    cmd->add_option("--build-arg", flags->build_args, "Set build-time variables")->type_name("list")->allow_extra_args(false);
    cmd->add_option("--cgroup-parent", flags->cgroup_parent, "Parent cgroup for the RUN steps' containers")
        ->type_name("string")->take_last();
    cmd->add_option("-f,--file", flags->file, "Name of the Dockerfile (default: \"PATH/Dockerfile\")")->type_name("string")->take_last();
    cmd->add_option("--label", flags->labels, "Set metadata for an image")->type_name("list")->allow_extra_args(false);
    cmd->add_option("--network", flags->network, "Set the networking mode for the RUN instructions (default \"none\")")
        ->type_name("string")->take_last();
    cmd->add_flag("--no-cache", flags->no_cache, "Do not use cache when building the image");
    cmd->add_flag("--print-ast", flags->print_ast, "Print the parsed Dockerfile, one instruction per line, and exit");
    cmd->add_option("--progress", flags->progress, "Type of progress output (auto, plain, tty, quiet)")
        ->type_name("string")->take_last();
    cmd->add_flag("-q,--quiet", flags->quiet, "Suppress the build output and print image ID on success");
    cmd->add_option("-t,--tag", flags->tags, "Name and optionally a tag in the \"name:tag\" format")
        ->type_name("list")
        ->allow_extra_args(false);
    cmd->add_option("--target", flags->target, "Set the target build stage to build")->type_name("string")->take_last();
    cmd->add_option("PATH", flags->context, "The build context: a directory, or - for a tar on stdin");
    cmd->callback([&global, &action, flags] {
        action = exit_one_on_error([&global, flags] { return build(global, *flags); });
    });

    auto* builder = add_command(app, "builder", "Manage builds", "kubik builder COMMAND");
    builder->require_subcommand(1);
    auto* prune_cmd = add_command(*builder, "prune", "Remove build cache", "kubik builder prune [OPTIONS]");
    auto force = std::make_shared<bool>(false);
    prune_cmd->add_flag("-f,--force", *force, "Do not prompt for confirmation");
    auto all = std::make_shared<bool>(false);
    prune_cmd->add_flag("-a,--all", *all, "Remove all unused build cache (the only kind kubik keeps)");
    prune_cmd->callback([&global, &action, force, all] { action = exit_one_on_error([&global] { return prune(global); }); });
}

} // namespace kubik::cli
