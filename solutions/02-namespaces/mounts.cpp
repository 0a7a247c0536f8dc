// Lesson 2 — namespaces: /proc, /dev, /sys. Read lessons/02-namespaces/README.md first.
#include "mounts.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace fs = std::filesystem;

namespace kubik::ns {
namespace {

// BEGIN SOLUTION
// TODO: you may want a helper that creates the mount point and mounts,
// throwing an error that names both ("mount proc on /x/proc: ...").
void mount_at(const fs::path& target, const char* source, const char* type, unsigned long flags,
              const char* data) {
    std::error_code ec;
    fs::create_directories(target, ec);
    if (::mount(source, target.c_str(), type, flags, data) != 0)
        throw_errno(std::string("mount ") + type + " on " + target.string());
}
// END SOLUTION

} // namespace

void mount_proc(const fs::path& rootfs) {
    // BEGIN SOLUTION mount_proc
    // TODO: mount "proc" on rootfs/proc with MS_NOSUID | MS_NODEV | MS_NOEXEC.
    mount_at(rootfs / "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    // END SOLUTION
}

void mount_dev(const fs::path& rootfs) {
    // BEGIN SOLUTION mount_dev
    // TODO: tmpfs on rootfs/dev; mknod the six character devices (mode 0666);
    // devpts (newinstance) on dev/pts, ptmx -> pts/ptmx; tmpfs on dev/shm;
    // mqueue on dev/mqueue; the fd/stdin/stdout/stderr symlinks, and core only
    // where the host has /proc/kcore.
    const fs::path dev = rootfs / "dev";
    // A tmpfs, not the host's /dev: only the devices listed here exist, so a
    // container can't open the host's disks. Small: it holds only nodes.
    mount_at(dev, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");

    struct Node {
        const char* name;
        unsigned major, minor;
    };
    // The major/minor numbers are fixed by the kernel (Documentation/admin-guide/devices.txt).
    for (const Node& node : {Node{"null", 1, 3}, Node{"zero", 1, 5}, Node{"full", 1, 7},
                             Node{"random", 1, 8}, Node{"urandom", 1, 9}, Node{"tty", 5, 0}}) {
        fs::path path = dev / node.name;
        if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(node.major, node.minor)) != 0)
            throw_errno("mknod " + path.string());
        // mknod applies the umask; devices must stay usable by every user.
        if (::chmod(path.c_str(), 0666) != 0) throw_errno("chmod " + path.string());
    }

    // newinstance: a devpts of the container's own, so it sees only its own
    // terminals. ptmxmode=0666 lets non-root users open new terminals; gid 5
    // is the "tty" group.
    mount_at(dev / "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
             "newinstance,ptmxmode=0666,mode=0620,gid=5");
    mount_at(dev / "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
    mount_at(dev / "mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);

    struct Link {
        const char* name;
        const char* target;
    };
    std::vector<Link> links{{"ptmx", "pts/ptmx"},
                            {"fd", "/proc/self/fd"},
                            {"stdin", "/proc/self/fd/0"},
                            {"stdout", "/proc/self/fd/1"},
                            {"stderr", "/proc/self/fd/2"}};
    // A kernel without CONFIG_PROC_KCORE has no /proc/kcore, and a link to it
    // would dangle; runc makes /dev/core only when it exists. We are still
    // before pivot_root: /proc is the host's.
    std::error_code ec;
    if (fs::exists("/proc/kcore", ec)) links.push_back({"core", "/proc/kcore"});
    for (const Link& link : links) {
        fs::path path = dev / link.name;
        if (::symlink(link.target, path.c_str()) != 0) throw_errno("symlink " + path.string());
    }
    // END SOLUTION
}

void mount_sys(const fs::path& rootfs) {
    // BEGIN SOLUTION mount_sys
    // TODO: mount "sysfs" on rootfs/sys read-only (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC).
    mount_at(rootfs / "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    // END SOLUTION
}

} // namespace kubik::ns
