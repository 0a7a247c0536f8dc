// `kubik inspect`: the stored record as JSON, like `docker inspect`: a
// container when one matches, else an image (docker's order).
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/image_view.hpp"

#include "image/image_store.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace kubik::cli {
namespace {

nlohmann::json container_inspect_json(const ContainerInfo& info) {
    auto doc = container_to_json(info);
    doc["Name"] = "/" + info.spec.name;
    // What the record says, checked against /proc now: the file
    // holds only the recorded status, which a crash leaves stale.
    const auto effective = info.effective_status();
    doc["State"]["Status"] = effective;
    doc["State"]["Running"] = effective == "running";
    doc["State"]["Dead"] = effective == "dead";
    doc["Path"] = info.spec.argv.empty() ? "" : info.spec.argv.front();
    doc["Mounts"] = mounts_inspect_json(info.spec);
    doc["NetworkSettings"] = network_settings_inspect_json(info);
    doc["Args"] = info.spec.argv.size() > 1 ? std::vector<std::string>(info.spec.argv.begin() + 1, info.spec.argv.end())
                                            : std::vector<std::string>{};
    return doc;
}

} // namespace

void add_inspect_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto refs = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("inspect", "Return low-level information on containers or images");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik inspect NAME|ID [NAME|ID...]");
    cmd->add_option("NAME|ID", *refs, "Container or image name or id")->required();
    cmd->callback([&global, &action, refs] {
        action = [&global, refs] {
            ContainerStore containers(global.root_path());
            ImageStore images(global.root_path());
            auto all = nlohmann::json::array();
            int status = 0;
            for (const auto& ref : *refs) {
                std::string container_error;
                try {
                    all.push_back(container_inspect_json(containers.load(containers.resolve(ref))));
                    continue;
                } catch (const std::exception& e) {
                    container_error = e.what();
                }
                try {
                    if (images.exists(ref)) {
                        all.push_back(image_inspect_json(images.find(ref)));
                        continue;
                    }
                } catch (const std::exception&) {
                    // Not a name an image can have: the container's error says more.
                }
                // Docker says "No such object"; kubik keeps the container's
                // words, which lessons 0-3 check (and which say why a
                // container that exists can't be read).
                std::cerr << "kubik: " << container_error << "\n";
                status = kExitGeneric;
            }
            std::cout << all.dump(4) << "\n";
            return status;
        };
    });
}

} // namespace kubik::cli
