// Lesson 8 — security: the host's kernel behind /proc and /sys, hidden or
// read-only. Read lessons/08-security/README.md first.
//
// The kernel's rules, in the order they bite:
//
// 1. A path may not exist: /proc/acpi is missing on arm and in many VMs,
//    /proc/timer_stats went away in 4.11. ENOENT means "nothing to hide";
//    any other error is one, and names the path.
// 2. lstat, not stat: a path that is a symlink must not lead the mount out
//    of /proc (CVE-2019-19921 raced exactly such a path).
// 3. What hides a path depends on its type: a bind of /dev/null needs a
//    non-directory target, a tmpfs needs a directory (ENOTDIR otherwise).
//    The tmpfs is read-only, or the container writes a /sys/firmware of
//    its own.
// 4. MS_RDONLY on a bind is ignored by the first mount(2) call: the bind
//    is made read-write and only a second call, MS_REMOUNT | MS_BIND, sets
//    its flags. And that second call sets them *exactly*: the nosuid,
//    nodev, noexec and atime flags the mount had must be passed back, or
//    they are cleared (and where they are locked, the kernel says EPERM).
#include "security.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <string>

namespace kubik::security {

void mask_paths(const std::vector<std::string>& paths) {
    // BEGIN SOLUTION mask_paths
    // TODO: for each path: lstat it (ENOENT: skip it; another error, or a
    // symbolic link: throw naming the path); a directory gets an empty
    // tmpfs mounted MS_RDONLY over it, anything else gets /dev/null bound
    // over it (MS_BIND).
    for (const auto& path : paths) {
        struct stat st{};
        if (::lstat(path.c_str(), &st) != 0) {
            if (errno == ENOENT) continue;
            throw_errno("lstat " + path);
        }
        // mount(2) would follow it, to wherever it points.
        if (S_ISLNK(st.st_mode)) throw Error("mask " + path + ": a symbolic link, not followed");
        if (S_ISDIR(st.st_mode)) {
            if (::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") != 0)
                throw_errno("mask " + path + " (tmpfs)");
        } else if (::mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
            throw_errno("mask " + path + " (bind /dev/null)");
        }
    }
    // END SOLUTION
}

void make_paths_read_only(const std::vector<std::string>& paths) {
    // BEGIN SOLUTION make_paths_read_only
    // TODO: for each path that exists (lstat; ENOENT: skip; a symbolic
    // link: throw naming the path): bind it onto itself (MS_BIND | MS_REC),
    // read its flags with statvfs(), and remount it MS_REMOUNT | MS_BIND |
    // MS_RDONLY plus the nosuid, nodev, noexec and atime flags it had.
    struct Flag {
        unsigned long st;
        unsigned long ms;
    };
    static constexpr Flag kKept[] = {
        {ST_NOSUID, MS_NOSUID},     {ST_NODEV, MS_NODEV},         {ST_NOEXEC, MS_NOEXEC},
        {ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
    };
    for (const auto& path : paths) {
        struct stat st{};
        if (::lstat(path.c_str(), &st) != 0) {
            if (errno == ENOENT) continue;
            throw_errno("lstat " + path);
        }
        if (S_ISLNK(st.st_mode)) throw Error("mount " + path + " read-only: a symbolic link, not followed");
        if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
            throw_errno("bind " + path + " onto itself");
        struct statvfs vfs{};
        if (::statvfs(path.c_str(), &vfs) != 0) throw_errno("statvfs " + path);
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
        for (const auto& f : kKept)
            if (vfs.f_flag & f.st) flags |= f.ms;
        if (::mount(nullptr, path.c_str(), nullptr, flags, nullptr) != 0)
            throw_errno("mount " + path + " read-only");
    }
    // END SOLUTION
}

} // namespace kubik::security
