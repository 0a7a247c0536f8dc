// Lesson 7 — dockerfile: COPY, one source at a time, into the step's root.
// Read lessons/07-dockerfile/README.md first.
//
// The builder has already checked that the source is inside the build
// context (build_context.cpp) and worked out the exact destination path
// (copy_sources.cpp: docker's rules for a trailing '/', several sources, a
// directory's contents). What is left is the copy itself, and its danger is
// the other side: the destination is a path in the IMAGE, and the image is
// not ours. An earlier step (`RUN ln -s / /x`, or a base image pulled from
// anywhere) may hold symlinks, and the builder runs as root on the host. A
// plain open("ROOT/x/etc/passwd") lets the kernel follow /x -> / as the HOST
// sees it, and `COPY f /x/etc/passwd` would overwrite the host's password
// file. Docker had exactly this bug class (CVE-2014-9356, CVE-2019-14271).
//
// openat2(2) with RESOLVE_IN_ROOT walks a path as if the directory we pass
// were "/": an absolute symlink starts again at it, ".." stops at it. So
// every path in the image is resolved from `root_fd` that way, and what we
// get back is a descriptor; entries are then made relative to descriptors
// (mkdirat, openat, symlinkat), never by a name the image could redirect.
//
// What docker gives a copied file:
//   - its mode (or --chmod's), set with fchmod after creation, so the umask
//     can't filter it; chown BEFORE chmod, since chown(2) clears setuid and
//     setgid bits;
//   - owner --chown's uid/gid (root when not given: the context's owners are
//     the host's users and mean nothing in the image);
//   - its modification time (the cache and `ls -l` in the image show it);
//     a directory's after its children are in, since each entry made in it
//     changes it;
//   - a symlink in a copied directory is copied AS a symlink, with its
//     target text unchanged: following it would copy whatever it names on
//     the host.
#include "dockerfile.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>
#include <vector>

namespace kubik::dockerfile {

namespace {

// TODO: helpers of your own, if you want them (openat2 has no glibc wrapper:
// syscall(SYS_openat2, dirfd, path, &how, sizeof how)).

} // namespace

void copy_into_root(const std::filesystem::path& source, int root_fd, const std::string& dest,
                    const CopyOptions& options) {
    // TODO: lstat the source. Open dest's parent directory in the image with
    // openat2(root_fd, parent, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
    // making missing components (mkdirat 0755) one at a time. Then, relative
    // to that descriptor: a file -> unlink what is there, create (O_EXCL |
    // O_NOFOLLOW), copy the bytes, fchown, fchmod, futimens; a symlink ->
    // readlink + symlinkat; a directory -> the same for every entry, into a
    // directory that is made or already there (a symlink to a directory at
    // dest itself is followed, in the root). Directories' mtimes last.
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — copy_into_root(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
