// Lesson 5 — volumes: data that outlives the container.
//
// Everything a container writes lands in its own upper layer (lesson 4), and
// `kubik rm` deletes that layer. A volume is a directory outside the
// container's layers, mounted into its tree: the container's writes to it go
// straight to that directory, which stays when the container goes and can be
// mounted into the next one, or into two at once. Three kinds, as docker has:
//
//   named volume   -v data:/var/lib/db      a directory kubik keeps for you
//                                           (ROOT/volumes/data/_data)
//   bind mount     -v /srv/site:/usr/share/www:ro   a host directory or file
//   tmpfs          --tmpfs /run             memory only, gone with the container
//
// This lesson parses the -v flag, finds the place to mount inside the
// container's root without ever leaving it (a symlink in the image must not
// send a mount to the host), bind-mounts the source there, read-only for the
// whole tree when asked, and fills a new, empty volume with what the image has
// at that path, as docker does.
#pragma once

#include "core/unique_fd.hpp"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace kubik::volumes {

/// What a container's mount is made from.
enum class MountType {
    Volume, ///< a named (or anonymous) volume: a directory kubik keeps
    Bind,   ///< a path of the host
    Tmpfs,  ///< memory, gone when the container is
};

/// How mount and unmount events travel between a bind mount and its source
/// (mount_namespaces(7)); docker's `bind-propagation`. The "r" forms apply to
/// every mount below the bind too.
enum class Propagation {
    Private,  ///< nothing travels either way
    RPrivate, ///< docker's default
    Slave,    ///< mounts made under the source on the host appear in the container, not back
    RSlave,   ///< Slave, for every mount below too
    /// Mounts made under the bind travel to its peers, the host's source
    /// among them: what the container mounts there appears on the host, as
    /// with docker (src keeps the source's mount a peer of the host's; see
    /// src/runtime/mount_propagation.hpp).
    Shared,
    RShared,  ///< Shared, for every mount below too
};

/// One mount of a container, as its flag described it.
struct MountSpec {
    MountType type = MountType::Volume; ///< what is mounted
    /// Volume: its name, "" for an anonymous volume (kubik names it when the
    /// container is made). Bind: the host path, absolute, as typed. Tmpfs: "".
    std::string source;
    /// Where it appears in the container: an absolute path, as typed
    /// ("/data", "/data/", "/a/../data"); src cleans it and refuses "/" and
    /// a second mount on the same path.
    std::string target;
    bool readonly = false; ///< ":ro", "readonly": no write anywhere in the mounted tree
    /// Bind only: docker's default is rprivate.
    Propagation propagation = Propagation::RPrivate;
    /// Bind only: a missing host directory is created (-v does so; --mount
    /// type=bind refuses a missing source instead).
    bool create_source = false;
    /// Volume only (":nocopy", "volume-nocopy"): a new, empty volume is not
    /// filled with the image's files at the target.
    bool nocopy = false;
    /// Tmpfs only: the size limit in bytes, 0 for the kernel's default (half of RAM).
    std::uint64_t tmpfs_size = 0;
    /// Tmpfs only: the mode of its root directory, 01777 when not given.
    std::optional<mode_t> tmpfs_mode;
};

/// Parses one `-v`/`--volume` value with docker's rules:
///
///   "NAME:/path[:OPTIONS]"   a named volume (NAME: [a-zA-Z0-9][a-zA-Z0-9_.-]+)
///   "/host:/path[:OPTIONS]"  a bind mount; create_source is set
///   "/path"                  an anonymous volume
///
/// OPTIONS is a comma-separated list of `ro` or `rw` (one of them at most),
/// `nocopy` (volumes only), a propagation (`private`, `rprivate`, `slave`,
/// `rslave`, `shared`, `rshared`; binds only), and `z`, `Z` (SELinux
/// relabelling: accepted and ignored, as docker does on a host without
/// SELinux). Throws kubik::Error with docker's message on anything else: a
/// spec that isn't 1 to 3 fields ("invalid volume specification: 'SPEC'"), an
/// empty field, a relative target, a source that is neither an absolute path
/// nor a valid name, an unknown or repeated option ("invalid mode: MODE").
MountSpec parse_volume_flag(const std::string& value);

/// Opens the mount point `target` (absolute) inside the container's root
/// directory `root` without ever leaving it: every component, symlinks
/// included, is resolved as if `root` were "/" (openat2(2) with
/// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so "/data" being a symlink to
/// "/etc" or "../../.." in the image means ROOT/etc or ROOT, never the host's.
/// Missing components are created (directories, mode 0755; the last one a
/// directory when `directory`, else an empty regular file, mode 0644).
/// Returns an O_PATH descriptor of the mount point.
///
/// Throws kubik::Error naming the target when it resolves to /proc or
/// anything below it (a mount there could hide the kernel's files from the
/// runtime, or swap them), or when what is there is a directory and a file
/// was asked for, or the other way round.
UniqueFd open_mount_target(int root, const std::string& target, bool directory);

/// Bind-mounts `source` (an open descriptor of the host directory or file)
/// onto `target` (a descriptor from open_mount_target()), submounts of the
/// source included. With `readonly`, the kernel refuses every write in the
/// whole mounted tree (EROFS), submounts too. `propagation` is set on the new
/// mount (on every mount of it for the "r" forms); nothing mounted in the
/// container travels to the host.
void bind_mount(int source, int target, bool readonly, Propagation propagation);

/// Copies what the image has at a mount point into a new, empty volume:
/// every entry below the directory `from` into the empty directory `to`,
/// recursively. Regular files by their contents (a hard link becomes a file
/// of its own), directories, symlinks as they are (never followed), device
/// nodes and FIFOs; each with its owner, mode (set-id bits included) and
/// modification time. `to` itself takes `from`'s owner and mode, as docker's
/// copy does: `-v data:/tmp` keeps /tmp's 1777.
void copy_image_contents(int from, int to);

} // namespace kubik::volumes
