#include "runtime/launch.hpp"

#include "namespaces.hpp"
#include "process.hpp"
#include "runtime/container_init.hpp"
#include "runtime/lesson_step.hpp"

#include <linux/sched.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

namespace kubik {
namespace {

// [docs:clone-into-namespaces]
// clone3(2) like fork(), but the child starts in new namespaces. glibc has
// no wrapper; the child continues right here with a copy of our memory.
pid_t clone_into_namespaces(int flags) {
    struct clone_args args {};
    args.flags = static_cast<uint64_t>(flags);
    args.exit_signal = SIGCHLD;
    return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}
// [docs:clone-into-namespaces end]

const char* first_limit_flag(const cgroups::CgroupLimits& limits) {
    if (limits.memory) return "--memory";
    if (limits.memory_swap) return "--memory-swap";
    if (limits.cpus) return "--cpus";
    if (limits.pids) return "--pids-limit";
    return nullptr;
}

} // namespace

OwnedCgroup::~OwnedCgroup() {
    if (!cgroup_) return;
    try {
        cgroup_->remove();
    } catch (const std::exception& e) {
        std::cerr << "kubik: warning: " << e.what() << "\n";
    }
}

OwnedCgroup prepare_cgroup(const ContainerSpec& spec) {
    OwnedCgroup owned;
    lesson_step(
        [&] {
            auto cgroup = cgroups::open_cgroup(cgroups::detect_layout(), spec.cgroup_path());
            cgroup->create();
            owned = OwnedCgroup(std::move(cgroup)); // from here on, removed on failure
            owned.get()->apply(spec.limits);
        },
        first_limit_flag(spec.limits));
    return owned;
}

int container_namespace_flags(const ContainerSpec& spec) {
    int flags = 0;
    lesson_step([&] { flags = ns::namespace_clone_flags(); }, spec.hostname_given ? "--hostname" : nullptr);
    return flags;
}

StartedContainer start_container(const ContainerSpec& spec, const ContainerPaths& paths,
                                 cgroups::Cgroup* cgroup, int ns_flags, int stdin_fd, const GoMessage& go) {
    StartedContainer started;
    started.channel = Channel::create();
    started.init = clone_into_namespaces(CLONE_NEWNS | ns_flags);
    if (started.init < 0) throw_errno("clone the container's first process");
    if (started.init == 0) container_main({spec, paths, started.channel, ns_flags, stdin_fd});

    started.channel.close_child_end();
    try {
        // Into the cgroup before it may run anything: every process it
        // starts is then born inside, under the limits.
        if (cgroup) cgroup->add_process(started.init);
        started.channel.send_go(go);
    } catch (...) {
        ::kill(started.init, SIGKILL);
        while (::waitpid(started.init, nullptr, 0) < 0 && errno == EINTR) {}
        throw;
    }
    return started;
}

int finish_container(const ContainerStore& store, ContainerInfo& info, cgroups::Cgroup* cgroup,
                     int wait_status, const std::optional<ContainerReport>& error) {
    int code = error ? error->exit_code : process::exit_code_from_wait_status(wait_status);
    // A --rm container, or one that never ran (bad input, not history), is
    // removed below: there is no final state to read or record.
    const bool kept = !error && !info.spec.remove;
    if (kept) {
        bool oom = false;
        if (cgroup) {
            try {
                oom = cgroup->oom_killed();
            } catch (const NotImplemented&) {
            }
        }
        ContainerLock lock(store.paths(info.spec.id).dir);
        info.state.status = "exited";
        info.state.pid = 0; // as docker shows it: no process any more
        info.state.exit_code = code;
        info.state.oom_killed = oom;
        info.state.finished_at = now_rfc3339();
        store.save(info, /*durable=*/true);
    }
    if (cgroup) {
        try {
            cgroup->remove();
        } catch (const std::exception& e) {
            std::cerr << "kubik: warning: " << e.what() << "\n";
        }
    }
    if (!kept) store.remove(info);
    return code;
}

} // namespace kubik
