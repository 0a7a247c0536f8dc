// A container's volumes, bind mounts and tmpfs mounts (lesson 5), mounted by
// its init process inside the new mount namespace, before it enters the root.
#pragma once

#include "container/container_spec.hpp"

#include <filesystem>

namespace kubik {

/// Mounts every one of `spec.mounts` under `rootfs` (the container's root,
/// already mounted, not yet entered), parents before children. A volume that
/// is empty gets the image's files at its target first, unless nocopy.
/// Calls lesson 5's functions; when they are stubs, a container that has
/// mounts fails with the not-implemented message naming the flag (exit 125).
void mount_container_volumes(const ContainerSpec& spec, const std::filesystem::path& rootfs);

} // namespace kubik
