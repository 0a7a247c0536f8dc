// How the container's mount namespace is connected to the host's (lesson 5).
#pragma once

#include "container/container_spec.hpp"

#include <filesystem>

namespace kubik {

/// Sets the propagation of every mount of this (new) mount namespace before
/// the container's root is mounted:
///
/// - no bind asks for anything: rprivate, nothing travels either way;
/// - a bind asks for slave/rslave: rslave, the host's mounts under its source
///   still arrive and nothing goes back;
/// - a bind asks for shared/rshared: every mount becomes a slave except the
///   mount holding that source (and, for rshared, the mounts below the
///   source), which stays a peer of the host's. The bind cloned from it
///   joins the host's peer group, so what the container mounts under it
///   appears on the host, as with docker. Its source must be on a shared
///   mount of the host ("path … is not a shared mount", exit 125, as
///   docker). A source on the very mount that holds `rootfs` can't stay
///   shared (the container's own root, /proc and /dev would appear on the
///   host): it becomes a slave, as runc makes the root's parent private.
void set_mount_propagation(const ContainerSpec& spec, const std::filesystem::path& rootfs);

} // namespace kubik
