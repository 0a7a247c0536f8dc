// Lesson 5 — volumes: finding the mount point without leaving the root.
// Read lessons/05-volumes/README.md first.
//
// The runtime mounts a container's volumes before it enters the root (lesson
// 1): it still sees the host's "/", and the container's tree is just a
// directory, ROOT. The obvious code, mount(source, ROOT + "/data"), lets the
// kernel resolve "ROOT/data" as an ordinary path, and an ordinary path follows
// symlinks as the HOST sees them. An image (or an earlier container that wrote
// into a volume) only has to make /data a symlink:
//
//   /data -> /etc          ROOT/data is the host's /etc: the volume hides it
//   /data -> ../../..      ROOT/data climbs out of ROOT to the host's "/"
//
// and the runtime, running as root on the host, mounts over the host's own
// files. That is CVE-2021-30465 in runc (2021), among others: it checked the
// path, then mounted by name, and the container swapped a symlink in between.
//
// The kernel's answer is openat2(2) with RESOLVE_IN_ROOT: the path is walked
// as if the directory we pass were "/" — an absolute symlink starts again at
// it, and ".." at it stays there. RESOLVE_NO_MAGICLINKS refuses /proc's
// "magic" links (/proc/self/root, /proc/self/fd/N), which jump anywhere
// whatever the root. What we get is a descriptor, and the mount goes onto the
// descriptor (move_mount, bind_mount.cpp), never onto a name that could be
// changed after we looked.
//
// Missing components are created one at a time, each in the directory just
// resolved, so a component made by us can't be redirected either. A dangling
// symlink (/data -> /nowhere) is followed: what it points to is created, in
// the root.
//
// /proc is refused: its files are the kernel talking to the runtime (the
// container's /proc/self/..., sysctls in /proc/sys); a volume mounted there
// could hide or replace them.
#include "volumes.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <vector>

namespace kubik::volumes {

namespace {

// TODO: helpers of your own, if you want them (openat2 has no glibc wrapper:
// syscall(SYS_openat2, dirfd, path, &how, sizeof how)).

} // namespace

UniqueFd open_mount_target(int root, const std::string& target, bool directory) {
    // TODO: openat2(root, target, {O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT |
    // RESOLVE_NO_MAGICLINKS}); on ENOENT make the missing components one by
    // one (mkdirat 0755; the last one an empty file, mode 0644, when
    // !directory), following a dangling symlink inside the root; refuse a
    // result at ROOT/proc or below (readlink /proc/self/fd/N of it and of
    // root) and a directory where a file was asked for, or the other way round.
    throw kubik::NotImplemented("not implemented yet: lesson 5 (volumes) — open_mount_target(); see lessons/05-volumes/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::volumes
