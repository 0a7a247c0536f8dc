// The commands on the image store's names and images: `kubik image busybox`,
// `images` (`image ls`), `tag`, `rmi` (`image rm`), `history`, `image
// inspect` and `image prune`. Output, flags and exit codes are docker's.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/image_view.hpp"
#include "cli/table.hpp"
#include "cli/units.hpp"

#include "container/image_users.hpp"
#include "core/error.hpp"
#include "image/image_store.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>

namespace kubik::cli {

std::string short_id(const std::string& id) {
    auto colon = id.find(':');
    return id.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

std::pair<std::string, std::string> split_tag(const std::string& reference) {
    auto colon = reference.rfind(':');
    // A ':' before the last '/' belongs to a registry's port.
    if (colon == std::string::npos || reference.find('/', colon) != std::string::npos) return {reference, ""};
    return {reference.substr(0, colon), reference.substr(colon + 1)};
}

nlohmann::json image_inspect_json(const Image& image) {
    const auto& doc = image.config_doc;
    nlohmann::json config = doc.contains("config") && doc["config"].is_object() ? doc["config"] : nlohmann::json::object();
    // Docker always shows these, null when the image doesn't set them.
    for (const char* key : {"Env", "Cmd", "Entrypoint", "Volumes", "OnBuild", "Labels"})
        if (!config.contains(key)) config[key] = nullptr;
    for (const char* key : {"Hostname", "Domainname", "User", "WorkingDir", "Image"})
        if (!config.contains(key)) config[key] = "";
    for (const char* key : {"AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce"})
        if (!config.contains(key)) config[key] = false;
    auto diff_ids = nlohmann::json::array();
    for (const auto& layer : image.layers) diff_ids.push_back(layer.diff_id);
    // overlay2's view: the top layer is the "upper" of the image itself.
    nlohmann::json graph = {{"Name", "overlay2"}, {"Data", nlohmann::json::object()}};
    if (!image.layers.empty()) {
        std::string lower;
        for (auto it = image.layers.rbegin() + 1; it != image.layers.rend(); ++it)
            lower += (lower.empty() ? "" : ":") + it->dir.string();
        graph["Data"]["UpperDir"] = image.layers.back().dir.string();
        if (!lower.empty()) graph["Data"]["LowerDir"] = lower;
    }
    return {
        {"Id", image.id},
        {"RepoTags", image.tags},
        {"RepoDigests", nlohmann::json::array()},
        {"Parent", ""},
        {"Comment", doc.value("comment", "")},
        {"Created", image.created},
        {"DockerVersion", doc.value("docker_version", "")},
        {"Author", doc.value("author", "")},
        {"Config", config},
        {"Architecture", doc.value("architecture", "amd64")},
        {"Os", doc.value("os", "linux")},
        {"Size", image.size},
        {"GraphDriver", graph},
        {"RootFS", {{"Type", "layers"}, {"Layers", diff_ids}}},
        {"Metadata", {{"LastTagTime", "0001-01-01T00:00:00Z"}}},
    };
}

namespace {

double now_seconds() { return static_cast<double>(std::time(nullptr)); }

std::string created_ago(const std::string& created) {
    if (created.empty()) return "N/A";
    return human_duration(now_seconds() - parse_rfc3339(created)) + " ago";
}

// --- images ------------------------------------------------------------------

struct ImagesOptions {
    bool quiet = false, all = false, no_trunc = false;
    std::string format, filter;
};

int images(const GlobalOptions& global, const ImagesOptions& opts) {
    ImageStore store(global.root_path());
    std::string want_repo, want_tag;
    if (!opts.filter.empty()) std::tie(want_repo, want_tag) = split_tag(opts.filter);
    Table table({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
    for (const auto& img : store.list()) {
        std::vector<std::pair<std::string, std::string>> names;
        for (const auto& t : img.tags) names.push_back(split_tag(t));
        std::sort(names.begin(), names.end());
        if (names.empty()) {
            // A dangling image matches no name filter, as in docker.
            if (!opts.filter.empty()) continue;
            names.emplace_back("<none>", "<none>");
        }
        for (const auto& [repo, tag] : names) {
            if (!want_repo.empty() && (repo != want_repo || (!want_tag.empty() && tag != want_tag))) continue;
            std::string id = opts.no_trunc ? img.id : short_id(img.id);
            std::string size = human_size(static_cast<double>(img.size));
            if (opts.quiet) {
                std::printf("%s\n", id.c_str());
            } else if (opts.format == "json") {
                char when[64] = "";
                auto t = static_cast<std::time_t>(parse_rfc3339(img.created));
                struct tm tm;
                ::gmtime_r(&t, &tm);
                std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
                nlohmann::json line = {{"Containers", "N/A"}, {"CreatedAt", when},
                                       {"CreatedSince", created_ago(img.created)}, {"Digest", "<none>"},
                                       {"ID", id}, {"Repository", repo}, {"SharedSize", "N/A"},
                                       {"Size", size}, {"Tag", tag}, {"UniqueSize", "N/A"},
                                       {"VirtualSize", size}};
                std::cout << line.dump() << "\n";
            } else {
                table.add_row({repo, tag, id, created_ago(img.created), size});
            }
        }
    }
    if (!opts.quiet && opts.format.empty()) table.print();
    return 0;
}

void add_images(CLI::App& parent, const std::string& name, const std::string& usage, const GlobalOptions& global,
                Action& action) {
    auto opts = std::make_shared<ImagesOptions>();
    auto* cmd = add_command(parent, name, "List images", usage);
    cmd->add_flag("-a,--all", opts->all, "Show all images (default hides intermediate images)");
    cmd->add_flag("-q,--quiet", opts->quiet, "Only show image IDs");
    cmd->add_flag("--no-trunc", opts->no_trunc, "Don't truncate output");
    cmd->add_option("--format", opts->format, "Format output: json")->check(CLI::IsMember({"json"}));
    cmd->add_option("REPOSITORY", opts->filter, "Only images of this repository (and tag)");
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] { return images(global, *opts); });
    });
}

// --- rmi -------------------------------------------------------------------

// Docker's rules (daemon/images/image_delete.go) are the store's: a name
// that is one of several only loses the name, and a container's image is
// refused unless -f (a running one's by ID even then).
void remove_image(ImageStore& store, const ImageUsers& users, const std::string& ref, bool force) {
    for (const auto& line : store.remove(ref, force, users.chain_ids, users.for_remove())) std::cout << line << "\n";
}

void add_rmi(CLI::App& parent, const std::string& name, const std::string& usage, const GlobalOptions& global,
             Action& action) {
    struct Options {
        bool force = false;
        std::vector<std::string> refs;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = add_command(parent, name, "Remove one or more images", usage);
    cmd->add_flag("-f,--force", opts->force, "Force removal of the image");
    cmd->add_option("IMAGE", opts->refs, "Image name or ID")->required();
    cmd->callback([&global, &action, opts] {
        action = [&global, opts] {
            ImageStore store(global.root_path());
            ContainerStore containers(global.root_path());
            int status = 0;
            for (const auto& ref : opts->refs) {
                try {
                    // Again for each: the one before may have been the last of a name.
                    remove_image(store, collect_image_users(containers), ref, opts->force);
                } catch (const Error& e) {
                    std::cerr << "kubik: " << e.what() << "\n";
                    status = kExitGeneric;
                }
            }
            return status;
        };
    });
}

// --- tag ---------------------------------------------------------------------

void add_tag(CLI::App& parent, const std::string& name, const std::string& usage, const GlobalOptions& global,
             Action& action) {
    struct Options {
        std::string source, target;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = add_command(parent, name, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", usage);
    cmd->add_option("SOURCE_IMAGE", opts->source, "Image name or ID")->required();
    cmd->add_option("TARGET_IMAGE", opts->target, "New name[:tag]")->required();
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] {
            // Docker checks the target's syntax before looking anything up.
            auto target = ImageRef::parse(opts->target);
            ImageStore(global.root_path()).tag(opts->source, target);
            return 0;
        });
    });
}

