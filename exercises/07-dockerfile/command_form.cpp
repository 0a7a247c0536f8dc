// Lesson 7 — dockerfile: command forms. (Contract: dockerfile.hpp; a helper fills this in.)
#include "dockerfile.hpp"

#include "core/not_implemented.hpp"

namespace kubik::dockerfile {

CommandForm parse_command_form(std::string_view) {
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — parse_command_form(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

std::vector<std::string> command_argv(const CommandForm&, const std::vector<std::string>&,
                                      const std::vector<std::string>&) {
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — command_argv(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
