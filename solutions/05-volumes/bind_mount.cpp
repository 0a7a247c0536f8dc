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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them.
unsigned long propagation_flag(Propagation propagation) {
    switch (propagation) {
    case Propagation::Private:
    case Propagation::RPrivate: return MS_PRIVATE;
    case Propagation::Slave:
    case Propagation::RSlave: return MS_SLAVE;
    case Propagation::Shared:
    case Propagation::RShared: return MS_SHARED;
    }
    return MS_PRIVATE;
}

bool is_recursive(Propagation propagation) {
    return propagation == Propagation::RPrivate || propagation == Propagation::RSlave ||
           propagation == Propagation::RShared;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Linux before 5.12: mount(2) through /proc/self/fd, as runc did for years.
void bind_mount_old_api(int source, int target, bool readonly, Propagation propagation) {
    const std::string from = fd_path(source), to = fd_path(target);
    if (::mount(from.c_str(), to.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        throw_errno("bind mount " + from + " on " + to);
    // The target descriptor still names the directory UNDER the new mount;
    // the remount must reach the mount on top, so open the place again by
    // the name it has now (the resolved one: no symlinks left in it).
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(to.c_str(), buf, sizeof buf);
    if (n < 0) throw_errno("readlink " + to);
    const std::string where(buf, static_cast<std::size_t>(n));
    const int top = ::open(where.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (top < 0) throw_errno("open " + where);
    const UniqueFd top_fd(top);
    const std::string top_path = fd_path(top);
    if (readonly) {
        if (::mount(nullptr, top_path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
            throw_errno("remount " + where + " read-only");
        const std::string note = "kubik: note: this kernel has no mount_setattr(2) (Linux 5.12): " + where +
                                 " is read-only, mounts below it stay writable\n";
        (void)!::write(STDERR_FILENO, note.data(), note.size());
    }
    const unsigned long flags = propagation_flag(propagation) | (is_recursive(propagation) ? MS_REC : 0);
    if (::mount(nullptr, top_path.c_str(), nullptr, flags, nullptr) != 0)
        throw_errno("set the propagation of " + where);
}
// END SOLUTION

} // namespace

void bind_mount(int source, int target, bool readonly, Propagation propagation) {
    // BEGIN SOLUTION bind_mount
    // TODO: open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
    // AT_EMPTY_PATH | AT_RECURSIVE); when readonly, mount_setattr(clone, "",
    // AT_EMPTY_PATH | AT_RECURSIVE, {.attr_set = MOUNT_ATTR_RDONLY}) before it
    // is attached; move_mount(clone, "", target, "", MOVE_MOUNT_F_EMPTY_PATH |
    // MOVE_MOUNT_T_EMPTY_PATH); then the propagation, AT_RECURSIVE for the
    // "r" forms. ENOSYS: mount(2) on /proc/self/fd/N with a remount, and a note.
    const int clone = ::open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
    if (clone < 0) {
        if (errno == ENOSYS) return bind_mount_old_api(source, target, readonly, propagation);
        throw_errno("open_tree (clone) the bind mount's source");
    }
    // Closing a detached tree unmounts it: an error below leaves nothing.
    const UniqueFd tree(clone);
    if (readonly) {
        mount_attr attr{};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
            if (errno == ENOSYS) return bind_mount_old_api(source, target, readonly, propagation);
            throw_errno("make the bind mount read-only (mount_setattr MOUNT_ATTR_RDONLY, recursive)");
        }
    }
    if (::move_mount(tree.get(), "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw_errno("move_mount the bind mount onto its target");
    mount_attr attr{};
    attr.propagation = propagation_flag(propagation);
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | (is_recursive(propagation) ? AT_RECURSIVE : 0), &attr,
                        sizeof attr) != 0) {
        // Linux 5.2 to 5.11: open_tree without mount_setattr. The tree is
        // attached by now, and /proc/self/fd/N of it names its top mount.
        const unsigned long flags = propagation_flag(propagation) | (is_recursive(propagation) ? MS_REC : 0);
        if (errno != ENOSYS || ::mount(nullptr, fd_path(tree.get()).c_str(), nullptr, flags, nullptr) != 0)
            throw_errno("set the bind mount's propagation");
    }
    // END SOLUTION
}

} // namespace kubik::volumes
