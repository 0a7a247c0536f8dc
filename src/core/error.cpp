#include "core/error.hpp"

#include <cerrno>
#include <cstring>

namespace kubik {

void throw_errno(const std::string& what, int err) {
    if (err < 0) err = errno;
    throw Error(what + ": " + std::strerror(err));
}

} // namespace kubik
