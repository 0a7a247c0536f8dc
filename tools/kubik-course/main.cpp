// kubik-course: the student's companion — runs the lessons' checks in order
// and says in words what to fix next.

#include "command.hpp"
#include "i18n.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

using namespace kubik::course;

namespace {

// CLI11's own words in --help, in the chosen language. Its parse errors stay
// English: CLI11 has no hook for them.
void translate_help(CLI::App& app) {
    auto formatter = app.get_formatter();
    formatter->label("Usage", _("Usage"));
    formatter->label("OPTIONS", _("OPTIONS"));
    formatter->label("SUBCOMMAND", _("SUBCOMMAND"));
    formatter->label("SUBCOMMANDS", _("SUBCOMMANDS"));
    formatter->label("Positionals", _("Positionals"));
    formatter->label("REQUIRED", _("REQUIRED"));
    formatter->label("Env", _("Env"));
    // Options inherit the group name, subcommands the help flag.
    app.option_defaults()->group(_("Options"));
    app.set_help_flag("-h,--help", _("Print this help message and exit"));
}

} // namespace

int main(int argc, char** argv) {
    // Before any option is registered: their help texts are translated then.
    const auto language = choose_language(argc, argv);
    init_messages(language, KUBIK_COURSE_LOCALE_DIR);

    CLI::App app{_("Kubik course tool: check your lessons in order and see what to fix next.")};
    translate_help(app);
    app.require_subcommand(1);
    app.fallthrough(); // global options may also follow the subcommand

    GlobalOptions global;
    global.source_dir = KUBIK_COURSE_SOURCE_DIR;
    global.code_dir = KUBIK_COURSE_CODE_DIR;
    global.language = language;
    app.add_option("--source-dir", global.source_dir, _("the course repository (holds lessons/)"))
        ->capture_default_str();
    app.add_option("--lang", global.language, _("language of messages, titles and hints: en or ru"))
        ->envname("KUBIK_LANG")
        ->check(CLI::IsMember({"en", "ru"}))
        ->capture_default_str();

    const std::vector<Command> commands{add_list_command(app, global),   add_check_command(app, global),
                                        add_status_command(app, global), add_watch_command(app, global),
                                        add_grade_command(app, global),  add_report_command(app, global),
                                        add_export_student_command(app, global)};
    for (const auto& command : commands) {
        command.app->group(_("Subcommands"));
        // A subcommand's help flag is a copy made before the group was set.
        if (auto* help = command.app->get_help_ptr()) help->group(_("Options"));
    }
    CLI11_PARSE(app, argc, argv);

    try {
        for (const auto& command : commands) {
            if (command.app->parsed()) return command.run();
        }
    } catch (const std::exception& e) {
        std::cerr << formatted(_("kubik-course: error: %s"), e.what()) << "\n";
        return 1;
    }
    return 1;
}
