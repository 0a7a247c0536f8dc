// `kubik commit`: a container's changes (its overlay upper directory) as a
// new layer on top of its image, like `docker commit`. Works on a running
// container too: its upper directory is read as it is at that moment
// (docker pauses the container first; kubik has no freezer yet).
#include "cli/commands.hpp"

#include "cli/container_args.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"
#include "image/image_store.hpp"
#include "layers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

namespace kubik::cli {
namespace {

struct CommitOptions {
    std::string message, author, container, reference;
};

// The temp tar is removed however the commit ends.
struct TempFile {
    std::filesystem::path path;
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

int commit(const GlobalOptions& global, const CommitOptions& opts) {
    ImageRef ref;
    if (!opts.reference.empty()) ref = ImageRef::parse(opts.reference);
    ContainerStore containers(global.root_path());
    ContainerInfo info = containers.load(containers.resolve(opts.container));
    if (info.spec.image_id.empty())
        throw Error("container " + info.spec.name + " was made by an older kubik and has no image ID to commit onto",
                    kExitGeneric);

    ImageStore store(global.root_path());
    Image base = store.find(info.spec.image_id);
    // In the store, so that the layer can be moved in as a blob.
    std::filesystem::create_directories(store.dir());
    TempFile tar{store.temp_path("commit")};
    {
        int fd = ::open(tar.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) throw_errno("create " + tar.path.string());
        UniqueFd out(fd);
        image::TarWriter writer(out.get(), tar.path.string());
        layers::write_layer(containers.paths(info.spec.id).upper, writer);
        writer.finish();
    }
    // Docker's history line for a commit is the container's command.
    std::string created_by;
    for (const auto& arg : info.spec.argv) created_by += (created_by.empty() ? "" : " ") + arg;
    Image made = store.commit(base, tar.path, base.config, created_by, ref, opts.message);
    std::cout << made.id << "\n";
    return 0;
}

} // namespace

void add_commit_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto opts = std::make_shared<CommitOptions>();
    auto* cmd = app.add_subcommand("commit", "Create a new image from a container's changes");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]");
    cmd->add_option("-m,--message", opts->message, "Commit message")->type_name("string");
    cmd->add_option("CONTAINER", opts->container, "Container name or id")->required();
    cmd->add_option("REPOSITORY", opts->reference, "Name[:tag] of the new image");
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] { return commit(global, *opts); });
    });
}

} // namespace kubik::cli
