// `kubik run -d`: the container keeps running after kubik returns.
//
// Someone must stay behind to wait for the container's init, collect its exit
// status and write its output to the log: a small monitor process, like
// conmon (podman) or containerd-shim (docker). It is made by a double fork —
// fork, setsid, fork again — so it belongs to no terminal and no session of
// the user's, and the host's init adopts it when kubik returns. Once the
// container runs, the process execs kubik-monitor (src/monitor/): exec keeps
// its children (the container's init stays its child) but drops the memory
// of the start path, so what stays behind is small.
#include "runtime/launch.hpp"
#include "runtime/device_cgroup.hpp"

#include "runtime/lesson_step.hpp"
#include "core/write_all.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

namespace kubik {
namespace {

// The monitor receives the container's output on these descriptors.
constexpr int kMonitorStdout = 3; // or the pty master, with -t
constexpr int kMonitorStderr = 4;

// Reports to `kubik run -d` how the start went: "0 " or "CODE MESSAGE",
// ended by a NUL. The reader can't wait for end-of-file instead: the
// container's init is a fork of this process and holds a copy of the pipe.
void report_start(int fd, int code, const std::string& message) {
    std::string text = std::to_string(code) + " " + message;
    write_all(fd, text.c_str(), text.size() + 1);
}

/// Runs in the monitor before its exec: starts the container with its
/// output going to pipes, waits until exec happened, then becomes the
/// monitor proper. Returns only if that failed (reported on `ready_fd`).
void start_monitored(const ContainerStore& store, ContainerRecord& record, OwnedCgroup cgroup, int ready_fd) {
    ContainerInfo& info = record.info();
    const ContainerSpec& spec = info.spec;
    try {
        int ns_flags = container_namespace_flags(spec);
        UniqueFd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
        if (!dev_null) throw_errno("open /dev/null");
        // Let go of the user's terminal: neither the monitor nor the
        // container's init may hold it open after `kubik run -d` returns.
        ::dup2(dev_null.get(), STDIN_FILENO);

        // The container's init inherits our stdout and stderr. Without -t
        // make them the write ends of two pipes, whose read ends the monitor
        // logs; with -t the command writes to the pty, and init must not keep
        // the user's stdout open (`id=$(kubik run -dt ...)` would wait for it).
        int out[2] = {-1, -1}, err[2] = {-1, -1};
        if (spec.tty) {
            ::dup2(dev_null.get(), STDOUT_FILENO);
            ::dup2(dev_null.get(), STDERR_FILENO);
        } else {
            if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
                throw_errno("pipe for the container's output");
            if (::dup2(out[1], STDOUT_FILENO) < 0 || ::dup2(err[1], STDERR_FILENO) < 0)
                throw_errno("dup2 the container's output");
        }

        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, nullptr); // kept across exec: the monitor reads it from a signalfd
        // Its address and /etc files (lesson 6); given back unless handed over.
        ContainerNetwork network(store.root(), record.paths(), info.spec, ns_flags);
        StartedContainer started =
            start_container(spec, record.paths(), cgroup.get(), ns_flags, dev_null.get(), {}, network);

        // Only the container may hold the write ends now, so the monitor sees
        // end-of-file exactly when the container's last process is gone.
        ::dup2(dev_null.get(), STDOUT_FILENO);
        ::dup2(dev_null.get(), STDERR_FILENO);
        if (!spec.tty) {
            ::close(out[1]);
            ::close(err[1]);
        }

        UniqueFd master;
        std::optional<ContainerReport> error;
        while (auto report = started.channel.receive()) {
            if (report->kind == ContainerReport::Terminal) master = std::move(report->fd);
            else if (!error) error = std::move(report);
        }
        if (error) {
            int status = started.init.wait();
            record.keep();
            auto cg = cgroup.release();
            network.hand_over(); // finish_container gives it back
            finish_container(store, info, cg.get(), status, error);
            // Only now: `kubik run -d` returns, and nothing of the container is left.
            report_start(ready_fd, error->exit_code, error->message);
            ::_exit(0);
        }

        info.state.status = "running";
        info.state.pid = started.init.pid();
        info.state.pid_start_time = process_start_time(info.state.pid);
        info.state.monitor_pid = ::getpid();
        info.state.monitor_start_time = process_start_time(::getpid());
        info.state.started_at = now_rfc3339();
        record.save(/*durable=*/true);
        record.unlock();
        record.keep();
        cgroup.release(); // the monitor reopens and removes it at the end
        network.hand_over(); // recorded with the container: its __finish gives it back

        // The container runs: `kubik run -d` may print its id and return.
        report_start(ready_fd, 0, "");
        ::close(ready_fd);

        // Hand the output descriptors to the monitor at fixed numbers. Move
        // them out of the way first: a source may already sit on 3 or 4.
        int log_out = ::fcntl(spec.tty ? master.get() : out[0], F_DUPFD_CLOEXEC, 10);
        int log_err = ::fcntl(spec.tty ? dev_null.get() : err[0], F_DUPFD_CLOEXEC, 10);
        // dup2 clears close-on-exec on the copy, so these survive the exec.
        if (log_out < 0 || log_err < 0 || ::dup2(log_out, kMonitorStdout) < 0 ||
            ::dup2(log_err, kMonitorStderr) < 0)
            throw_errno("pass the container's output to the monitor");
        ::close_range(kMonitorStderr + 1, ~0U, CLOSE_RANGE_CLOEXEC); // the monitor keeps only 0-4

        // kubik-monitor is installed beside kubik; it execs kubik again
        // (`__finish`) when the container is gone.
        auto kubik = std::filesystem::read_symlink("/proc/self/exe");
        auto monitor = kubik.parent_path() / "kubik-monitor";
        std::string root = store.root().string(), pid = std::to_string(info.state.pid);
        // "": no cgroup to remove at the end (a rootless kubik without one).
        std::string cgroup_path = spec.has_cgroup() ? spec.cgroup_path().string() : "";
        const char* argv[] = {"kubik-monitor", kubik.c_str(), root.c_str(), spec.id.c_str(), pid.c_str(),
                              cgroup_path.c_str(), nullptr};
        ::execv(monitor.c_str(), const_cast<char* const*>(argv));
        throw_errno("exec " + monitor.string());
    } catch (const Error& e) {
        report_start(ready_fd, e.exit_code(), e.what());
    } catch (const std::exception& e) {
        report_start(ready_fd, kExitRuntimeError, e.what());
    }
    // Nothing runs: `started` (if it got that far) has killed the init. The
    // cgroup goes with `cgroup`'s destructor on return; the record is a copy
    // of the parent's, whose destructor never runs here.
    store.remove(info);
}

} // namespace