// --- history -------------------------------------------------------------------

struct HistoryOptions {
    bool no_trunc = false, quiet = false, human = true;
    std::string image;
};

std::string ellipsis(const std::string& text, size_t width) {
    // Characters, not bytes (a command may hold UTF-8).
    size_t chars = 0, cut = text.size();
    for (size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == width - 1) cut = i;
    return chars <= width ? text : text.substr(0, cut) + "…";
}

int history(const GlobalOptions& global, const HistoryOptions& opts) {
    Image image = ImageStore(global.root_path()).find(opts.image);
    struct Row {
        std::string created, created_by, comment;
        std::uint64_t size = 0;
    };
    std::vector<Row> rows;
    size_t next_layer = 0;
    auto history = image.config_doc.find("history");
    if (history != image.config_doc.end() && history->is_array()) {
        for (const auto& h : *history) {
            Row row{h.value("created", ""), h.value("created_by", ""), h.value("comment", ""), 0};
            if (!h.value("empty_layer", false) && next_layer < image.layers.size())
                row.size = image.layers[next_layer++].size;
            rows.push_back(row);
        }
    }
    // Layers the history doesn't account for (an image made without one).
    for (; next_layer < image.layers.size(); ++next_layer)
        rows.push_back({image.created, "", "", image.layers[next_layer].size});
    std::reverse(rows.begin(), rows.end());

    Table table({"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"});
    for (size_t i = 0; i < rows.size(); ++i) {
        // Only the top row is an image of its own; docker has no IDs for the rest.
        std::string id = i == 0 ? (opts.no_trunc ? image.id : short_id(image.id)) : "<missing>";
        if (opts.quiet) {
            std::printf("%s\n", id.c_str());
            continue;
        }
        const auto& r = rows[i];
        table.add_row({id, created_ago(r.created), opts.no_trunc ? r.created_by : ellipsis(r.created_by, 45),
                       human_size(static_cast<double>(r.size)), r.comment});
    }
    if (!opts.quiet) table.print();
    return 0;
}

