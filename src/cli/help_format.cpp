#include "cli/commands.hpp"

#include <memory>

namespace kubik::cli {
namespace {

// CLI11's default help lists positionals and options in its own layout;
// docker users expect "Usage:" first, then the description, then "Options:".
class DockerFormatter : public CLI::Formatter {
public:
    explicit DockerFormatter(std::string usage) : usage_(std::move(usage)) {
        column_width(28);
        label("REQUIRED", "");
    }
    std::string make_usage(const CLI::App*, std::string) const override {
        return "\nUsage:  " + usage_ + "\n";
    }
    std::string make_description(const CLI::App* app) const override {
        return app->get_description().empty() ? "" : "\n" + app->get_description() + "\n";
    }
    std::string make_positionals(const CLI::App*) const override { return ""; }

private:
    std::string usage_;
};

} // namespace

CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& what, const std::string& usage) {
    auto* cmd = parent.add_subcommand(name, what);
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, usage);
    return cmd;
}

void use_docker_style_help(CLI::App& app, const std::string& usage) {
    app.formatter(std::make_shared<DockerFormatter>(usage));
}

} // namespace kubik::cli
