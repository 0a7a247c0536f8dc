// `kubik system df`: what images and containers take on disk, in docker's
// four rows (kubik has no build cache yet: that one is 0).
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/table.hpp"
#include "cli/units.hpp"

#include "container/image_users.hpp"
#include "image/image_store.hpp"
#include "volume/volume_store.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <map>

namespace kubik::cli {
namespace {

// Bytes of the regular files below `dir`, symlinks not followed.
std::uint64_t tree_size(const std::filesystem::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(dir, std::filesystem::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        struct stat st;
        if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += static_cast<std::uint64_t>(st.st_size);
    }
    return total;
}

// Docker's RECLAIMABLE: "SIZE (PERCENT%)" when there is anything at all.
std::string reclaimable(std::uint64_t part, std::uint64_t total) {
    if (total == 0) return human_size(static_cast<double>(part), 4);
    return human_size(static_cast<double>(part), 4) + " (" + std::to_string(part * 100 / total) + "%)";
}

int disk_usage(const GlobalOptions& global) {
    ImageStore store(global.root_path());
    ContainerStore containers(global.root_path());
    ImageUsers users = collect_image_users(containers);

    // Each layer once, however many images share it.
    std::map<std::string, std::uint64_t> layer_sizes;
    std::uint64_t images = 0, active_images = 0;
    for (const auto& img : store.list()) {
        ++images;
        if (!users.of(img.id).empty()) ++active_images;
        for (const auto& layer : img.layers) layer_sizes[layer.chain_id] = layer.size;
    }
    for (const auto& chain : users.chain_ids)
        if (!layer_sizes.count(chain))
            if (auto layer = store.find_layer(chain)) layer_sizes[chain] = layer->size;
    std::uint64_t images_size = 0, in_use = 0;
    for (const auto& [chain, size] : layer_sizes) {
        images_size += size;
        if (users.chain_ids.count(chain)) in_use += size;
    }

    std::uint64_t count = 0, running = 0, containers_size = 0, stopped_size = 0;
    for (const auto& info : containers.list()) {
        ++count;
        auto size = tree_size(containers.paths(info.spec.id).upper);
        containers_size += size;
        if (info.running())
            ++running;
        else
            stopped_size += size;
    }

    // A volume is active while a container (running or not) names it; what
    // nobody uses is what `volume prune -a` would reclaim.
    VolumeStore volumes(global.root_path());
    const auto volume_users = volumes.users();
    std::uint64_t volume_count = 0, active_volumes = 0, volumes_size = 0, unused_volumes_size = 0;
    for (const auto& volume : volumes.list()) {
        ++volume_count;
        auto size = VolumeStore::size_of(volume);
        volumes_size += size;
        if (volume_users.count(volume.name))
            ++active_volumes;
        else
            unused_volumes_size += size;
    }

    Table table({"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
    table.add_row({"Images", std::to_string(images), std::to_string(active_images),
                   human_size(static_cast<double>(images_size), 4), reclaimable(images_size - in_use, images_size)});
    table.add_row({"Containers", std::to_string(count), std::to_string(running),
                   human_size(static_cast<double>(containers_size), 4), reclaimable(stopped_size, containers_size)});
    table.add_row({"Local Volumes", std::to_string(volume_count), std::to_string(active_volumes),
                   human_size(static_cast<double>(volumes_size), 4), reclaimable(unused_volumes_size, volumes_size)});
    table.add_row({"Build Cache", "0", "0", "0B", "0B"});
    table.print();
    return 0;
}

} // namespace

void add_system_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* system = app.add_subcommand("system", "Manage kubik");
    system->set_help_flag("--help", "Print usage");
    system->require_subcommand(1);
    use_docker_style_help(*system, "kubik system COMMAND");
    auto* df = system->add_subcommand("df", "Show kubik disk usage");
    df->set_help_flag("--help", "Print usage");
    use_docker_style_help(*df, "kubik system df");
    df->callback([&global, &action] { action = exit_one_on_error([&global] { return disk_usage(global); }); });
}

} // namespace kubik::cli
