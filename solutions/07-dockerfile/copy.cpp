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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them (openat2 has no glibc wrapper:
// syscall(SYS_openat2, dirfd, path, &how, sizeof how)).

// openat2 with `root` as "/"; -1 and errno on failure.
int open_in_root(int root, const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    for (;;) {
        const long fd = ::syscall(SYS_openat2, root, path.empty() ? "." : path.c_str(), &how, sizeof how);
        // EAGAIN: a rename elsewhere raced the walk; the kernel asks to retry.
        if (fd < 0 && errno == EAGAIN) continue;
        return static_cast<int>(fd);
    }
}

std::vector<std::string> components_of(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        const std::string part = path.substr(start, end - start);
        if (!part.empty() && part != ".") parts.push_back(part);
        start = end + 1;
    }
    return parts;
}

std::string joined(const std::vector<std::string>& parts, std::size_t count) {
    std::string path;
    for (std::size_t i = 0; i < count; ++i) path += "/" + parts[i];
    return path.empty() ? "/" : path;
}

// The directory at `path` in the image, made (0755, root) where missing,
// component by component, each in the directory just resolved in the root.
// A dangling symlink on the way (/x -> /nowhere) is followed: what it names
// is made, inside the root.
UniqueFd make_directory_in_root(int root, const std::string& path) {
    std::vector<std::string> parts = components_of(path);
    int links_followed = 0;
    for (std::size_t i = 1; i <= parts.size();) {
        UniqueFd fd(open_in_root(root, joined(parts, i), O_PATH | O_DIRECTORY));
        if (fd) {
            ++i;
            continue;
        }
        if (errno == ENOTDIR)
            throw Error("copy to " + path + " in the image: " + joined(parts, i) + " is not a directory");
        if (errno != ENOENT) throw_errno("open " + joined(parts, i) + " in the image");
        UniqueFd parent(open_in_root(root, joined(parts, i - 1), O_PATH | O_DIRECTORY));
        if (!parent) throw_errno("open " + joined(parts, i - 1) + " in the image");
        const std::string& name = parts[i - 1];
        if (::mkdirat(parent.get(), name.c_str(), 0755) == 0) {
            // mkdir's mode goes through the umask; say it exactly.
            if (::fchmodat(parent.get(), name.c_str(), 0755, 0) != 0) throw_errno("chmod " + joined(parts, i));
            continue;
        }
        if (errno != EEXIST) throw_errno("mkdir " + joined(parts, i) + " in the image");
        // EEXIST after ENOENT: a dangling symlink. Walk what it names instead.
        char link[PATH_MAX];
        const ssize_t n = ::readlinkat(parent.get(), name.c_str(), link, sizeof link - 1);
        if (n < 0) {
            if (errno == EINVAL) continue; // made meanwhile by someone else: open it
            throw_errno("readlink " + joined(parts, i) + " in the image");
        }
        if (++links_followed > 40) throw_errno("open " + path + " in the image", ELOOP);
        const std::string target(link, static_cast<std::size_t>(n));
        std::vector<std::string> next;
        if (target.front() != '/') next.assign(parts.begin(), parts.begin() + static_cast<long>(i - 1));
        for (auto& part : components_of(target)) next.push_back(part);
        next.insert(next.end(), parts.begin() + static_cast<long>(i), parts.end());
        // ".." is left in: openat2 gives it its meaning, and stops it at the root.
        parts = std::move(next);
        i = 1;
    }
    UniqueFd dir(open_in_root(root, joined(parts, parts.size()), O_RDONLY | O_DIRECTORY));
    if (!dir) throw_errno("open " + path + " in the image");
    return dir;
}

void copy_bytes(int in, int out, const std::string& what) {
    // copy_file_range copies inside the kernel (or reflinks); fall back to
    // read/write where it can't (across some filesystems, old kernels).
    for (;;) {
        const ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
        if (n == 0) return;
        if (n > 0) continue;
        if (errno == EINTR) continue;
        if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            throw_errno("copy " + what);
        break;
    }
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(in, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read " + what);
        }
        if (n == 0) return;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                throw_errno("write " + what);
            }
            done += w;
        }
    }
}

// Owner, then mode (chown clears setuid/setgid), of an entry of `dir`.
void set_owner_and_mode(int dir, const std::string& name, const CopyOptions& options, mode_t mode,
                        const std::string& where) {
    if (::fchownat(dir, name.c_str(), options.uid, options.gid, AT_SYMLINK_NOFOLLOW) != 0)
        throw_errno("chown " + where + " in the image");
    if (::fchmodat(dir, name.c_str(), options.mode.value_or(mode) & 07777, 0) != 0)
        throw_errno("chmod " + where + " in the image");
}

