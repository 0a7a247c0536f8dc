// A container's volumes, bind mounts and tmpfs mounts (lesson 5).
//
// Runs in the container's init, in its new (private or slave) mount
// namespace, after the root and the lesson-2 filesystems are mounted and
// before the root is entered: the sources are host paths, reachable only
// now. Every target is found by lesson 5's open_mount_target(), inside the
// root, and every mount goes onto that descriptor — never onto a path
// resolved by name (see solutions/05-volumes/mount_target.cpp).
#include "runtime/volume_mounts.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"
#include "runtime/lesson_step.hpp"
#include "volumes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace kubik {
namespace {

using volumes::MountType;
using volumes::Propagation;

// The flag a mount came from, for "FLAG: not implemented yet" when lesson 5
// is a stub. A bind that may create its source came from -v, one that may
// not from --mount; a volume from either.
const char* flag_of(const volumes::MountSpec& mount) {
    switch (mount.type) {
    case MountType::Tmpfs: return "--tmpfs";
    case MountType::Bind: return mount.create_source ? "-v" : "--mount";
    case MountType::Volume: return "-v/--mount";
    }
    return "-v";
}

// "/a/b/c" is 3 deep: parents sort before their children ("/a" before "/a/b"),
// so a child is mounted on top of its parent's mount, not hidden under it.
std::size_t depth_of(const std::string& target) {
    std::size_t depth = 0;
    bool in_component = false;
    for (char c : target) {
        if (c == '/') in_component = false;
        else if (!in_component) in_component = true, ++depth;
    }
    return depth;
}

// True when the directory `fd` (any open mode) has no entries.
bool directory_is_empty(int fd) {
    const int listing = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) throw_errno("open a volume's directory");
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing), ::closedir);
    if (!dir) {
        ::close(listing);
        throw_errno("read a volume's directory");
    }
    while (dirent* entry = ::readdir(dir.get())) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") return false;
    }
    return true;
}

// The tmpfs is src's: docker's --tmpfs, noexec, nosuid and nodev by default,
// made with the new mount API so that it, too, goes onto the descriptor.
void mount_tmpfs(const volumes::MountSpec& mount, int target) {
    const UniqueFd context(::fsopen("tmpfs", FSOPEN_CLOEXEC));
    if (!context) throw_errno("fsopen tmpfs for " + mount.target);
    auto set = [&](const char* key, const std::string& value) {
        if (::fsconfig(context.get(), FSCONFIG_SET_STRING, key, value.c_str(), 0) != 0)
            throw_errno("tmpfs " + mount.target + ": " + key + "=" + value);
    };
    if (mount.tmpfs_size) set("size", std::to_string(mount.tmpfs_size));
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(mount.tmpfs_mode.value_or(01777)));
    set("mode", mode);
    if (::fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        throw_errno("create the tmpfs for " + mount.target);
    unsigned attributes = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    if (mount.readonly) attributes |= MOUNT_ATTR_RDONLY;
    const UniqueFd tree(::fsmount(context.get(), FSMOUNT_CLOEXEC, attributes));
    if (!tree) throw_errno("fsmount the tmpfs for " + mount.target);
    if (::move_mount(tree.get(), "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw_errno("mount the tmpfs on " + mount.target);
}

void mount_one(const ContainerMount& m, int root) {
    const auto& mount = m.mount;
    const char* flag = flag_of(mount);
    UniqueFd target;
    if (mount.type == MountType::Tmpfs) {
        lesson_step([&] { target = volumes::open_mount_target(root, mount.target, true); }, flag);
        mount_tmpfs(mount, target.get());
        return;
    }
    // The source is the host's: its symlinks are followed, as docker does.
    const UniqueFd source(::open(m.host_path.c_str(), O_PATH | O_CLOEXEC));
    if (!source) throw_errno("open the source of " + mount.target + ", " + m.host_path.string());
    struct stat st {};
    if (::fstat(source.get(), &st) != 0) throw_errno("stat " + m.host_path.string());
    const bool directory = S_ISDIR(st.st_mode);
    lesson_step([&] { target = volumes::open_mount_target(root, mount.target, directory); }, flag);
    // A new, empty volume gets what the image has there, and the image
    // directory's owner and mode even when it is empty: -v data:/tmp is 1777
    // like busybox's /tmp (docker does the same).
    if (mount.type == MountType::Volume && !mount.nocopy && directory && directory_is_empty(source.get()))
        lesson_step([&] { volumes::copy_image_contents(target.get(), source.get()); }, flag);
    lesson_step([&] { volumes::bind_mount(source.get(), target.get(), mount.readonly, mount.propagation); }, flag);
}

} // namespace

void mount_container_volumes(const ContainerSpec& spec, const std::filesystem::path& rootfs) {
    // Nothing to do, and no lesson-5 function called: a student on lesson 2
    // runs containers without ever meeting lesson 5's stubs.
    if (spec.mounts.empty()) return;
    const UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open the container's root " + rootfs.string());
    std::vector<const ContainerMount*> order;
    for (const auto& m : spec.mounts) order.push_back(&m);
    std::stable_sort(order.begin(), order.end(), [](const ContainerMount* a, const ContainerMount* b) {
        return depth_of(a->mount.target) < depth_of(b->mount.target);
    });
    for (const ContainerMount* m : order) mount_one(*m, root.get());
}

} // namespace kubik
