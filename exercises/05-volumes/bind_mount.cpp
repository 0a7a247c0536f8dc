// Lesson 5 — volumes: the bind mount, read-only for the whole tree.
// Read lessons/05-volumes/README.md first.
//
// A bind mount shows a directory (or a file) that already exists somewhere
// else at a second place: both names reach the same inodes, so a write
// through one is seen through the other at once. A volume is nothing more
// than a bind mount of a directory kubik keeps.
//
// Three kernel rules shape this file:
//
// 1. Read-only belongs to the MOUNT, not to the filesystem, and the old
//    mount(2) ignores MS_RDONLY on a new bind: the bind is made read-write
//    and a second call, MS_REMOUNT | MS_BIND | MS_RDONLY, changes the flag.
//    That second call touches one mount only, so with MS_REC the submounts
//    under the source (a host's /srv with /srv/data on another disk) stay
//    WRITABLE in a ":ro" volume. mount_setattr(2) (Linux 5.12) with
//    AT_RECURSIVE sets MOUNT_ATTR_RDONLY on every mount of a tree in one step.
//
// 2. The new mount API works on descriptors. open_tree(OPEN_TREE_CLONE |
//    AT_RECURSIVE) copies the source's mount tree into a detached mount that
//    nobody can see yet; we make it read-only while it is still detached (no
//    moment when the container could write to it), then move_mount() attaches
//    it onto the target's DESCRIPTOR from open_mount_target(): no path is
//    resolved again, so no symlink swapped in meanwhile can redirect it.
//
// 3. Propagation (mount_namespaces(7)): a mount event under a shared mount is
//    replayed on its peers. The runtime made the container's namespace
//    private (or slave when asked), and the bind gets the propagation the
//    user chose — rprivate, docker's default, unless they asked for more.
//    The "r" forms apply to every mount of the tree, the others to its top.
//    Propagation is set after the move: a tree is attached when its peer
//    groups are made.
//
// On a kernel without mount_setattr (ENOSYS) the old calls are the only way;
// their read-only misses submounts, and kubik says so in one line rather than
// pretend.
#include "volumes.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace kubik::volumes {

namespace {

// TODO: helpers of your own, if you want them.

} // namespace

void bind_mount(int source, int target, bool readonly, Propagation propagation) {
    // TODO: open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
    // AT_EMPTY_PATH | AT_RECURSIVE); when readonly, mount_setattr(clone, "",
    // AT_EMPTY_PATH | AT_RECURSIVE, {.attr_set = MOUNT_ATTR_RDONLY}) before it
    // is attached; move_mount(clone, "", target, "", MOVE_MOUNT_F_EMPTY_PATH |
    // MOVE_MOUNT_T_EMPTY_PATH); then the propagation, AT_RECURSIVE for the
    // "r" forms. ENOSYS: mount(2) on /proc/self/fd/N with a remount, and a note.
    throw kubik::NotImplemented("not implemented yet: lesson 5 (volumes) — bind_mount(); see lessons/05-volumes/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::volumes
