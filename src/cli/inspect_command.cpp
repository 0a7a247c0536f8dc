// `kubik inspect`: the stored record as JSON, like `docker inspect`.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace kubik::cli {

void add_inspect_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto refs = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("inspect", "Return low-level information on containers");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik inspect CONTAINER [CONTAINER...]");
    cmd->add_option("CONTAINER", *refs, "Container name or id")->required();
    cmd->callback([&global, &action, refs] {
        action = [&global, refs] {
            auto all = nlohmann::json::array();
            int status = for_each_container(global, *refs, [&](const ContainerStore&, const ContainerInfo& info) {
                auto doc = container_to_json(info);
                doc["Name"] = "/" + info.spec.name;
                // What the record says, checked against /proc now: the file
                // holds only the recorded status, which a crash leaves stale.
                const auto effective = info.effective_status();
                doc["State"]["Status"] = effective;
                doc["State"]["Running"] = effective == "running";
                doc["State"]["Dead"] = effective == "dead";
                doc["Path"] = info.spec.argv.empty() ? "" : info.spec.argv.front();
                doc["Args"] = info.spec.argv.size() > 1
                                  ? std::vector<std::string>(info.spec.argv.begin() + 1, info.spec.argv.end())
                                  : std::vector<std::string>{};
                all.push_back(doc);
            });
            std::cout << all.dump(4) << "\n";
            return status;
        };
    });
}

} // namespace kubik::cli
