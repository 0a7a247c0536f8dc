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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them (the copy of one regular
// file's bytes, say).
void copy_file_data(int in, int out, const std::string& name) {
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(in, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read " + name + " from the image");
        }
        if (n == 0) return;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                throw_errno("write " + name + " into the volume");
            }
            done += w;
        }
    }
}

// END SOLUTION

} // namespace

void copy_image_contents(int from, int to) {
    // BEGIN SOLUTION copy_image_contents
    // TODO: walk `from` (reopen it with openat(from, ".", O_RDONLY |
    // O_DIRECTORY): fdopendir needs a readable descriptor, and from may be
    // O_PATH); per entry fstatat(AT_SYMLINK_NOFOLLOW), then mkdirat + recurse,
    // a copy of a regular file (O_NOFOLLOW both sides), readlinkat +
    // symlinkat, or mknodat; fchownat before fchmodat, utimensat last. Then
    // give `to` from's owner and mode.

    // One directory level, then down into each subdirectory: `src` and `dst`
    // are open O_RDONLY | O_DIRECTORY, `where` names the level in messages.
    std::function<void(int, int, const std::string&)> copy_directory = [&](int src, int dst,
                                                                           const std::string& where) {
        const int listing = ::dup(src);
        if (listing < 0) throw_errno("dup");
        // closedir() closes the duplicate; `src` stays ours.
        std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing), ::closedir);
        if (!dir) {
            ::close(listing);
            throw_errno("read the directory " + where + " of the image");
        }
        while (dirent* entry = ::readdir(dir.get())) {
            const std::string name = entry->d_name;
            if (name == "." || name == "..") continue;
            const std::string path = where + "/" + name;
            struct stat st {};
            if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                throw_errno("stat " + path + " in the image");
            if (S_ISDIR(st.st_mode)) {
                if (::mkdirat(dst, name.c_str(), 0700) != 0) throw_errno("mkdir " + path + " in the volume");
                const UniqueFd sub_from(::openat(src, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                const UniqueFd sub_to(::openat(dst, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!sub_from || !sub_to) throw_errno("open the directory " + path);
                copy_directory(sub_from.get(), sub_to.get(), path);
            } else if (S_ISREG(st.st_mode)) {
                const UniqueFd in(::openat(src, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
                if (!in) throw_errno("open " + path + " in the image");
                const UniqueFd out(
                    ::openat(dst, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!out) throw_errno("create " + path + " in the volume");
                copy_file_data(in.get(), out.get(), path);
            } else if (S_ISLNK(st.st_mode)) {
                char link[PATH_MAX];
                const ssize_t n = ::readlinkat(src, name.c_str(), link, sizeof link - 1);
                if (n < 0) throw_errno("readlink " + path + " in the image");
                link[n] = '\0';
                if (::symlinkat(link, dst, name.c_str()) != 0) throw_errno("symlink " + path + " in the volume");
            } else {
                // Character and block devices, FIFOs, sockets: the node itself.
                if (::mknodat(dst, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0)
                    throw_errno("mknod " + path + " in the volume");
            }
            // Owner, mode, mtime last, so that a directory's mtime is not
            // changed by its children; never through a symlink.
            if (::fchownat(dst, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
                throw_errno("chown " + path + " in the volume");
            // A symlink's own mode means nothing on Linux (and can't be changed).
            if (!S_ISLNK(st.st_mode) && ::fchmodat(dst, name.c_str(), st.st_mode & 07777, 0) != 0)
                throw_errno("chmod " + path + " in the volume");
            const timespec times[2] = {st.st_atim, st.st_mtim};
            if (::utimensat(dst, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
                throw_errno("set the times of " + path + " in the volume");
        }
    };
    const UniqueFd source(::openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!source) throw_errno("open the image's directory to copy");
    const UniqueFd dest(::openat(to, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dest) throw_errno("open the volume's directory");
    copy_directory(source.get(), dest.get(), "");
    struct stat st {};
    if (::fstat(source.get(), &st) != 0) throw_errno("stat the image's directory");
    if (::fchown(dest.get(), st.st_uid, st.st_gid) != 0) throw_errno("chown the volume's directory");
    if (::fchmod(dest.get(), st.st_mode & 07777) != 0) throw_errno("chmod the volume's directory");
    // END SOLUTION
}

} // namespace kubik::volumes
