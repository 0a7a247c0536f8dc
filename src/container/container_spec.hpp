// Everything kubik needs to start one container, decided before it starts.
#pragma once

#include "cgroup.hpp"
#include "image/image_config.hpp"
#include "network.hpp"
#include "network/network_store.hpp"
#include "container/security_options.hpp"
#include "volumes.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubik {

/// How the container's root directory is entered (lesson 1).
enum class Isolation {
    PivotRoot, ///< pivot_root + detach the old root: the host's files are gone
    Chroot,    ///< chroot only: escapable, kept to demonstrate why
};

/// One layer of the container's image, as the image store unpacked it.
struct ImageLayer {
    std::string chain_id;          ///< "sha256:…": the store's key, kept from removal while the container exists
    std::filesystem::path dir;     ///< ROOT/store/layers/HEX/diff, never written
    std::string link;              ///< its short name in the store's links directory
};

/// One mount of the container (lesson 5): a volume, a bind mount or a tmpfs.
struct ContainerMount {
    /// As the flag said; an anonymous volume's name is filled in (64 hex
    /// digits, as docker makes them) and the target is cleaned ("/data").
    volumes::MountSpec mount;
    /// What is mounted, on the host: ROOT/volumes/NAME/_data for a volume,
    /// the source for a bind (its symlinks followed, as docker does); empty
    /// for a tmpfs.
    std::filesystem::path host_path;
    /// Made for this container (`-v /path`): `rm -v` and `run --rm` remove it.
    bool anonymous = false;
};

/// Which network namespace the container gets (lesson 6): docker's --network.
enum class NetworkMode {
    Bridge,    ///< its own, with eth0 on a bridge: "bridge" (the default) or a user network
    None,      ///< its own, with lo only
    Host,      ///< the host's: no namespace of its own, every host interface visible
    Container, ///< another running container's (--network container:NAME)
};

/// One container, as `kubik run` decided it from its flags and the image.
struct ContainerSpec {
    std::string id;       ///< 64 hex digits
    std::string name;     ///< unique in the state root
    std::string image;    ///< "busybox:latest", as the user named it
    std::string image_id; ///< "sha256:…" of the image's config: what rmi checks
    std::vector<ImageLayer> layers;      ///< the image's layers, bottom first
    std::filesystem::path layer_links;   ///< ROOT/store/l: the short names of `layers`
    /// The single lower directory of a container made by a kubik before
    /// layered images (state files with "ImageRootfs"); read so that ps and
    /// rm still work on such a container, never mounted.
    std::filesystem::path image_rootfs;

    std::vector<std::string> argv;       ///< entrypoint + command
    std::vector<std::string> env;        ///< final "KEY=VALUE" list
    std::string working_dir = "/";       ///< -w, else the image's WorkingDir, else "/"
    std::string hostname;                ///< --hostname, else the first 12 digits of the id
    /// -u/--user, else the image's User: "NAME", "UID", "NAME:GROUP",
    /// "UID:GID", looked up in the container's /etc/passwd and /etc/group
    /// just before exec (runtime/container_user.hpp); "" = root.
    std::string user;
    /// The image's Labels with --label on top (docker's Config.Labels).
    std::map<std::string, std::string> labels;
    /// --stop-signal, else the image's StopSignal ("SIGQUIT", "3"); "" =
    /// SIGTERM. What `kubik stop` sends first (`stop -s` overrides it).
    std::string stop_signal;
    /// The image's ExposedPorts ("80/tcp"), plus each -p's container port:
    /// what `run -P` publishes and inspect's Config.ExposedPorts.
    std::vector<std::string> exposed_ports;
    /// The image's Volumes ("/data"): each got an anonymous volume in
    /// `mounts` unless -v/--mount put something there.
    std::vector<std::string> volumes;
    /// The image's Healthcheck, recorded for inspect (lesson 11 runs it).
    std::optional<ImageConfig::Healthcheck> healthcheck;
    bool hostname_given = false;         ///< --hostname: UTS namespace is required

    bool interactive = false;            ///< -i: keep stdin attached
    bool tty = false;                    ///< -t: a pseudo-terminal
    bool remove = false;                 ///< --rm
    bool detach = false;                 ///< -d: a monitor process waits for it, kubik returns
    Isolation isolation = Isolation::PivotRoot; ///< --isolation

    /// -v, --mount, --tmpfs: in the order given (the runtime mounts parents first).
    std::vector<ContainerMount> mounts;

    NetworkMode network_mode = NetworkMode::Bridge; ///< --network
    /// --network: the network's name for Bridge ("bridge" by default), the
    /// other container's id for Container, empty otherwise.
    std::string network;
    /// -p, expanded one port per entry; host ports chosen by the kernel are
    /// filled in before the container starts.
    std::vector<network::PublishedPort> ports;
    /// What the network gave it (Bridge only), decided before it starts and
    /// given back when it stops.
    std::optional<NetworkLease> lease;
    /// --add-host, "NAME:IP" as given (IP may be "host-gateway"): extra
    /// lines of the container's /etc/hosts.
    std::vector<std::string> extra_hosts;

    SecurityOptions security;            ///< lesson 8: capabilities, seccomp, masks, --read-only, --group-add

    cgroups::CgroupLimits limits;        ///< --memory, --memory-swap, --cpus, --pids-limit
    std::string cgroup_parent = "kubik"; ///< --cgroup-parent: the group that holds ours

    /// The container's cgroup, relative to each hierarchy's root.
    std::filesystem::path cgroup_path() const { return std::filesystem::path(cgroup_parent) / id; }
    /// Whether the container gets a cgroup: not for a rootless kubik that
    /// has no delegated cgroup (empty cgroup_parent).
    bool has_cgroup() const { return !cgroup_parent.empty(); }
};

} // namespace kubik
