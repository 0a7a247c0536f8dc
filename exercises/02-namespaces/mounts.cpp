// Lesson 2 — namespaces: /proc, /dev, /sys. Read lessons/02-namespaces/README.md first.
#include "mounts.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace fs = std::filesystem;

namespace kubik::ns {
namespace {

// TODO: you may want a helper that creates the mount point and mounts,
// throwing an error that names both ("mount proc on /x/proc: ...").

} // namespace

void mount_proc(const fs::path& rootfs) {
    // TODO: mount "proc" on rootfs/proc with MS_NOSUID | MS_NODEV | MS_NOEXEC.
    throw kubik::NotImplemented("not implemented yet: lesson 2 (namespaces) — mount_proc(); see lessons/02-namespaces/README.md (по-русски: README.ru.md)");
}

void mount_dev(const fs::path& rootfs) {
    // TODO: tmpfs on rootfs/dev; mknod the six character devices (mode 0666);
    // devpts (newinstance) on dev/pts, ptmx -> pts/ptmx; tmpfs on dev/shm;
    // mqueue on dev/mqueue; the fd/stdin/stdout/stderr symlinks, and core only
    // where the host has /proc/kcore.
    throw kubik::NotImplemented("not implemented yet: lesson 2 (namespaces) — mount_dev(); see lessons/02-namespaces/README.md (по-русски: README.ru.md)");
}

void mount_sys(const fs::path& rootfs) {
    // TODO: mount "sysfs" on rootfs/sys read-only (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC).
    throw kubik::NotImplemented("not implemented yet: lesson 2 (namespaces) — mount_sys(); see lessons/02-namespaces/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::ns
