// kubik-course list: the lessons in order, with titles and points.

#include "command.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <iomanip>
#include <iostream>

namespace kubik::course {

Command add_list_command(CLI::App& parent, const GlobalOptions& global) {
    auto* app = parent.add_subcommand("list", _("List the lessons in order, with titles and points"));
    return {app, [&global] {
                const auto language = parse_language(global.language);
                const auto lessons = load_lessons(global.lessons_dir());
                std::size_t id_width = 0;
                for (const auto& lesson : lessons) id_width = std::max(id_width, lesson.id.size());
                for (const auto& lesson : lessons) {
                    std::cout << std::setw(2) << lesson.number << "  " << std::left
                              << std::setw(static_cast<int>(id_width)) << lesson.id << std::right << "  "
                              << lesson.title.in(language) << " ("
                              << formatted(ngettext("%d point", "%d points", static_cast<unsigned long>(lesson.points)),
                                           lesson.points)
                              << ")\n";
                }
                return 0;
            }};
}

} // namespace kubik::course
