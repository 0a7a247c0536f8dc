// `kubik image busybox` and `kubik images`.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/table.hpp"

#include "core/error.hpp"
#include "image/image_store.hpp"

#include <cstdio>
#include <iostream>

namespace kubik::cli {

void add_image_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* image = app.add_subcommand("image", "Manage images");
    image->set_help_flag("--help", "Print usage");
    image->require_subcommand(1);
    use_docker_style_help(*image, "kubik image COMMAND");

    struct BusyboxOptions {
        std::string busybox = "/bin/busybox";
        std::string tag = "busybox:latest";
        bool force = false;
    };
    auto opts = std::make_shared<BusyboxOptions>();
    auto* busybox = image->add_subcommand(
        "busybox", "Make the busybox image from the host's static busybox binary (offline)");
    busybox->set_help_flag("--help", "Print usage");
    use_docker_style_help(*busybox, "kubik image busybox [OPTIONS]");
    busybox->add_option("--busybox", opts->busybox, "Static busybox binary to use")->capture_default_str();
    busybox->add_option("-t,--tag", opts->tag, "Name and optionally a tag (name:tag)")->capture_default_str();
    busybox->add_flag("-f,--force", opts->force, "Replace the image if it exists");
    busybox->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] {
            ImageStore store(global.root_path());
            auto ref = ImageRef::parse(opts->tag);
            bool existed = store.exists(ref.str());
            store.create_busybox(ref, opts->busybox, opts->force);
            // Say which store: the reference and the student builds each have one.
            std::cout << (existed && !opts->force ? "Image " + ref.str() + " already exists"
                                                  : "Created image " + ref.str())
                      << " in " << global.root_path().string() << "\n";
            return 0;
        });
    });

    auto* images = app.add_subcommand("images", "List images");
    images->set_help_flag("--help", "Print usage");
    use_docker_style_help(*images, "kubik images");
    images->callback([&global, &action] {
        action = exit_one_on_error([&global] {
            ImageStore store(global.root_path());
            Table table({"REPOSITORY", "TAG", "IMAGE ID"});
            for (const auto& img : store.list())
                for (const auto& tag : img.tags) {
                    auto ref = ImageRef::parse(tag);
                    table.add_row({ref.name, ref.tag, img.id.substr(7, 12)});
                }
            table.print();
            return 0;
        });
    });
}

} // namespace kubik::cli
