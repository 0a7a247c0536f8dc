// Lesson 7 — dockerfile: copy_into_root. (Contract: dockerfile.hpp; a helper fills this in.)
#include "dockerfile.hpp"

#include "core/not_implemented.hpp"

namespace kubik::dockerfile {

void copy_into_root(const std::filesystem::path&, int, const std::string&, const CopyOptions&) {
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — copy_into_root(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
