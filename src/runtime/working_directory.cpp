#include "runtime/working_directory.hpp"

#include "core/error.hpp"

#include <linux/limits.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace kubik {

void check_working_directory_inside_root(const std::string& dir) {
    // The system call itself: the kernel answers "(unreachable)/..." for a
    // directory that is not below our root, ENOENT for one that was removed.
    // glibc's getcwd(3) ends in ENOENT for both too, but only after a walk up
    // `..` of its own whenever the kernel's answer isn't absolute; runc asks
    // the kernel directly as well.
    char cwd[PATH_MAX];
    long length = ::syscall(SYS_getcwd, cwd, sizeof cwd);
    if ((length < 0 && errno == ENOENT) || (length > 0 && cwd[0] != '/'))
        throw Error("working directory \"" + dir + "\" is outside the container's root filesystem");
    if (length <= 0) throw_errno("working directory \"" + dir + "\": check that it is inside the container");
}

} // namespace kubik
