// Lesson 1 — chroot. Read lessons/01-chroot/README.md first.
#include "rootfs.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kubik::rootfs {

void enter_chroot(const std::filesystem::path& rootfs) {
    // BEGIN SOLUTION enter_chroot
    // TODO: chroot() into rootfs, then chdir("/") — otherwise the current
    // directory stays outside the new root.
    if (::chroot(rootfs.c_str()) != 0) throw_errno("chroot to " + rootfs.string());
    if (::chdir("/") != 0) throw_errno("chdir to / after chroot");
    // END SOLUTION
}

void enter_rootfs(const std::filesystem::path& rootfs) {
    // BEGIN SOLUTION enter_rootfs
    // TODO: bind-mount rootfs on itself, chdir into it, pivot_root(".", "."),
    // then detach the old root with umount2(".", MNT_DETACH) and chdir("/").
    //
    // pivot_root(2) refuses (EINVAL) a new root that is not a mount point; a
    // bind mount of the directory onto itself makes it one. MS_REC keeps the
    // /proc, /dev and /sys mounted under it by lesson 2.
    if (::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        throw_errno("bind mount " + rootfs.string() + " on itself");
    if (::chdir(rootfs.c_str()) != 0) throw_errno("chdir to " + rootfs.string());

    // pivot_root(".", ".") stacks the old root on top of the new one, at the
    // same place; no put_old directory is needed inside the image. glibc has
    // no wrapper for it, hence syscall().
    if (::syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root to " + rootfs.string());

    // The old root is now mounted over "/". Detach it (MNT_DETACH: lazily,
    // because our own process still uses it): after this no path leads to
    // the host's files.
    if (::umount2(".", MNT_DETACH) != 0) throw_errno("detach the old root");
    if (::chdir("/") != 0) throw_errno("chdir to the new /");
    // END SOLUTION
}

} // namespace kubik::rootfs
