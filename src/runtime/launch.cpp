#include "runtime/launch.hpp"

#include "namespaces.hpp"
#include "runtime/device_cgroup.hpp"
#include "process.hpp"
#include "runtime/container_init.hpp"
#include "runtime/lesson_step.hpp"
#include "security/capabilities.hpp"
#include "security/seccomp_cache.hpp"
#include "rootless/rootless_cgroup.hpp"
#include "volume/volume_store.hpp"

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
    // A rootless kubik with no delegated cgroup (rootless_cgroup.hpp).
    if (!spec.has_cgroup()) {
        if (const char* flag = first_limit_flag(spec.limits))
            throw Error(std::string(flag) + ": a rootless kubik puts limits in a cgroup, and " +
                        rootless::no_delegation_reason());
        return owned;
    }
    lesson_step(
        [&] {
            auto cgroup = open_container_cgroup(spec.cgroup_path(), &spec.security);
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
    // The host's network namespace, or the other container's (joined by
    // setns in the child): none of its own.
    if (spec.network_mode == NetworkMode::Host || spec.network_mode == NetworkMode::Container)
        flags &= ~CLONE_NEWNET;
    return flags;
}

ContainerInit& ContainerInit::operator=(ContainerInit&& other) noexcept {
    if (this != &other) {
        kill();
        pid_ = std::exchange(other.pid_, -1);
    }
    return *this;
}

void ContainerInit::kill() noexcept {
    if (pid_ <= 0) return;
    // PID 1 of a PID namespace takes every other process of it along.
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
    pid_ = -1;
}

int ContainerInit::wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    pid_ = -1;
    return status;
}

StartedContainer start_container(const ContainerSpec& spec, const ContainerPaths& paths,
                                 cgroups::Cgroup* cgroup, int ns_flags, int stdin_fd, const GoMessage& go,
                                 ContainerNetwork& network) {
    StartedContainer started;
    // Lesson 8's filter, compiled here or read from the state root's cache:
    // the container gets it with its copy of our memory.
    const auto seccomp = security::compiled_seccomp_for(
        spec.security, security::bounding_capabilities(spec.security), security::seccomp_cache_dir(paths.dir));
    started.channel = Channel::create();
    pid_t pid = clone_into_namespaces(CLONE_NEWNS | ns_flags);
    if (pid < 0) throw_errno("clone the container's first process");
    if (pid == 0)
        container_main({spec, paths, started.channel, ns_flags, stdin_fd, network.netns_fd(), seccomp ? &*seccomp : nullptr});
    started.init = ContainerInit(pid); // from here on, killed if anything fails

    started.channel.close_child_end();
    // Into the cgroup before it may run anything: every process it starts
    // is then born inside, under the limits.
    if (cgroup) cgroup->add_process(pid);
    // The child waits for go: its namespace exists, its command does not
    // run yet, so eth0 is there before anything in it can look.
    GoMessage message = go;
    network.connect(pid, message);
    started.channel.send_go(message);
    return started;
}

namespace {

void warn(const std::string& what) noexcept {
    try {
        std::cerr << "kubik: warning: " << what << "\n";
    } catch (...) {
    }
}

} // namespace

int finish_container(const ContainerStore& store, const ContainerInfo& info, cgroups::Cgroup* cgroup,
                     int wait_status, const std::optional<ContainerReport>& error) {
    int code = error ? error->exit_code : process::exit_code_from_wait_status(wait_status);
    // A --rm container, or one that never ran (bad input, not history), is
    // removed below: there is no final state to read or record.
    const bool kept = !error && !info.spec.remove;
    // Read before the directory may go (--rm): see remove_host_veth().
    const bool joined = network_joined(store.paths(info.spec.id).dir);
    // First the network: its address may go to the next container at once.
    release_container_network(store.root(), info.spec);
    if (kept) {
        bool oom = false;
        if (cgroup) {
            try {
                oom = cgroup->oom_killed();
            } catch (const std::exception&) {
            }
        }
        const auto dir = store.paths(info.spec.id).dir;
        try {
            // Re-read under the lock: whatever another command recorded
            // meanwhile stays; only the end is added.
            ContainerLock lock(dir);
            ContainerInfo current = store.load(info.spec.id);
            current.state.status = "exited";
            current.state.pid = 0; // as docker shows it: no process any more
            current.state.exit_code = code;
            current.state.oom_killed = oom;
            current.state.finished_at = now_rfc3339();
            current.spec.lease.reset(); // given back above: a stopped container has no address
            store.save(current, /*durable=*/true);
        } catch (const std::exception& e) {
            // Removed meanwhile (rm -f) is no news; anything else is said,
            // and the cgroup goes all the same.
            std::error_code ec;
            if (std::filesystem::exists(dir, ec)) warn("record the end of container " + info.spec.id + ": " + e.what());
        }
    }
    if (cgroup) {
        try {
            cgroup->remove();
        } catch (const std::exception& e) {
            warn(e.what());
        }
    }
    if (!kept) {
        store.remove(info);
        // Docker's --rm takes the container's anonymous volumes along; a
        // container that never started made them for nothing.
        VolumeStore(store.root()).remove_anonymous(info.spec.mounts);
    }
    // A namespace another container joined lives on: its veth must go.
    if (joined) remove_host_veth(info.spec);
    return code;
}

} // namespace kubik
