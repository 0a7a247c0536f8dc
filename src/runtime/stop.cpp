#include "runtime/stop.hpp"

#include "cgroup.hpp"
#include "core/not_implemented.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>

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

void stop_container(const ContainerInfo& info, std::chrono::seconds grace) {
    using namespace std::chrono_literals;
    UniqueFd init = open_process(info.state.pid, info.state.pid_start_time);
    // init passes SIGTERM on to the command; SIGKILL it can't catch, and
    // when PID 1 dies the kernel kills the rest of its PID namespace.
    if (send_signal(init, SIGTERM) && !wait_exit(init, grace)) {
        send_signal(init, SIGKILL);
        wait_exit(init, 10s);
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
        UniqueFd init = open_process(info.state.pid, info.state.pid_start_time);
        send_signal(init, SIGKILL);
        wait_exit(init, 10s);
        wait_for_exit(info.state.monitor_pid, info.state.monitor_start_time, 10s);
    }
    // A container whose kubik or monitor was killed leaves its cgroup behind;
    // whatever is still in it belongs to this container and goes too.
    try {
        auto cgroup = cgroups::open_cgroup(cgroups::detect_layout(), info.spec.cgroup_path());
        for (pid_t pid : cgroup->processes()) ::kill(pid, SIGKILL);
        cgroup->remove();
    } catch (const NotImplemented&) {
    }
    store.remove(info);
}

} // namespace kubik
