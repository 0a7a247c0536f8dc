// /dev for a container in a user namespace.
//
// Lesson 2's mount_dev() makes the device nodes with mknod(2). The kernel
// refuses that to a user namespace's root (only the host's CAP_MKNOD may
// create a node: a node is a door to a driver, whoever owns the
// namespace). runc and crun, in a user namespace, bind the host's own nodes
// instead: a bind of /dev/null is the same door the user already has, and
// gives nothing more. The rest of /dev (devpts, shm, mqueue, the links) is
// made as lesson 2 makes it.
#pragma once

#include <filesystem>

namespace kubik::rootless {

/// Mounts rootfs/dev as lesson 2's mount_dev() does, with the six device
/// nodes bound from the host's /dev instead of made.
void mount_dev_in_user_namespace(const std::filesystem::path& rootfs);

} // namespace kubik::rootless
