// Rootless kubik: whether this kubik runs for an ordinary user, and where
// such a kubik keeps its state.
//
// A kubik started by an ordinary user enters its user's "rootless
// namespaces" first (user_namespace_host.hpp): a user namespace in which the
// user is root, with a mount and a network namespace of its own. In there
// kubik runs exactly as it does for root, except for what a user namespace
// can't do (rootless_cgroup.hpp, host_devices.hpp, port_relay.hpp):
//
//   root's kubik        state /var/lib/kubik           locks /run/kubik
//   a user's kubik      state $XDG_DATA_HOME/kubik     locks $XDG_RUNTIME_DIR/kubik
//                       (~/.local/share/kubik)         (docker rootless's layout)
#pragma once

#include <filesystem>
#include <string>

namespace kubik::rootless {

/// Whether this process was started by an ordinary user (real uid not 0)
/// and has not entered its rootless namespaces yet.
bool started_by_user();

/// Whether this process runs inside a user's rootless namespaces (it or a
/// parent entered them): uid 0 here is the user on the host. Read once a
/// process (/proc/self/uid_map); asked on every start, so kept after.
bool inside();

/// Tells inside() that this process has just entered its rootless
/// namespaces (user_namespace_host.cpp), so the kept answer is true.
void note_inside();

/// The directory of the host-wide locks (network.lock, ports.lock):
/// /run/kubik for root, the user's runtime directory inside.
std::filesystem::path locks_dir();

/// The user's runtime directory for kubik, made 0700 if missing:
/// $XDG_RUNTIME_DIR/kubik, else /run/user/UID/kubik when that directory is
/// the user's, else /tmp/kubik-UID. Throws kubik::Error when it exists but
/// belongs to someone else.
std::filesystem::path user_run_dir();

/// The user's default state root: $XDG_DATA_HOME/kubik, else
/// $HOME/.local/share/kubik. Throws kubik::Error when neither is set.
std::filesystem::path user_state_root();

/// The environment variable that carries the runtime directory into the
/// processes kubik starts inside (kubik-monitor, `kubik __finish`).
inline constexpr const char* kRunDirVariable = "KUBIK_ROOTLESS_DIR";

} // namespace kubik::rootless