void add_history(CLI::App& parent, const std::string& name, const std::string& usage, const GlobalOptions& global,
                 Action& action) {
    auto opts = std::make_shared<HistoryOptions>();
    auto* cmd = add_command(parent, name, "Show the history of an image", usage);
    cmd->add_flag("--no-trunc", opts->no_trunc, "Don't truncate output");
    cmd->add_flag("-q,--quiet", opts->quiet, "Only show image IDs");
    cmd->add_option("IMAGE", opts->image, "Image name or ID")->required();
    cmd->callback([&global, &action, opts] {
        action = exit_one_on_error([&global, opts] { return history(global, *opts); });
    });
}

// --- image inspect ---------------------------------------------------------------

int inspect_images(const GlobalOptions& global, const std::vector<std::string>& refs) {
    ImageStore store(global.root_path());
    auto all = nlohmann::json::array();
    int status = 0;
    for (const auto& ref : refs) {
        try {
            all.push_back(image_inspect_json(store.find(ref)));
        } catch (const Error&) {
            // Docker: what was found is printed, the rest named on stderr.
            std::cerr << "kubik: No such image: " << ref << "\n";
            status = kExitGeneric;
        }
    }
    std::cout << all.dump(4) << "\n";
    return status;
}

// --- image prune -------------------------------------------------------------------

std::string lower_first(std::string line) {
    if (!line.empty()) line[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(line[0])));
    return line;
}

int prune(const GlobalOptions& global, bool all, bool force) {
    if (!force) {
        std::cout << (all ? "WARNING! This will remove all images without at least one container associated to them."
                          : "WARNING! This will remove all dangling images.")
                  << "\nAre you sure you want to continue? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") return 0;
    }
    ImageStore store(global.root_path());
    ImageUsers users = collect_image_users(ContainerStore(global.root_path()));
    auto before = store.usage();
    std::vector<std::string> deleted;
    for (const auto& img : store.list()) {
        if (!users.of(img.id).empty() || (!all && !img.tags.empty())) continue;
        auto refs = img.tags.empty() ? std::vector<std::string>{img.id} : img.tags;
        for (const auto& ref : refs)
            for (const auto& line : store.remove(ref, /*force=*/true, users.chain_ids, users.for_remove()))
                deleted.push_back(lower_first(line));
    }
    store.prune(users.chain_ids);
    auto after = store.usage();
    auto total = [](const StoreUsage& u) { return u.layers_bytes + u.blobs_bytes; };
    std::uint64_t freed = total(before) > total(after) ? total(before) - total(after) : 0;
    if (!deleted.empty()) {
        std::cout << "Deleted Images:\n";
        for (const auto& line : deleted) std::cout << line << "\n";
        std::cout << "\n";
    }
    std::cout << "Total reclaimed space: " << human_size(static_cast<double>(freed)) << "\n";
    return 0;
}

} // namespace

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
    auto* busybox = add_command(*image, "busybox",
                                "Make the busybox image from the host's static busybox binary (offline)",
                                "kubik image busybox [OPTIONS]");
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

    add_images(app, "images", "kubik images [OPTIONS] [REPOSITORY[:TAG]]", global, action);
    add_images(*image, "ls", "kubik image ls [OPTIONS] [REPOSITORY[:TAG]]", global, action);
    add_rmi(app, "rmi", "kubik rmi [OPTIONS] IMAGE [IMAGE...]", global, action);
    add_rmi(*image, "rm", "kubik image rm [OPTIONS] IMAGE [IMAGE...]", global, action);
    add_tag(app, "tag", "kubik tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", global, action);
    add_tag(*image, "tag", "kubik image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", global, action);
    add_history(app, "history", "kubik history [OPTIONS] IMAGE", global, action);
    add_history(*image, "history", "kubik image history [OPTIONS] IMAGE", global, action);

    auto refs = std::make_shared<std::vector<std::string>>();
    auto* inspect = add_command(*image, "inspect", "Display detailed information on one or more images",
                                "kubik image inspect IMAGE [IMAGE...]");
    inspect->add_option("IMAGE", *refs, "Image name or ID")->required();
    inspect->callback([&global, &action, refs] {
        action = exit_one_on_error([&global, refs] { return inspect_images(global, *refs); });
    });

    struct PruneOptions {
        bool all = false, force = false;
    };
    auto prune_opts = std::make_shared<PruneOptions>();
    auto* prune_cmd = add_command(*image, "prune", "Remove unused images", "kubik image prune [OPTIONS]");
    prune_cmd->add_flag("-a,--all", prune_opts->all, "Remove all unused images, not just dangling ones");
    prune_cmd->add_flag("-f,--force", prune_opts->force, "Do not prompt for confirmation");
    prune_cmd->callback([&global, &action, prune_opts] {
        action = exit_one_on_error([&global, prune_opts] { return prune(global, prune_opts->all, prune_opts->force); });
    });
}

} // namespace kubik::cli
