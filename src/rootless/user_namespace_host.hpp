// The user's rootless namespaces, held by one process: kubik-rootless.
//
// An ordinary user can't mount, make a bridge or write nftables rules on the
// host. In a user namespace of their own they can: there they are root
// (uid 0 is their uid on the host, uids 1... are the ids /etc/subuid gives
// them), with every capability over the namespaces that user namespace owns.
// Docker rootless (rootlesskit) and podman keep one such set of namespaces
// per user and run everything in it; so does kubik:
//
//   kubik-rootless   PID of its own, started by the first kubik of the user
//     user ns        0 -> the user's uid, 1..N -> the /etc/subuid range
//     mount ns       the containers' overlays and binds, hidden from the host
//     network ns     lesson 6's bridges and nftables table, as on the host;
//                    slirp4netns gives it a way out (tap0); -p's host side
//                    is kubik-hostports (host_listener.hpp), outside it
//
// Every later kubik of the user joins these with setns(2), so a container
// `run -d` by one kubik is there for the next (`exec`, `stop`, `rm`). A
// namespace lives while a process is in it: kubik-rootless is that process
// (and -p's relay, port_relay.hpp). It runs until killed (SIGTERM), like
// podman's pause process; kubik-hostports, its parent, and slirp4netns (its
// --exit-fd is kubik-rootless's pipe) go with it.
//
// The maps can't be written by the user: a process may map only its own uid
// into a new user namespace. newuidmap and newgidmap (setuid root, Debian's
// uidmap package) write the /etc/subuid and /etc/subgid ranges instead.
#pragma once

#include <sys/types.h>

#include <filesystem>

namespace kubik::rootless {

/// Joins the user's rootless namespaces (user, then mount, then network),
/// starting kubik-rootless and slirp4netns first when no kubik-rootless of
/// this user runs. Must be called while the process has one thread
/// (setns(2) refuses a user namespace to a threaded process). Afterwards uid 0
/// is the user, the working directory is the one it was, and
/// KUBIK_ROOTLESS_DIR names the user's runtime directory. Throws
/// kubik::Error naming what is missing (a subuid range, newuidmap).
void enter_rootless_namespaces();

/// The pid of the user's kubik-rootless, according to `run_dir`'s pid file,
/// or 0 when it doesn't run.
pid_t rootless_holder(const std::filesystem::path& run_dir);

/// The files of a user's runtime directory that kubik-rootless and
/// slirp4netns use.
struct RootlessFiles {
    /// The files below `run_dir` (rootless_mode.hpp's user_run_dir()).
    explicit RootlessFiles(const std::filesystem::path& run_dir);
    std::filesystem::path lock;         ///< held while kubik-rootless is found or started
    std::filesystem::path holder_pid;   ///< kubik-rootless's pid
    std::filesystem::path ports_socket; ///< kubik-rootless's control socket (port_relay.hpp)
    std::filesystem::path slirp_log;    ///< slirp4netns's output
};

} // namespace kubik::rootless
