// Starting a container and recording its end: the steps `kubik run` shares
// between the foreground (`run`) and the background (`run -d`) paths.
//
//   prepare_cgroup ─> start_container ─> (someone waits for init) ─> finish_container
#pragma once

#include "cgroup.hpp"
#include "container/container_store.hpp"
#include "runtime/channel.hpp"
#include "runtime/container_network.hpp"

#include <signal.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <utility>

namespace kubik {

/// A container's cgroup, removed when this object goes unless release()d:
/// a failed start leaves no cgroup behind.
class OwnedCgroup {
public:
    OwnedCgroup() = default;
    /// Owns `cgroup` (null: none, lesson 3 was skipped).
    explicit OwnedCgroup(std::unique_ptr<cgroups::Cgroup> cgroup) : cgroup_(std::move(cgroup)) {}
    /// Takes over the other's cgroup.
    OwnedCgroup(OwnedCgroup&&) = default;
    /// Takes over the other's cgroup.
    OwnedCgroup& operator=(OwnedCgroup&&) = default;
    ~OwnedCgroup();

    /// The cgroup, still owned; null when none.
    cgroups::Cgroup* get() const { return cgroup_.get(); }
    /// Hands over the cgroup: whoever takes it removes it (finish_container).
    std::unique_ptr<cgroups::Cgroup> release() { return std::move(cgroup_); }

private:
    std::unique_ptr<cgroups::Cgroup> cgroup_;
};

/// Creates the container's cgroup and writes its limits (lesson 3). While
/// lesson 3 is a stub, skipped with a notice, or an error if limits were asked for.
OwnedCgroup prepare_cgroup(const ContainerSpec& spec);

/// The namespaces to create besides the mount namespace (lesson 2), or 0
/// while lesson 2 is a stub (an error with --hostname). --network host and
/// container:NAME get no network namespace of their own.
int container_namespace_flags(const ContainerSpec& spec);

/// Blocks signals for the lifetime of the object, so that they queue for a
/// signalfd instead of running handlers; restores the old mask after.
class BlockedSignals {
public:
    /// Blocks the signals of `set`, besides those already blocked.
    explicit BlockedSignals(const sigset_t& set) { sigprocmask(SIG_BLOCK, &set, &old_); }
    ~BlockedSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;

private:
    sigset_t old_;
};

/// The container's first process (PID 1 inside), from clone until someone
/// takes it over: unless released, the destructor SIGKILLs and reaps it, so
/// an error between clone and the handover leaves no container running.
class ContainerInit {
public:
    ContainerInit() = default;
    /// Owns child process `pid`.
    explicit ContainerInit(pid_t pid) : pid_(pid) {}
    /// Takes over the other's process; the other owns none after.
    ContainerInit(ContainerInit&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}
    /// Kills and reaps the process it owns, if any, then takes over the other's.
    ContainerInit& operator=(ContainerInit&& other) noexcept;
    ContainerInit(const ContainerInit&) = delete;
    ContainerInit& operator=(const ContainerInit&) = delete;
    ~ContainerInit() { kill(); }

    /// Its pid as the host numbers it; -1 when none.
    pid_t pid() const { return pid_; }
    /// Waits for it to exit and returns its wait status; owns nothing after.
    int wait();
    /// Gives it up (reaped by someone else, or handed to the monitor).
    pid_t release() { return std::exchange(pid_, -1); }

private:
    void kill() noexcept;
    pid_t pid_ = -1;
};

/// A container that start_container() has let go.
struct StartedContainer {
    ContainerInit init; ///< its first process
    Channel channel;    ///< the parent's end; reports errors until exec
};

/// Clones the container's first process into new namespaces, puts it in
/// `cgroup`, connects it to its network (`network`, lesson 6), and lets it
/// go. The child inherits this process's stdout and stderr; its stdin is
/// `stdin_fd` (or ours, when -1). Expects SIGCHLD to be blocked by the
/// caller, who then waits for `init`.
StartedContainer start_container(const ContainerSpec& spec, const ContainerPaths& paths,
                                 cgroups::Cgroup* cgroup, int ns_flags, int stdin_fd, const GoMessage& go,
                                 ContainerNetwork& network);

/// Records that the container ended (exit code, OOM kill, finish time),
/// gives back its network (lease, rules, hosts line), removes its cgroup,
/// and with --rm the whole container. `error` is the
/// report of a container that could not start: it is removed too (docker
/// would keep it as "Created"; kubik leaves no half-made state behind).
/// The record is re-read and saved under the container's lock; when that
/// fails (a damaged or removed state file), the cgroup still goes.
/// Returns docker's exit code.
int finish_container(const ContainerStore& store, const ContainerInfo& info, cgroups::Cgroup* cgroup,
                     int wait_status, const std::optional<ContainerReport>& error);

/// `kubik run` in the foreground: relays the terminal, forwards signals,
/// returns the exit code.
int run_foreground(const ContainerStore& store, ContainerRecord& record);

/// `kubik run -d`: hands the container to a monitor process and returns 0
/// once it runs (printing its id), or the start error's exit code.
int run_detached(const ContainerStore& store, ContainerRecord& record);

/// `kubik __finish ROOT ID WAIT_STATUS CGROUP`, exec'd by kubik-monitor when
/// the container's init has exited: finish_container() for a detached
/// container. CGROUP (PARENT/ID) comes from the monitor's own arguments, so
/// the cgroup is removed even when the state file can't be read.
int finish_main(int argc, char** argv);

} // namespace kubik
