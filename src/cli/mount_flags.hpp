// `kubik run --mount` and `--tmpfs`, and the checks every mount of a
// container gets, whichever flag made it (-v is lesson 5's parse_volume_flag).
//
// Everything here only reads: it runs before `run` makes any state, so a
// bad flag leaves nothing behind (exit 125).
#pragma once

#include "volumes.hpp"

#include <string>
#include <vector>

namespace kubik::cli {

/// Parses one `--mount` value with docker's syntax: comma-separated
/// `key=value` fields (CSV: a field may be double-quoted), keys `type`
/// (volume, the default; bind; tmpfs), `source`/`src`, `target`/`dst`/
/// `destination`, `readonly`/`ro` (alone or `=true|false|1|0`),
/// `bind-propagation`, `volume-nocopy`, `tmpfs-size` (64m), `tmpfs-mode`
/// (octal); `consistency` is accepted and ignored, as docker on Linux does.
/// Throws kubik::Error (125) with docker's message: "invalid argument
/// \"VALUE\" for \"--mount\" flag: unexpected key 'x' in 'x=1'", "target is
/// required", "invalid mount config for type \"bind\": bind source path does
/// not exist: /missing", …
volumes::MountSpec parse_mount_flag(const std::string& value);

/// Parses one `--tmpfs` value: "/path[:OPTIONS]" where OPTIONS is a
/// comma-separated list of `size=64m`, `mode=1777` (octal), `ro`/`rw`, and
/// docker's defaults `noexec`, `nosuid`, `nodev`. Throws kubik::Error (125)
/// naming the bad option.
volumes::MountSpec parse_tmpfs_flag(const std::string& value);

/// A path cleaned the way Go's path.Clean does it: "/a/../b/" → "/b",
/// "//x/./y" → "/x/y", "" → ".".
std::string clean_path(const std::string& path);

/// The checks of docker's daemon over all of a container's mounts: cleans
/// every target (and bind source), refuses a target that is "/"
/// ("invalid specification: destination can't be '/'") or not absolute, two
/// mounts on one target ("Duplicate mount point: /data"), a bind source that
/// isn't absolute, and a missing bind source unless create_source (-v).
void check_mounts(std::vector<volumes::MountSpec>& mounts);

} // namespace kubik::cli
