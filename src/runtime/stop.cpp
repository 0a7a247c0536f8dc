#include "runtime/stop.hpp"

#include "cgroup.hpp"
#include "runtime/device_cgroup.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"
#include "volume/volume_store.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <optional>

namespace kubik {
namespace {

// A pidfd names one process for good: unlike a pid, it can't come to mean a
// later process that reuses the number. Opened, then checked against the
// recorded start time; invalid if the process is gone (or a zombie).
UniqueFd open_process(pid_t pid, uint64_t start_time) {
    if (pid <= 0) return UniqueFd();
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd && process_start_time(pid) != start_time) pidfd.reset();
    return pidfd;
}

bool send_signal(const UniqueFd& pidfd, int sig) {
    return pidfd && ::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) == 0;
}

// poll() says POLLIN on a pidfd once its process has exited.
bool wait_exit(const UniqueFd& pidfd, std::chrono::milliseconds timeout) {
    if (!pidfd) return true;
    struct pollfd pfd{pidfd.get(), POLLIN, 0};
    return ::poll(&pfd, 1, static_cast<int>(timeout.count())) > 0;
}

} // namespace

bool wait_for_exit(pid_t pid, uint64_t start_time, std::chrono::milliseconds timeout) {
    return wait_exit(open_process(pid, start_time), timeout);
}

void signal_container(const ContainerInfo& info, int sig) {
    UniqueFd init = open_process(info.state.pid, info.state.pid_start_time);
    if (!info.running() || !send_signal(init, sig))
        throw Error("cannot kill container " + info.spec.name + ": container " + info.spec.id + " is not running",
                    kExitGeneric);
}

void stop_container(const ContainerInfo& info, std::chrono::seconds grace, int signal) {
    using namespace std::chrono_literals;
    UniqueFd init = open_process(info.state.pid, info.state.pid_start_time);
    // init passes the stop signal on to the command; SIGKILL it can't catch,
    // and when PID 1 dies the kernel kills the rest of its PID namespace.
    if (send_signal(init, signal) && (signal == SIGKILL || !wait_exit(init, grace))) {
        send_signal(init, SIGKILL);
        wait_exit(init, 10s);
    }
    // The monitor (or `kubik run`) records the exit, then exits itself.
    wait_for_exit(info.state.monitor_pid, info.state.monitor_start_time, 10s);
}

namespace {

// The kubik processes that wait for a process of the container: its
// monitor, or `kubik run` in the foreground. They record the end and remove
// the cgroup; `rm` waits for them so that nothing is left behind it. (A
// parent that is anything else, say a subreaper that adopted an orphan, is
// not waited for.)
std::vector<std::pair<pid_t, uint64_t>> kubik_parents_of(const std::vector<pid_t>& pids) {
    std::vector<std::pair<pid_t, uint64_t>> parents;
    for (pid_t pid : pids) {
        pid_t ppid = process_parent(pid);
        if (ppid <= 1 || std::find(pids.begin(), pids.end(), ppid) != pids.end()) continue;
        std::string comm;
        try {
            comm = read_file("/proc/" + std::to_string(ppid) + "/comm");
        } catch (const Error&) {
            continue;
        }
        if (comm == "kubik\n" || comm == "kubik-monitor\n") parents.emplace_back(ppid, process_start_time(ppid));
    }
    return parents;
}

// Kills what is still in the container's cgroup (a container whose kubik or
// monitor was killed, or whose state can't be read, leaves its processes
// there), waits for whoever waits for them, and removes the cgroup.
void destroy_cgroup(const ContainerInfo& info) {
    using namespace std::chrono_literals;
    // No cgroup parent: its cgroup link was never made, nor its cgroup.
    if (info.spec.cgroup_parent.empty()) return;
    std::unique_ptr<cgroups::Cgroup> cgroup;
    try {
        cgroup = open_container_cgroup(info.spec.cgroup_path(), nullptr);
    } catch (const NotImplemented&) {
        return; // lesson 3 is a stub: kubik made no cgroup
    }
    auto pids = cgroup->processes();
    auto parents = kubik_parents_of(pids);
    if (info.state.monitor_pid > 0) parents.emplace_back(info.state.monitor_pid, info.state.monitor_start_time);
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    for (const auto& [pid, start] : parents)
        if (pid != ::getpid()) wait_for_exit(pid, start, 10s);
    cgroup->remove();
}

} // namespace

void remove_container(const ContainerStore& store, const std::string& id, bool force, bool volumes) {
    using namespace std::chrono_literals;
    const auto dir = store.paths(id).dir;
    bool killed = false;
    for (int round = 0;; ++round) {
        // The lock waits for a start in progress: what follows sees the
        // container created, running or ended, never half-started.
        std::optional<ContainerInfo> loaded;
        try {
            ContainerLock lock(dir);
            loaded = store.load_any(id);
        } catch (const Error&) {
            if (!killed) throw;
            return; // a --rm container, removed by its monitor once killed
        }
        const ContainerInfo& info = *loaded;
        if (info.running()) {
            if (!force)
                throw Error("cannot remove container \"" + info.spec.name + "\": container is running: stop the "
                            "container before removing or force remove", kExitGeneric);
            // Not under the lock: the monitor takes it to record the end.
            UniqueFd init = open_process(info.state.pid, info.state.pid_start_time);
            send_signal(init, SIGKILL);
            wait_exit(init, 10s);
            wait_for_exit(info.state.monitor_pid, info.state.monitor_start_time, 10s);
            killed = true;
            if (round < 3) continue;
        }
        destroy_cgroup(info);
        try {
            ContainerLock lock(dir);
            store.remove(info);
        } catch (const Error&) {
            if (!killed) throw;
        }
        // Only once the record is gone: until then the volumes are in use.
        if (volumes) VolumeStore(store.root()).remove_anonymous(info.spec.mounts);
        return;
    }
}

} // namespace kubik
