#include "image/layer_root.hpp"

#include "core/error.hpp"
#include "core/user_namespace.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kubik::image {

namespace {

// RESOLVE_BENEATH: no absolute path, no ".." above the start. NO_SYMLINKS:
// no symlink anywhere in the walk (an earlier entry may have made "lnk -> /").
// NO_MAGICLINKS: no /proc/self/fd-style jumps. NO_XDEV: no mount crossing.
constexpr std::uint64_t kResolve =
    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

// openat2 restricted to below `dirfd`. EAGAIN: a rename elsewhere raced the
// walk and the kernel could not prove it safe; trying again is the fix.
int open_beneath(int dirfd, const char* path, std::uint64_t flags) {
    open_how how{};
    how.flags = flags | O_CLOEXEC;
    how.resolve = kResolve;
    for (int attempt = 0;; ++attempt) {
        const long fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) return static_cast<int>(fd);
        if ((errno == EAGAIN && attempt < 100) || errno == EINTR) continue;
        return -1;
    }
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

[[noreturn]] void refuse(const std::string& entry_path, const std::string& why) {
    throw Error("refusing entry " + quoted(entry_path) + ": " + why);
}

[[noreturn]] void fail(const std::string& entry_path, const std::string& what, int err = errno) {
    throw Error("entry " + quoted(entry_path) + ": " + what + ": " + std::strerror(err));
}

// A tar path as components: "./a//b/" → {"a", "b"}. Refuses what could
// leave the layer before the kernel is even asked.
std::vector<std::string> components(const std::string& path, const std::string& entry_path) {
    if (!path.empty() && path.front() == '/') refuse(entry_path, "it points outside the layer");
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= path.size()) {
        std::size_t end = path.find('/', at);
        if (end == std::string::npos) end = path.size();
        std::string part = path.substr(at, end - at);
        if (part == "..") refuse(entry_path, "it points outside the layer");
        if (!part.empty() && part != ".") out.push_back(std::move(part));
        at = end + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        if (i) out += '/';
        out += parts[i];
    }
    return out;
}

// "/proc/self/fd/N/NAME": the way to reach a symlink or a device node that
// can't be opened for the *xattr calls. The magic link is our own parent
// descriptor, resolved by the kernel to that directory; NAME is one
// component in it, not followed (l*xattr).
std::string proc_path(int dirfd, const std::string& name) {
    return "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
}

// Removes `name` in `dirfd` and, if a directory, all it holds; never follows
// a symlink (each step is one component with O_NOFOLLOW).
void remove_tree(int dirfd, const std::string& name, const std::string& entry_path) {
    if (::unlinkat(dirfd, name.c_str(), 0) == 0) return;
    if (errno != EISDIR) fail(entry_path, "remove the existing " + name);
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) == 0) return;
    if (errno != ENOTEMPTY && errno != EEXIST) fail(entry_path, "remove the existing directory " + name);
    const int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail(entry_path, "open the existing directory " + name);
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        ::close(fd);
        fail(entry_path, "read the existing directory " + name);
    }
    std::vector<std::string> children;
    while (dirent* d = ::readdir(dir)) {
        const std::string child = d->d_name;
        if (child != "." && child != "..") children.push_back(child);
    }
    try {
        for (const auto& child : children) remove_tree(::dirfd(dir), child, entry_path);
    } catch (...) {
        ::closedir(dir);
        throw;
    }
    ::closedir(dir);
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0)
        fail(entry_path, "remove the existing directory " + name);
}

bool overlay_xattr(const std::string& name) { return name.starts_with("trusted.overlay."); }

// Sets the entry's xattrs on an open file, or by path when `fd` < 0. A tar
// can't set overlayfs's own attributes (trusted.overlay.*): those describe
// how layers stack, and only the whiteout conversion may make them.
void set_xattrs(const TarEntry& entry, int fd, const std::string& path) {
    for (const auto& [name, value] : entry.xattrs) {
        if (overlay_xattr(name)) continue;
        const int r = fd >= 0 ? ::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0)
                              : ::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0);
        if (r < 0) fail(entry.path, "set the xattr " + name);
    }
}

} // namespace

LayerRoot::LayerRoot(const std::filesystem::path& dir) : path_(dir) {
    dir_.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_) throw_errno("open the layer directory " + dir.string());
}