void set_mtime(int dir, const std::string& name, const struct stat& st, const std::string& where) {
    const timespec times[2] = {st.st_mtim, st.st_mtim};
    if (::utimensat(dir, name.empty() ? "." : name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
        throw_errno("set the mtime of " + where + " in the image");
}

// Removes a non-directory `name` of `dir` if there is one, so that what
// replaces it is a new inode: writing into the old one would write through
// a hardlink (or, with O_TRUNC, truncate a file the image shares).
// Returns true when `name` is a directory (kept: a copy merges into it).
bool clear_entry(int dir, const std::string& name, const std::string& where) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        throw_errno("stat " + where + " in the image");
    }
    if (S_ISDIR(st.st_mode)) return true;
    if (::unlinkat(dir, name.c_str(), 0) != 0) throw_errno("replace " + where + " in the image");
    return false;
}

struct Copier {
    int root;
    const CopyOptions& options;
    // Directories whose mtime is set after everything is in: each entry
    // made in a directory changes its mtime.
    struct DirTime {
        UniqueFd fd;
        struct stat st;
        std::string where;
    };
    std::vector<DirTime> dir_times;

    // Copies the entry `src` of host directory `src_dir` (stat `st`) to
    // `name` in image directory `dst_dir`; `where` is its path in the image.
    void copy_entry(int src_dir, const std::string& src, const struct stat& st, int dst_dir,
                    const std::string& name, const std::string& where) {
        if (S_ISDIR(st.st_mode)) {
            copy_directory(src_dir, src, st, dst_dir, name, where);
        } else if (S_ISLNK(st.st_mode)) {
            char link[PATH_MAX];
            const ssize_t n = ::readlinkat(src_dir, src.c_str(), link, sizeof link - 1);
            if (n < 0) throw_errno("readlink " + where + " in the build context");
            link[n] = '\0';
            if (clear_entry(dst_dir, name, where))
                throw Error("cannot replace the directory " + where + " in the image with a symlink");
            if (::symlinkat(link, dst_dir, name.c_str()) != 0) throw_errno("symlink " + where + " in the image");
            if (::fchownat(dst_dir, name.c_str(), options.uid, options.gid, AT_SYMLINK_NOFOLLOW) != 0)
                throw_errno("chown " + where + " in the image");
            set_mtime(dst_dir, name, st, where);
        } else if (S_ISREG(st.st_mode)) {
            const UniqueFd in(::openat(src_dir, src.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            if (!in) throw_errno("open " + where + " in the build context");
            if (clear_entry(dst_dir, name, where))
                throw Error("cannot replace the directory " + where + " in the image with a file");
            const UniqueFd out(
                ::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (!out) throw_errno("create " + where + " in the image");
            copy_bytes(in.get(), out.get(), where);
            if (::fchown(out.get(), options.uid, options.gid) != 0) throw_errno("chown " + where + " in the image");
            if (::fchmod(out.get(), options.mode.value_or(st.st_mode) & 07777) != 0)
                throw_errno("chmod " + where + " in the image");
            const timespec times[2] = {st.st_mtim, st.st_mtim};
            if (::futimens(out.get(), times) != 0) throw_errno("set the mtime of " + where + " in the image");
        } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            // The node itself, never opened: opening a FIFO blocks.
            if (clear_entry(dst_dir, name, where))
                throw Error("cannot replace the directory " + where + " in the image");
            if (::mknodat(dst_dir, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0)
                throw_errno("mknod " + where + " in the image");
            set_owner_and_mode(dst_dir, name, options, st.st_mode, where);
            set_mtime(dst_dir, name, st, where);
        }
        // Sockets: nothing to copy (docker skips them too).
    }

    // Copies the host directory `src_name` of `src_dir` to `dst_name` of
    // `dst_dir` ("" = dst_dir itself), merging into a directory already there.
    void copy_directory(int src_dir, const std::string& src_name, const struct stat& st, int dst_dir,
                        const std::string& dst_name, const std::string& where) {
        UniqueFd from(::openat(src_dir, src_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!from) throw_errno("open " + where + " in the build context");
        UniqueFd to;
        bool made = false;
        struct stat existing {};
        if (dst_name.empty()) {
            to.reset(::dup(dst_dir));
        } else if (::fstatat(dst_dir, dst_name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
                   S_ISLNK(existing.st_mode) &&
                   (to = UniqueFd(open_in_root(root, where, O_RDONLY | O_DIRECTORY)))) {
            // The image's symlink to a directory (/app/lib -> /usr/lib):
            // followed, in the root, and merged into, as at the top.
        } else if (clear_entry(dst_dir, dst_name, where)) {
            // A directory already in the image (never a symlink here:
            // clear_entry removed that): merged into, its metadata kept.
            to.reset(::openat(dst_dir, dst_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        } else {
            if (::mkdirat(dst_dir, dst_name.c_str(), 0700) != 0) throw_errno("mkdir " + where + " in the image");
            to.reset(::openat(dst_dir, dst_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            made = true;
        }
        if (!to) throw_errno("open " + where + " in the image");
        if (made) {
            if (::fchown(to.get(), options.uid, options.gid) != 0) throw_errno("chown " + where + " in the image");
            if (::fchmod(to.get(), options.mode.value_or(st.st_mode) & 07777) != 0)
                throw_errno("chmod " + where + " in the image");
        }

        std::vector<std::string> names;
        {
            const int listing = ::dup(from.get());
            if (listing < 0) throw_errno("dup");
            std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing), ::closedir);
            if (!dir) {
                ::close(listing);
                throw_errno("read the directory " + where + " of the build context");
            }
            while (dirent* entry = ::readdir(dir.get())) {
                const std::string name = entry->d_name;
                if (name != "." && name != "..") names.push_back(name);
            }
        }
        std::sort(names.begin(), names.end());
        const std::string prefix = where == "/" ? "" : where;
        for (const auto& name : names) {
            struct stat child {};
            if (::fstatat(from.get(), name.c_str(), &child, AT_SYMLINK_NOFOLLOW) != 0)
                throw_errno("stat " + prefix + "/" + name + " in the build context");
            copy_entry(from.get(), name, child, to.get(), name, prefix + "/" + name);
        }
        if (made) dir_times.push_back({std::move(to), st, where});
    }

    void finish() {
        // Deepest first is not needed: setting a directory's mtime does not
        // change its parent's.
        for (auto& d : dir_times) {
            const timespec times[2] = {d.st.st_mtim, d.st.st_mtim};
            if (::futimens(d.fd.get(), times) != 0) throw_errno("set the mtime of " + d.where + " in the image");
        }
    }
};

// The parent directory and last name of an image path ("/a/b" -> "/a", "b").
std::pair<std::string, std::string> split_last(const std::string& path) {
    std::vector<std::string> parts = components_of(path);
    if (parts.empty()) return {"/", ""};
    std::string name = parts.back();
    parts.pop_back();
    return {joined(parts, parts.size()), name};
}
// END SOLUTION

} // namespace

void copy_into_root(const std::filesystem::path& source, int root_fd, const std::string& dest,
                    const CopyOptions& options) {
    // BEGIN SOLUTION copy_into_root
    // TODO: lstat the source. Open dest's parent directory in the image with
    // openat2(root_fd, parent, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
    // making missing components (mkdirat 0755) one at a time. Then, relative
    // to that descriptor: a file -> unlink what is there, create (O_EXCL |
    // O_NOFOLLOW), copy the bytes, fchown, fchmod, futimens; a symlink ->
    // readlink + symlinkat; a directory -> the same for every entry, into a
    // directory that is made or already there (a symlink to a directory at
    // dest itself is followed, in the root). Directories' mtimes last.
    if (dest.empty() || dest.front() != '/') throw Error("copy destination " + dest + " is not an absolute path");
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) throw_errno("stat " + source.string() + " in the build context");
    const std::string source_dir = source.has_parent_path() ? source.parent_path().string() : ".";
    const std::string source_name = source.filename().empty() ? "." : source.filename().string();
    const UniqueFd from_parent(::open(source_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!from_parent) throw_errno("open " + source_dir + " in the build context");

    Copier copier{root_fd, options, {}};
    const auto [parent, name] = split_last(dest);
    if (S_ISDIR(st.st_mode)) {
        // A directory at dest that the image already has, or a symlink to
        // one (/x -> /): followed, in the root, and merged into.
        UniqueFd existing(open_in_root(root_fd, dest, O_RDONLY | O_DIRECTORY));
        bool made = false;
        if (!existing && errno == ENOENT) {
            // Missing, or a dangling symlink: made where the link points, in the root.
            existing = make_directory_in_root(root_fd, dest);
            made = true;
            if (::fchown(existing.get(), options.uid, options.gid) != 0) throw_errno("chown " + dest + " in the image");
            if (::fchmod(existing.get(), options.mode.value_or(st.st_mode) & 07777) != 0)
                throw_errno("chmod " + dest + " in the image");
        }
        if (existing) {
            copier.copy_directory(from_parent.get(), source_name, st, existing.get(), "", dest);
            copier.finish();
            const timespec times[2] = {st.st_mtim, st.st_mtim};
            if (made && ::futimens(existing.get(), times) != 0) throw_errno("set the mtime of " + dest + " in the image");
            return;
        }
        // ENOTDIR: a file is there (replaced below) or on the way (an error below).
        if (errno != ENOTDIR) throw_errno("open " + dest + " in the image");
    }
    const UniqueFd parent_fd = make_directory_in_root(root_fd, parent);
    if (name.empty()) throw Error("cannot copy " + source.string() + " over the image's root directory");
    copier.copy_entry(from_parent.get(), source_name, st, parent_fd.get(), name, dest);
    copier.finish();
    // END SOLUTION
}

} // namespace kubik::dockerfile
