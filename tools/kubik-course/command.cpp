#include "command.hpp"

namespace kubik::course {

std::string GlobalOptions::shown_code_dir() const {
    const auto relative = code_dir.lexically_relative(source_dir);
    if (!relative.empty() && *relative.begin() != ".." && relative.is_relative()) return relative.string() + "/";
    return code_dir.string() + "/";
}

} // namespace kubik::course
