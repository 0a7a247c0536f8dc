// A container's cgroup with docker's device rules on top (lesson 8).
//
// The rules belong to src, not to lesson 3's Cgroup: this wraps the
// student's cgroup and adds the device part in the same calls, so every
// path that makes, joins or removes a container's cgroup (run, exec, the
// monitor's end, rm -f) handles both. On v1 that is one more directory, in
// the devices hierarchy; on v2 it is an eBPF program attached to the
// container's own directory, which goes when the directory goes
// (security/device_rules.hpp).
#pragma once

#include "cgroup.hpp"
#include "container/security_options.hpp"

#include <filesystem>
#include <memory>

namespace kubik {

/// The container's cgroup at `relative` (PARENT/ID): lesson 3's, with the
/// device rules applied at create() unless `security` is null (a cgroup
/// opened only to join or remove it) or --privileged. Throws NotImplemented
/// while lesson 3 is a stub, as open_cgroup() does.
std::unique_ptr<cgroups::Cgroup> open_container_cgroup(const std::filesystem::path& relative,
                                                       const SecurityOptions* security);

} // namespace kubik
