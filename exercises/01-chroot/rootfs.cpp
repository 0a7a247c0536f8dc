// Lesson 1 — chroot. Read lessons/01-chroot/README.md first.
#include "rootfs.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kubik::rootfs {

void enter_chroot(const std::filesystem::path& rootfs) {
    // TODO: chroot() into rootfs, then chdir("/") — otherwise the current
    // directory stays outside the new root.
    throw kubik::NotImplemented("not implemented yet: lesson 1 (chroot) — enter_chroot(); see lessons/01-chroot/README.md (по-русски: README.ru.md)");
}

void enter_rootfs(const std::filesystem::path& rootfs) {
    // TODO: bind-mount rootfs on itself, chdir into it, pivot_root(".", "."),
    // then detach the old root with umount2(".", MNT_DETACH) and chdir("/").
    //
    // pivot_root(2) refuses (EINVAL) a new root that is not a mount point; a
    // bind mount of the directory onto itself makes it one. MS_REC keeps the
    // /proc, /dev and /sys mounted under it by lesson 2.
    throw kubik::NotImplemented("not implemented yet: lesson 1 (chroot) — enter_rootfs(); see lessons/01-chroot/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::rootfs
