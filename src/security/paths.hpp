// Which paths of /proc and /sys a container may not see or not change:
// docker's lists (moby's oci/defaults.go).
//
// Masked paths let the host's kernel be read or poked from inside: its
// memory (/proc/kcore), other users' keys (/proc/keys), timer and
// scheduler internals that help side channels, firmware tables. Read-only
// paths are the host's kernel settings (/proc/sys: writing one changes it
// for every container and the host, since most sysctls are not
// namespaced) and its triggers (/proc/sysrq-trigger reboots the host).
// --privileged has neither list, as in docker.
#pragma once

#include "container/security_options.hpp"

#include <string>
#include <vector>

namespace kubik::security {

/// docker's masked paths, or none for --privileged.
std::vector<std::string> masked_paths(const SecurityOptions& options);

/// docker's read-only paths, or none for --privileged.
std::vector<std::string> read_only_paths(const SecurityOptions& options);

} // namespace kubik::security
