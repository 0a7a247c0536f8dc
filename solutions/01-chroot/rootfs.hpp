// Lesson 1 — chroot: giving the container its own root directory.
//
// A process finds every file by walking from its root directory. Change the
// root, and "/" means the image's files instead of the host's. chroot() does
// that for one process, but leaves the host's tree mounted and reachable;
// pivot_root() swaps the whole mount tree of a mount namespace, so the host's
// files can be detached and are gone.
#pragma once

#include <filesystem>

namespace kubik::rootfs {

/// Makes `rootfs` the root directory of this process with chroot(2), and
/// moves into it (the working directory is the new "/", not a directory
/// left outside it). Escapable by root (lessons/01-chroot/chroot_escape.cpp
/// shows how): kept for `kubik run --isolation chroot` and the demo.
void enter_chroot(const std::filesystem::path& rootfs);

/// Makes `rootfs` the root of this process's mount namespace with
/// pivot_root(2) and detaches the old root, so no path leads back to the
/// host's files. Expects: a private mount namespace of its own (kubik makes
/// one before calling this); `rootfs` need not be a mount point yet. The
/// mounts below `rootfs` (lesson 2's /proc, /dev, /sys) stay mounted in the
/// new root. Leaves the process in "/" of the new root.
void enter_rootfs(const std::filesystem::path& rootfs);

} // namespace kubik::rootfs
