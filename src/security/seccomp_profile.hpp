// seccomp profiles in docker's JSON format, and kubik's default one.
//
// Docker's profile (moby profiles/seccomp) is an allow-list: every call is
// refused with EPERM but ~350 named ones, some of them only under a
// condition — on this architecture, on a kernel at least this new, when the
// container keeps this capability ("includes"), or unless it does
// ("excludes"). Those conditions are resolved here, once per container,
// against its bounding set; what the lesson's build_seccomp_filter() gets is
// a plain list of rules (SeccompProfile), the same shape runc gets from
// dockerd in the OCI spec.
#pragma once

#include "security.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kubik::security {

/// Docker's default profile (kubik's own JSON of it, compiled in), resolved for a
/// container whose bounding set is `bounding` (its "includes"/"excludes" by caps,
/// by this machine's architecture and kernel version applied).
SeccompProfile default_seccomp_profile(const std::vector<int>& bounding);

/// A profile in docker's JSON format (`--security-opt seccomp=FILE`'s text);
/// `source` names it in errors ("profile.json: …"), which are kubik::Error (125).
SeccompProfile parse_seccomp_profile(std::string_view json, const std::string& source,
                                     const std::vector<int>& bounding);

/// seccomp_load(), with an error that says what failed.
void load_seccomp_filter(const SeccompFilter& filter);

} // namespace kubik::security
