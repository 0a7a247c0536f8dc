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
    // TODO: for each path: lstat it (ENOENT: skip it; another error, or a
    // symbolic link: throw naming the path); a directory gets an empty
    // tmpfs mounted MS_RDONLY over it, anything else gets /dev/null bound
    // over it (MS_BIND).
    throw kubik::NotImplemented("not implemented yet: lesson 8 (security) — mask_paths(); see lessons/08-security/README.md (по-русски: README.ru.md)");
}

void make_paths_read_only(const std::vector<std::string>& paths) {
    // TODO: for each path that exists (lstat; ENOENT: skip; a symbolic
    // link: throw naming the path): bind it onto itself (MS_BIND | MS_REC),
    // read its flags with statvfs(), and remount it MS_REMOUNT | MS_BIND |
    // MS_RDONLY plus the nosuid, nodev, noexec and atime flags it had.
    throw kubik::NotImplemented("not implemented yet: lesson 8 (security) — make_paths_read_only(); see lessons/08-security/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::security
