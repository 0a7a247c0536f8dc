// Which user namespace this process is in.
#pragma once

namespace kubik {

/// Whether this process is in the host's (initial) user namespace, whose
/// map gives every id to itself ("0 0 4294967295"); false in a rootless
/// kubik's namespace (rootless/rootless_mode.hpp).
bool in_initial_user_namespace();

} // namespace kubik
