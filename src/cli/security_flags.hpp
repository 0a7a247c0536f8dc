// `run`'s lesson-8 flags, checked before anything is made: --privileged,
// --cap-add, --cap-drop, --security-opt, --read-only, --group-add.
//
// As the docker CLI does, a seccomp profile file is read here, on the
// client, and its text travels with the container (docker sends it to the
// daemon in HostConfig.SecurityOpt): the container starts the same even if
// the file changes or goes later. It is also parsed here once, so that a
// broken profile is 125 before a container exists.
#pragma once

#include "container/security_options.hpp"

#include <string>
#include <vector>

namespace kubik::cli {

/// The flags as `run` got them.
struct SecurityFlags {
    bool privileged = false;                ///< --privileged
    bool read_only = false;                 ///< --read-only
    std::vector<std::string> cap_add;       ///< --cap-add
    std::vector<std::string> cap_drop;      ///< --cap-drop
    std::vector<std::string> security_opt;  ///< --security-opt
    std::vector<std::string> group_add;     ///< --group-add
};

/// Throws kubik::Error (125) with docker's words: `invalid CapAdd: unknown
/// capability: "CAP_X"`, `Invalid --security-opt: "x"`, `opening seccomp
/// profile (F) failed: …`, or the profile's own error naming the file.
SecurityOptions parse_security_flags(const SecurityFlags& flags);

} // namespace kubik::cli
