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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them (openat2 has no glibc wrapper:
// syscall(SYS_openat2, dirfd, path, &how, sizeof how)).

// Where a descriptor is, as this process's mount namespace names it.
std::string path_of(int fd) {
    char buf[PATH_MAX];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    if (n < 0) throw_errno("readlink " + link);
    return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::string> components_of(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string joined(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
    std::string path;
    for (std::size_t i = from; i < to; ++i) {
        if (!path.empty()) path += '/';
        path += parts[i];
    }
    return path;
}
// END SOLUTION

} // namespace

UniqueFd open_mount_target(int root, const std::string& target, bool directory) {
    // BEGIN SOLUTION open_mount_target
    // TODO: openat2(root, target, {O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT |
    // RESOLVE_NO_MAGICLINKS}); on ENOENT make the missing components one by
    // one (mkdirat 0755; the last one an empty file, mode 0644, when
    // !directory), following a dangling symlink inside the root; refuse a
    // result at ROOT/proc or below (readlink /proc/self/fd/N of it and of
    // root) and a directory where a file was asked for, or the other way round.

    // openat2 with the root as "/"; -1 and errno on failure.
    auto open_in_root = [root](const std::string& path) {
        open_how how{};
        how.flags = O_PATH | O_CLOEXEC;
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        return static_cast<int>(::syscall(SYS_openat2, root, path.empty() ? "." : path.c_str(), &how, sizeof how));
    };
    if (target.empty() || target.front() != '/') throw Error("mount target " + target + " is not an absolute path");
    std::vector<std::string> parts = components_of(target);
    UniqueFd fd;
    // Symlinks we had to follow by hand (dangling ones); the kernel's own
    // limit for one path walk is 40.
    int links_followed = 0;
    for (std::size_t i = 1; i <= parts.size();) {
        const std::string prefix = joined(parts, 0, i);
        fd.reset(open_in_root(prefix));
        if (fd) {
            ++i;
            continue;
        }
        if (errno != ENOENT) throw_errno("open mount target " + target + " in the container (at /" + prefix + ")");
        // The parent resolved (it is component i-1, or the root); make
        // component i in it.
        UniqueFd parent(open_in_root(joined(parts, 0, i - 1)));
        if (!parent) throw_errno("open mount target " + target + " in the container");
        const std::string& name = parts[i - 1];
        const bool last = i == parts.size();
        int made = 0;
        if (last && !directory) {
            // O_EXCL|O_NOFOLLOW: never open (or truncate) what a symlink names.
            UniqueFd file(::openat(parent.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
            made = file ? 0 : -1;
        } else {
            made = ::mkdirat(parent.get(), name.c_str(), 0755);
        }
        if (made == 0) continue; // open it, in the root, on the next turn
        if (errno != EEXIST) throw_errno("create mount target " + target + " in the container (at /" + prefix + ")");
        // EEXIST after ENOENT: a dangling symlink (or a race). Read it and
        // walk its target instead, still inside the root.
        char link[PATH_MAX];
        const ssize_t n = ::readlinkat(parent.get(), name.c_str(), link, sizeof link - 1);
        if (n < 0) {
            if (errno == EINVAL) continue; // not a symlink: someone made it meanwhile; open it
            throw_errno("read the symlink /" + prefix + " in the container");
        }
        if (++links_followed > 40) throw_errno("open mount target " + target + " in the container", ELOOP);
        const std::string pointed(link, static_cast<std::size_t>(n));
        std::vector<std::string> rest = components_of(pointed);
        std::vector<std::string> next;
        // A relative link is relative to its directory; an absolute one to
        // the container's "/" (openat2 gives ".." its meaning on the way).
        if (pointed.front() != '/') next.assign(parts.begin(), parts.begin() + static_cast<long>(i - 1));
        next.insert(next.end(), rest.begin(), rest.end());
        next.insert(next.end(), parts.begin() + static_cast<long>(i), parts.end());
        parts = std::move(next);
        // From the start again: cheap, and no resolved prefix to get wrong.
        i = 1;
    }
    if (!fd) fd.reset(open_in_root(""));
    if (!fd) throw_errno("open the container's root");

    // /proc and below, whatever path led there: by the place (the root's
    // proc directory, mounted or not) and by the filesystem (a procfs
    // anywhere).
    const std::string root_path = path_of(root);
    const std::string where = path_of(fd.get());
    const std::string proc = (root_path == "/" ? "" : root_path) + "/proc";
    struct statfs fs_info {};
    if (where == proc || where.starts_with(proc + "/") ||
        (::fstatfs(fd.get(), &fs_info) == 0 && fs_info.f_type == PROC_SUPER_MAGIC))
        throw Error("invalid mount target " + target + ": it is (or leads to) /proc" +
                    where.substr(std::min(where.size(), proc.size())) +
                    " in the container, where nothing may be mounted");

    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw_errno("stat mount target " + target);
    if (directory && !S_ISDIR(st.st_mode))
        throw Error("mount target " + target + " is not a directory in the container, and the source is one");
    if (!directory && S_ISDIR(st.st_mode))
        throw Error("mount target " + target + " is a directory in the container, and the source is a file");
    return fd;
    // END SOLUTION
}

} // namespace kubik::volumes
