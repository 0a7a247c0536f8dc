// The container's side of the start pipeline: what runs between clone() and exec.
#pragma once

#include "container/container_spec.hpp"
#include "container/container_store.hpp"
#include "runtime/channel.hpp"
#include "security/seccomp_cache.hpp"

namespace kubik {

/// What the container's first process needs: the parent's objects, which
/// clone() copied into the child's memory.
struct InitContext {
    const ContainerSpec& spec; ///< what to run
    const ContainerPaths& paths; ///< the container's directory: rootfs, upper, work
    Channel& channel;    ///< errors and the terminal go to the parent through it
    int namespace_flags; ///< the CLONE_NEW* flags the container was created with
    int stdin_fd;        ///< the command's stdin when not -i/-t (/dev/null), else -1
    int netns_fd;        ///< --network container:NAME: the other's network namespace, else -1
    /// The seccomp filter, compiled by the parent before clone; null: none.
    const security::CompiledSeccomp* seccomp = nullptr;
};

/// The first process of the container (PID 1 in its PID namespace). Sets up
/// the root filesystem and namespaces, forks the command, and then is the
/// container's init. Never returns: exits with the command's exit code, or
/// reports an error over the channel and exits 125/126/127.
[[noreturn]] void container_main(const InitContext& ctx) noexcept;

/// PID 1's work once `command` runs (the container's init, and `kubik exec`'s
/// stand-in parent): lesson 2's run_init(). While that is a stub, a bare
/// stand-in keeps lesson 0's promises (signals reach the command, its exit
/// code comes back) but reaps no orphans: that is lesson 2's job. Expects
/// the signals blocked (sigwaitinfo). Returns the command's exit code.
int supervise(pid_t command);

} // namespace kubik
