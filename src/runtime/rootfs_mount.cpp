#include "runtime/rootfs_mount.hpp"

#include "core/error.hpp"

#include <sys/mount.h>

namespace kubik {

// [docs:make-mounts-private]
void make_mounts_private() {
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        throw_errno("make mounts private (mount --make-rprivate /)");
}
// [docs:make-mounts-private end]

void make_mounts_slave() {
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
        throw_errno("make mounts slaves (mount --make-rslave /)");
}

void mount_overlay_rootfs(const std::filesystem::path& lower, const std::filesystem::path& upper,
                          const std::filesystem::path& work, const std::filesystem::path& target,
                          bool volatile_upper) {
    // overlay's option string uses ',' and ':' as separators and has no
    // escaping for them in these paths.
    for (const auto* p : {&lower, &upper, &work})
        if (p->native().find_first_of(",:") != std::string::npos)
            throw Error("path " + p->string() + " contains ',' or ':', which overlayfs cannot take");
    std::string options =
        std::string(volatile_upper ? "volatile," : "") + "lowerdir=" + lower.string() + ",upperdir=" + upper.string() + ",workdir=" + work.string();
    if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0)
        throw_errno("mount overlay on " + target.string() + " (" + options + ")");
}

} // namespace kubik