int run_detached(const ContainerStore& store, ContainerRecord& record) {
    OwnedCgroup cgroup = prepare_cgroup(record.spec());
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) throw_errno("pipe");
    UniqueFd ready_read(ready[0]), ready_write(ready[1]);

    pid_t first = ::fork();
    if (first < 0) throw_errno("fork the monitor");
    if (first == 0) {
        ready_read.reset();
        ::setsid(); // no controlling terminal: the user's Ctrl-C does not reach it
        pid_t monitor = ::fork();
        if (monitor != 0) ::_exit(monitor < 0 ? 1 : 0);
        start_monitored(store, record, std::move(cgroup), ready_write.get());
        ::_exit(kExitRuntimeError);
    }
    ready_write.reset();
    while (::waitpid(first, nullptr, 0) < 0 && errno == EINTR) {}

    std::string answer;
    char buf[4096];
    ssize_t n;
    while (answer.find('\0') == std::string::npos &&
           ((n = ::read(ready_read.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0) answer.append(buf, static_cast<size_t>(n));
    // No answer: the monitor died before it took the container over, and
    // `record` and `cgroup` remove what it left while this error unwinds.
    if (answer.find('\0') == std::string::npos)
        throw Error("the monitor process died before the container started");
    // An answer: the monitor owns the container and its cgroup now, or has
    // removed both already (a start error).
    record.keep();
    cgroup.release(); // drops our handle without removing the group
    answer.resize(answer.find('\0'));
    int code = std::atoi(answer.c_str());
    if (code != 0) {
        // The monitor has cleaned up and is exiting; wait until its end of
        // the pipe closes (its init is gone, so it holds the last copy), or
        // the caller may still see a `kubik` process after we return.
        while ((n = ::read(ready_read.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {}
        std::cerr << "kubik: " << answer.substr(answer.find(' ') + 1) << "\n";
        return code;
    }
    record.mark_started();
    std::cout << record.spec().id << "\n";
    return 0;
}

int finish_main(int argc, char** argv) {
    if (argc != 6) return kExitRuntimeError;
    ContainerStore store(argv[2]);
    const std::string id = argv[3];
    const std::filesystem::path cgroup_path = argv[5];
    std::unique_ptr<cgroups::Cgroup> cgroup;
    // Only ever a container's own group, PARENT/ID.
    if (cgroup_path.filename() == id) {
        try {
            cgroup = open_container_cgroup(cgroup_path, nullptr);
        } catch (const std::exception&) {
        }
    }
    std::optional<ContainerInfo> info;
    try {
        info = store.load(id);
    } catch (const std::exception&) {
        // Removed meanwhile (rm -f), or its state can't be read: nothing to
        // record, but its cgroup must not outlive it.
    }
    if (info) {
        finish_container(store, *info, cgroup.get(), std::atoi(argv[4]), std::nullopt);
    } else if (cgroup) {
        try {
            cgroup->remove();
        } catch (const std::exception&) {
        }
    }
    return 0;
}

} // namespace kubik
