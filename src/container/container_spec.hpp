// Everything kubik needs to start one container, decided before it starts.
#pragma once

#include "cgroup.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kubik {

/// How the container's root directory is entered (lesson 1).
enum class Isolation {
    PivotRoot, ///< pivot_root + detach the old root: the host's files are gone
    Chroot,    ///< chroot only: escapable, kept to demonstrate why
};

/// One container, as `kubik run` decided it from its flags and the image.
struct ContainerSpec {
    std::string id;       ///< 64 hex digits
    std::string name;     ///< unique in the state root
    std::string image;    ///< "busybox:latest"
    std::filesystem::path image_rootfs;  ///< lower layer, never written

    std::vector<std::string> argv;       ///< entrypoint + command
    std::vector<std::string> env;        ///< final "KEY=VALUE" list
    std::string working_dir = "/";       ///< -w, else the image's WorkingDir, else "/"
    std::string hostname;                ///< --hostname, else the first 12 digits of the id
    bool hostname_given = false;         ///< --hostname: UTS namespace is required

    bool interactive = false;            ///< -i: keep stdin attached
    bool tty = false;                    ///< -t: a pseudo-terminal
    bool remove = false;                 ///< --rm
    bool detach = false;                 ///< -d: a monitor process waits for it, kubik returns
    Isolation isolation = Isolation::PivotRoot; ///< --isolation

    cgroups::CgroupLimits limits;        ///< --memory, --memory-swap, --cpus, --pids-limit
    std::string cgroup_parent = "kubik"; ///< --cgroup-parent: the group that holds ours

    /// The container's cgroup, relative to each hierarchy's root.
    std::filesystem::path cgroup_path() const { return std::filesystem::path(cgroup_parent) / id; }
};

} // namespace kubik
