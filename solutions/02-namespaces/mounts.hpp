// Lesson 2 — namespaces: the filesystems every container expects.
//
// Programs expect /proc (processes, as the PID namespace sees them), /dev
// (a few device files, terminals) and /sys. The host's copies would show the
// host's processes and devices, so the container gets fresh ones, mounted
// under its root before lesson 1's pivot_root makes that root "/".
#pragma once

#include <filesystem>

namespace kubik::ns {

/// Mounts a new procfs at rootfs/proc. It shows the PID namespace of the
/// process that mounts it, so call it from inside the container's PID namespace.
void mount_proc(const std::filesystem::path& rootfs);

/// Mounts a small tmpfs at rootfs/dev with the devices docker gives a
/// container: null zero full random urandom tty (device nodes), ptmx, pts
/// (a new devpts instance), shm (tmpfs), mqueue, and the links fd, stdin,
/// stdout, stderr into /proc/self/fd, and core -> /proc/kcore when the host
/// has /proc/kcore.
void mount_dev(const std::filesystem::path& rootfs);

/// Mounts sysfs read-only at rootfs/sys: the container may look, not touch.
void mount_sys(const std::filesystem::path& rootfs);

} // namespace kubik::ns