int LayerRoot::dir_fd(const std::string& dir, const std::string& entry_path) {
    if (dir.empty()) return dir_.get();
    if (cached_dir_ && dir == cached_dir_path_) return cached_dir_.get();

    UniqueFd fd(open_beneath(dir_.get(), dir.c_str(), O_PATH | O_DIRECTORY));
    if (!fd) {
        if (errno == ENOSYS) throw_errno("openat2 (Linux 5.6 or newer is needed to unpack layers safely)");
        // Walk one component at a time: to make what is missing, and to say
        // which component is in the way.
        std::vector<std::string> parts = components(dir, entry_path);
        UniqueFd current;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const int at = current ? current.get() : dir_.get();
            const char* name = parts[i].c_str();
            UniqueFd next(open_beneath(at, name, O_PATH | O_DIRECTORY));
            if (!next && errno == ENOENT) {
                if (::mkdirat(at, name, 0755) < 0 && errno != EEXIST)
                    fail(entry_path, "create the directory " + join(parts, i + 1));
                next.reset(open_beneath(at, name, O_PATH | O_DIRECTORY));
            }
            if (!next) {
                const std::string prefix = join(parts, i + 1);
                if (errno == ELOOP) refuse(entry_path, "it goes through the symlink " + quoted(prefix));
                if (errno == EXDEV) refuse(entry_path, "it points outside the layer");
                if (errno == ENOTDIR) refuse(entry_path, quoted(prefix) + " is not a directory");
                fail(entry_path, "open the directory " + prefix);
            }
            current = std::move(next);
        }
        fd = std::move(current);
    }
    cached_dir_ = std::move(fd);
    cached_dir_path_ = dir;
    return cached_dir_.get();
}

LayerRoot::Parent LayerRoot::parent_of(const std::string& entry_path) {
    std::vector<std::string> parts = components(entry_path, entry_path);
    if (parts.empty()) refuse(entry_path, "it names the layer directory itself, not an entry in it");
    const int fd = dir_fd(join(parts, parts.size() - 1), entry_path);
    Parent parent;
    parent.dir.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!parent.dir) fail(entry_path, "duplicate a descriptor");
    parent.name = parts.back();
    return parent;
}

