#include "rootless/host_devices.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <system_error>

namespace fs = std::filesystem;

namespace kubik::rootless {
namespace {

void mount_or_throw(const std::string& source, const fs::path& target, const char* type, unsigned long flags,
                    const char* data) {
    // A bind covers the empty file made for it; a filesystem needs a directory.
    std::error_code ec;
    if (type != nullptr) fs::create_directories(target, ec);
    if (::mount(source.c_str(), target.c_str(), type, flags, data) != 0)
        throw_errno("mount " + (type ? std::string(type) : "bind of " + source) + " on " + target.string());
}

} // namespace

void mount_dev_in_user_namespace(const fs::path& rootfs) {
    const fs::path dev = rootfs / "dev";
    mount_or_throw("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
        // A bind needs something to cover: an empty file.
        const fs::path target = dev / node;
        int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) throw_errno("create " + target.string());
        ::close(fd);
        mount_or_throw("/dev/" + std::string(node), target, nullptr, MS_BIND, nullptr);
    }
    mount_or_throw("devpts", dev / "pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    mount_or_throw("shm", dev / "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
    mount_or_throw("mqueue", dev / "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    const std::pair<const char*, const char*> links[] = {{"ptmx", "pts/ptmx"},
                                                         {"fd", "/proc/self/fd"},
                                                         {"stdin", "/proc/self/fd/0"},
                                                         {"stdout", "/proc/self/fd/1"},
                                                         {"stderr", "/proc/self/fd/2"}};
    for (const auto& [name, target] : links)
        if (::symlink(target, (dev / name).c_str()) != 0) throw_errno("symlink " + (dev / name).string());
    // /proc/kcore is root's only; a user namespace's container has no /dev/core.
}

} // namespace kubik::rootless
