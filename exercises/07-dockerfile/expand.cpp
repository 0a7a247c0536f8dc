// Lesson 7 — dockerfile: expand_word. (Contract: dockerfile.hpp; a helper fills this in.)
#include "dockerfile.hpp"

#include "core/not_implemented.hpp"

namespace kubik::dockerfile {

std::string expand_word(std::string_view, const VariableLookup&, char) {
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — expand_word(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