void LayerRoot::extract(const TarEntry& entry, TarReader& tar) {
    try {
        std::vector<std::string> parts = components(entry.path, entry.path);
        const struct timespec times[2] = {entry.mtime, entry.mtime};

        if (parts.empty()) {
            // "./": the layer directory's own metadata.
            if (entry.type != TarEntry::Type::Directory)
                refuse(entry.path, "it names the layer directory itself, not an entry in it");
            if (::fchown(dir_.get(), entry.uid, entry.gid) < 0) fail(entry.path, "chown");
            if (::fchmod(dir_.get(), entry.mode) < 0) fail(entry.path, "chmod");
            set_xattrs(entry, dir_.get(), {});
            dir_times_.push_back({"", entry.mtime});
            return;
        }

        const std::string dir = join(parts, parts.size() - 1);
        const std::string& name = parts.back();
        const int parent = dir_fd(dir, entry.path);
        const char* cname = name.c_str();

        // Makes room for the entry when `name` exists: a directory stays for
        // a directory entry (true), anything else goes.
        auto clear = [&](bool keep_directory) {
            struct stat st {};
            if (::fstatat(parent, cname, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT) return false;
                fail(entry.path, "stat the existing " + name);
            }
            if (S_ISDIR(st.st_mode)) {
                if (keep_directory) return true;
                // The cached parent may be this directory or below it (never
                // `parent` itself, which is above it).
                const std::string removed = join(parts, parts.size());
                if (cached_dir_path_ == removed || cached_dir_path_.starts_with(removed + "/")) {
                    cached_dir_.reset();
                    cached_dir_path_.clear();
                }
            }
            remove_tree(parent, name, entry.path);
            return false;
        };

        switch (entry.type) {
        case TarEntry::Type::Regular: {
            constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
            UniqueFd fd(::openat(parent, cname, kFlags, 0600));
            if (!fd && errno == EEXIST) {
                clear(false);
                fd.reset(::openat(parent, cname, kFlags, 0600));
            }
            if (!fd) fail(entry.path, "create");
            tar.copy_data(fd.get());
            // chown clears setuid, setgid and file capabilities: mode and
            // xattrs go after it.
            if (::fchown(fd.get(), entry.uid, entry.gid) < 0) fail(entry.path, "chown");
            if (::fchmod(fd.get(), entry.mode) < 0) fail(entry.path, "chmod");
            set_xattrs(entry, fd.get(), {});
            if (::futimens(fd.get(), times) < 0) fail(entry.path, "set the mtime");
            break;
        }
        case TarEntry::Type::Directory: {
            if (::mkdirat(parent, cname, 0700) < 0) {
                if (errno != EEXIST) fail(entry.path, "create the directory");
                if (!clear(true) && ::mkdirat(parent, cname, 0700) < 0)
                    fail(entry.path, "create the directory");
            }
            UniqueFd fd(::openat(parent, cname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!fd) fail(entry.path, "open the directory");
            if (::fchown(fd.get(), entry.uid, entry.gid) < 0) fail(entry.path, "chown");
            if (::fchmod(fd.get(), entry.mode) < 0) fail(entry.path, "chmod");
            set_xattrs(entry, fd.get(), {});
            dir_times_.push_back({join(parts, parts.size()), entry.mtime});
            // Its entries most likely come next.
            cached_dir_path_ = dir_times_.back().path;
            cached_dir_ = std::move(fd);
            break;
        }
        case TarEntry::Type::Symlink: {
            if (::symlinkat(entry.link_target.c_str(), parent, cname) < 0) {
                if (errno != EEXIST) fail(entry.path, "create the symlink");
                clear(false);
                if (::symlinkat(entry.link_target.c_str(), parent, cname) < 0)
                    fail(entry.path, "create the symlink");
            }
            if (::fchownat(parent, cname, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) < 0)
                fail(entry.path, "chown");
            if (!entry.xattrs.empty()) set_xattrs(entry, -1, proc_path(parent, name));
            if (::utimensat(parent, cname, times, AT_SYMLINK_NOFOLLOW) < 0)
                fail(entry.path, "set the mtime");
            break;
        }
        case TarEntry::Type::Hardlink: {
            const std::string what_target = "its hardlink target " + quoted(entry.link_target);
            std::vector<std::string> target;
            try {
                target = components(entry.link_target, entry.path);
            } catch (const Error&) {
                refuse(entry.path, what_target + " points outside the layer");
            }
            const std::string target_path = join(target, target.size());
            if (target.empty()) refuse(entry.path, what_target + " is the layer directory");
            // O_PATH | O_NOFOLLOW: a hardlink to a symlink links the symlink.
            UniqueFd source(open_beneath(dir_.get(), target_path.c_str(), O_PATH | O_NOFOLLOW));
            if (!source) {
                if (errno == ENOENT) refuse(entry.path, what_target + " is not in the layer");
                if (errno == ELOOP) refuse(entry.path, what_target + " goes through a symlink");
                if (errno == EXDEV) refuse(entry.path, what_target + " points outside the layer");
                fail(entry.path, "open " + what_target);
            }
            struct stat st {};
            if (::fstat(source.get(), &st) < 0) fail(entry.path, "stat " + what_target);
            if (S_ISDIR(st.st_mode)) refuse(entry.path, what_target + " is a directory");
            if (::linkat(source.get(), "", parent, cname, AT_EMPTY_PATH) < 0) {
                if (errno != EEXIST) fail(entry.path, "link to " + entry.link_target);
                struct stat existing {};
                if (::fstatat(parent, cname, &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
                    existing.st_dev == st.st_dev && existing.st_ino == st.st_ino)
                    break;  // already this very file
                clear(false);
                if (::linkat(source.get(), "", parent, cname, AT_EMPTY_PATH) < 0)
                    fail(entry.path, "link to " + entry.link_target);
            }
            break;
        }
        case TarEntry::Type::CharDevice:
        case TarEntry::Type::BlockDevice:
        case TarEntry::Type::Fifo: {
            mode_t type = S_IFIFO;
            dev_t dev = 0;
            if (entry.type != TarEntry::Type::Fifo) {
                type = entry.type == TarEntry::Type::CharDevice ? S_IFCHR : S_IFBLK;
                dev = makedev(entry.dev_major, entry.dev_minor);
            }
            if (::mknodat(parent, cname, type | 0600, dev) < 0) {
                // No user namespace may make a device node (a whiteout,
                // 0/0, excepted): a rootless kubik leaves them out of the
                // layer, as moby does; its containers get the host's own
                // nodes in /dev (rootless/host_devices.hpp).
                if (errno == EPERM && type != S_IFIFO && !in_initial_user_namespace()) break;
                if (errno != EEXIST) fail(entry.path, "create the node");
                clear(false);
                if (::mknodat(parent, cname, type | 0600, dev) < 0) fail(entry.path, "create the node");
            }
            if (::fchownat(parent, cname, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) < 0)
                fail(entry.path, "chown");
            // `name` is the node just made in a directory of the layer, one
            // component: fchmodat has nothing to follow.
            if (::fchmodat(parent, cname, entry.mode, 0) < 0) fail(entry.path, "chmod");
            if (!entry.xattrs.empty()) set_xattrs(entry, -1, proc_path(parent, name));
            if (::utimensat(parent, cname, times, AT_SYMLINK_NOFOLLOW) < 0)
                fail(entry.path, "set the mtime");
            break;
        }
        }
    } catch (const Error& e) {
        // The reader's own errors name the stream already.
        const std::string prefix = tar.what() + ": ";
        if (std::string_view(e.what()).starts_with(prefix)) throw;
        throw Error(prefix + e.what());
    }
}

void LayerRoot::finish() {
    for (const DirTime& d : dir_times_) {
        const struct timespec times[2] = {d.mtime, d.mtime};
        if (d.path.empty()) {
            if (::futimens(dir_.get(), times) < 0) throw_errno("set the mtime of " + path_.string());
            continue;
        }
        UniqueFd fd(open_beneath(dir_.get(), d.path.c_str(), O_RDONLY | O_DIRECTORY));
        if (!fd) {
            // Replaced by a later entry (a symlink, a file): its own time is set.
            if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) continue;
            throw_errno("open " + (path_ / d.path).string());
        }
        if (::futimens(fd.get(), times) < 0) throw_errno("set the mtime of " + (path_ / d.path).string());
    }
    dir_times_.clear();
}

} // namespace kubik::image
