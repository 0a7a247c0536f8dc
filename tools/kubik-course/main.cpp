// kubik-course: the student's companion — runs the lessons' checks in order
// and says in words what to fix next.

#include "command.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

using namespace kubik::course;

int main(int argc, char** argv) {
    CLI::App app{"Kubik course tool: check your lessons in order and see what to fix next."};
    app.require_subcommand(1);
    app.fallthrough(); // global options may also follow the subcommand

    GlobalOptions global;
    global.source_dir = KUBIK_COURSE_SOURCE_DIR;
    app.add_option("--source-dir", global.source_dir, "the course repository (holds lessons/)")
        ->capture_default_str();
    app.add_option("--lang", global.language, "language of titles and hints: en or ru")
        ->envname("KUBIK_LANG")
        ->check(CLI::IsMember({"en", "ru"}))
        ->capture_default_str();

    const std::vector<Command> commands{add_list_command(app, global),   add_check_command(app, global),
                                        add_status_command(app, global), add_watch_command(app, global),
                                        add_grade_command(app, global),  add_report_command(app, global),
                                        add_export_student_command(app, global)};
    CLI11_PARSE(app, argc, argv);

    try {
        for (const auto& command : commands) {
            if (command.app->parsed()) return command.run();
        }
    } catch (const std::exception& e) {
        std::cerr << "kubik-course: error: " << e.what() << "\n";
        return 1;
    }
    return 1;
}
