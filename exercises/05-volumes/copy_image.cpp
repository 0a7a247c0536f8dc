// Lesson 5 — volumes: a new volume starts with the image's files.
// Read lessons/05-volumes/README.md first.
//
// A mount hides what was at its mount point. `-v data:/etc` on an empty volume
// would give the container an empty /etc: no passwd, no hosts, a broken
// system. Docker's rule: when a volume is new and empty and the image has
// files at the target, those files are copied into the volume first, then it
// is mounted. (A bind mount never gets a copy: the host's directory is shown
// as it is, which is the point of it. `nocopy` turns the copy off.)
//
// The copy must give the same files the image has, as the container's
// processes see them:
//   - owner and group as numbers (the container's users are not the host's);
//     chown BEFORE chmod: chown(2) clears the set-user-ID and set-group-ID
//     bits, so a chmod first would lose /usr/bin/passwd's 4755;
//   - the mode bits exactly, not filtered by the process's umask: the file is
//     created with restrictive bits and fchmod()ed after;
//   - the modification time, and a directory's only after its children are
//     in (each entry made in it changes it);
//   - symlinks as symlinks: readlinkat + symlinkat. Following one would copy
//     the host's file if it is absolute ("/etc/shadow" means the HOST's here,
//     the copy runs before the container has its root) — every open here is
//     O_NOFOLLOW and relative to a directory descriptor;
//   - device nodes and FIFOs with mknodat(2), never opened (opening a FIFO
//     blocks; reading a device reads the device);
//   - the top directory takes the source's owner and mode: /tmp is 1777, and
//     a volume at /tmp that came out 0755 would break every program that
//     makes a temporary file.
#include "volumes.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <functional>
#include <memory>

namespace kubik::volumes {

namespace {

// TODO: helpers of your own, if you want them (the copy of one regular
// file's bytes, say).

} // namespace

void copy_image_contents(int from, int to) {
    // TODO: walk `from` (reopen it with openat(from, ".", O_RDONLY |
    // O_DIRECTORY): fdopendir needs a readable descriptor, and from may be
    // O_PATH); per entry fstatat(AT_SYMLINK_NOFOLLOW), then mkdirat + recurse,
    // a copy of a regular file (O_NOFOLLOW both sides), readlinkat +
    // symlinkat, or mknodat; fchownat before fchmodat, utimensat last. Then
    // give `to` from's owner and mode.
    throw kubik::NotImplemented("not implemented yet: lesson 5 (volumes) — copy_image_contents(); see lessons/05-volumes/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::volumes
