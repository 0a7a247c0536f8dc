// Lesson 7 — dockerfile: split_instructions. (Contract: dockerfile.hpp; a helper fills this in.)
#include "dockerfile.hpp"

#include "core/not_implemented.hpp"

namespace kubik::dockerfile {

std::vector<RawInstruction> split_instructions(std::string_view, char) {
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — split_instructions(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
