// Cgroups for a rootless kubik: only in a subtree delegated to the user.
//
// cgroupfs is root's; a user may make groups only where root (in practice
// systemd, for user@UID.service) handed a directory to them: chowned to the
// user, with the controllers enabled above it (cgroup v2's delegation,
// Documentation/admin-guide/cgroup-v2.rst, "Delegation"). cgroup v1 has no
// safe delegation, so a rootless kubik there runs containers without a
// cgroup of their own, and limits (--memory, --cpus, --pids-limit) are an
// error that says why, as docker rootless does on v1.
#pragma once

#include <string>

namespace kubik::rootless {

/// The cgroup v2 directory delegated to this user, relative to
/// /sys/fs/cgroup: the highest ancestor of this process's own cgroup whose
/// cgroup.procs the user owns. "" when there is none (cgroup v1 or hybrid,
/// nothing delegated).
std::string delegated_cgroup();

/// The cgroup parent a rootless container gets for `parent` (the
/// --cgroup-parent flag, or its default "kubik"): `parent` below the
/// delegated subtree, or "" (no cgroup) when nothing is delegated.
std::string cgroup_parent_for(const std::string& parent);

/// Why a rootless kubik has no cgroups here, for the error of a limit flag.
std::string no_delegation_reason();

} // namespace kubik::rootless
