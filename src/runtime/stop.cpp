#include "runtime/stop.hpp"

#include "cgroup.hpp"
#include "core/not_implemented.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>

namespace kubik {

bool wait_for_exit(pid_t pid, uint64_t start_time, std::chrono::milliseconds timeout) {
    if (pid <= 0) return true;
    // A pidfd names one process for good: it can't be confused with a later
    // process that reuses the number, and poll() says when it exits.
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) return true; // no such process
    if (process_start_time(pid) != start_time) return true; // the number was reused
    struct pollfd pfd{pidfd.get(), POLLIN, 0};
    return ::poll(&pfd, 1, static_cast<int>(timeout.count())) > 0;
}

void signal_container(const ContainerInfo& info, int sig) {
    if (!info.running())
        throw Error("cannot kill container " + info.spec.name + ": container " + info.spec.id + " is not running",
                    kExitGeneric);
    if (::kill(info.state.pid, sig) != 0) throw_errno("kill container " + info.spec.name);
}

void stop_container(const ContainerInfo& info, std::chrono::seconds grace) {
    using namespace std::chrono_literals;
    if (info.running()) {
        ::kill(info.state.pid, SIGTERM);
        if (!wait_for_exit(info.state.pid, info.state.pid_start_time, grace)) {
            ::kill(info.state.pid, SIGKILL);
            wait_for_exit(info.state.pid, info.state.pid_start_time, 10s);
        }
    }
    // The monitor (or `kubik run`) records the exit, then exits itself.
    wait_for_exit(info.state.monitor_pid, info.state.monitor_start_time, 10s);
}

void remove_container(const ContainerStore& store, const ContainerInfo& info, bool force) {
    using namespace std::chrono_literals;
    if (info.running()) {
        if (!force)
            throw Error("cannot remove container \"" + info.spec.name + "\": container is running: stop the "
                        "container before removing or force remove", kExitGeneric);
        ::kill(info.state.pid, SIGKILL);
        wait_for_exit(info.state.pid, info.state.pid_start_time, 10s);
        wait_for_exit(info.state.monitor_pid, info.state.monitor_start_time, 10s);
    }
    // A container whose kubik or monitor was killed leaves its cgroup behind.
    try {
        auto cgroup = cgroups::open_cgroup(cgroups::detect_layout(), info.spec.cgroup_path());
        for (pid_t pid : cgroup->processes()) ::kill(pid, SIGKILL);
        cgroup->remove();
    } catch (const NotImplemented&) {
    }
    store.remove(info);
}

} // namespace kubik
