// Lesson 7 — dockerfile: step_cache_key. (Contract: dockerfile.hpp; a helper fills this in.)
#include "dockerfile.hpp"

#include "core/not_implemented.hpp"

namespace kubik::dockerfile {

std::string step_cache_key(const StepKeyInput&) {
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — step_cache_key(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
