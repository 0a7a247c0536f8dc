#include "runtime/launch.hpp"

#include "namespaces.hpp"
#include "process.hpp"
#include "runtime/channel.hpp"
#include "runtime/container_init.hpp"
#include "runtime/lesson_step.hpp"
#include "runtime/terminal.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>

namespace kubik {
namespace {

// Signals `kubik run` passes on to the container, like docker's --sig-proxy.
// SIGCHLD tells us the container ended; SIGWINCH that the terminal was resized.
sigset_t supervised_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH})
        sigaddset(&set, sig);
    return set;
}

/// Blocks signals for the lifetime of the object, so that they queue for a
/// signalfd instead of running handlers; restores the old mask after.
class BlockedSignals {
public:
    explicit BlockedSignals(const sigset_t& set) { sigprocmask(SIG_BLOCK, &set, &old_); }
    ~BlockedSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;

private:
    sigset_t old_;
};

// clone3(2) like fork(), but the child starts in new namespaces. glibc has
// no wrapper; the child continues right here with a copy of our memory.
pid_t clone_into_namespaces(int flags) {
    struct clone_args args {};
    args.flags = static_cast<uint64_t>(flags);
    args.exit_signal = SIGCHLD;
    return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

void write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; // the reader went away; nothing sensible to do
        data += n;
        size -= static_cast<size_t>(n);
    }
}

// Copies what is available from `from` to `to`; false at end-of-file or EIO
// (a pty master reads EIO once no process holds the slave).
bool copy_available(int from, int to) {
    char buf[16384];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    write_all(to, buf, static_cast<size_t>(n));
    return true;
}

/// Everything the parent learns while the container runs.
class Supervisor {
public:
    Supervisor(pid_t init, const Channel& channel, const ContainerSpec& spec)
        : init_(init), channel_(channel), spec_(spec) {}

    /// Runs until the container's init has exited; returns its wait status.
    int wait(int signal_fd) {
        while (!init_status_) {
            struct pollfd fds[4];
            nfds_t count = 0;
            fds[count++] = {signal_fd, POLLIN, 0};
            int channel_at = -1, stdin_at = -1, master_at = -1;
            if (channel_open_) fds[channel_at = static_cast<int>(count++)] = {channel_.parent_fd(), POLLIN, 0};
            if (master_ && stdin_open_) fds[stdin_at = static_cast<int>(count++)] = {STDIN_FILENO, POLLIN, 0};
            if (master_) fds[master_at = static_cast<int>(count++)] = {master_.get(), POLLIN, 0};
            if (::poll(fds, count, -1) < 0) {
                if (errno == EINTR) continue;
                throw_errno("poll");
            }
            if (fds[0].revents) on_signal(signal_fd);
            if (channel_at >= 0 && fds[channel_at].revents) on_channel();
            if (stdin_at >= 0 && fds[stdin_at].revents) on_stdin();
            if (master_at >= 0 && fds[master_at].revents && !copy_available(master_.get(), STDOUT_FILENO))
                master_.reset();
        }
        drain();
        return *init_status_;
    }

    /// The error the container reported before exec, if any.
    const std::optional<ContainerReport>& error() const { return error_; }

private:
    void on_signal(int signal_fd) {
        struct signalfd_siginfo info;
        if (::read(signal_fd, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return;
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) {
            int status;
            if (::waitpid(init_, &status, WNOHANG) == init_) init_status_ = status;
        } else if (sig == SIGWINCH) {
            if (auto size = terminal_size(STDIN_FILENO); size && master_)
                ::ioctl(master_.get(), TIOCSWINSZ, &*size);
        } else {
            ::kill(init_, sig);
        }
    }

    void on_channel() {
        auto report = channel_.receive();
        if (!report) {
            channel_open_ = false;
        } else if (report->kind == ContainerReport::Terminal) {
            master_ = std::move(report->fd);
            // The user types into the container only with -i, as in docker.
            stdin_open_ = spec_.interactive;
        } else if (!error_) {
            error_ = std::move(report);
        }
    }

    void on_stdin() {
        char buf[4096];
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) return;
        if (n > 0) {
            write_all(master_.get(), buf, static_cast<size_t>(n));
            return;
        }
        // Our stdin ended (a pipe into `kubik run -it`): type the terminal's
        // end-of-file character, so that a reading program sees EOF too.
        stdin_open_ = false;
        write_all(master_.get(), "\x04", 1);
    }

    // After init has exited: pick up an error report still in the socket and
    // the last output still in the pty, without blocking.
    void drain() {
        while (channel_open_) {
            struct pollfd pfd{channel_.parent_fd(), POLLIN, 0};
            if (::poll(&pfd, 1, 0) <= 0) break;
            on_channel();
        }
        if (master_) {
            ::fcntl(master_.get(), F_SETFL, O_NONBLOCK);
            char buf[16384];
            ssize_t n;
            while ((n = ::read(master_.get(), buf, sizeof buf)) > 0) write_all(STDOUT_FILENO, buf, static_cast<size_t>(n));
        }
    }

    pid_t init_;
    const Channel& channel_;
    const ContainerSpec& spec_;
    std::optional<int> init_status_;
    std::optional<ContainerReport> error_;
    bool channel_open_ = true;
    bool stdin_open_ = false;
    UniqueFd master_;
};

} // namespace

int run_container(const ContainerSpec& spec, ContainerRecord& record) {
    // Lesson 2 decides which namespaces the container gets, besides the
    // mount namespace lesson 1 needs for pivot_root.
    int ns_flags = 0;
    lesson_step([&] { ns_flags = ns::namespace_clone_flags(); },
                spec.hostname_given ? "--hostname" : nullptr);

    Channel channel = Channel::create();
    // Without -i the command's stdin is /dev/null, as in docker: a command
    // that reads stdin sees end-of-file instead of stealing the user's input.
    UniqueFd dev_null;
    if (!spec.interactive && !spec.tty) {
        dev_null.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!dev_null) throw_errno("open /dev/null");
    }

    // Block before clone: a signal arriving in between is queued, not lost,
    // and the child starts with them blocked too (its init wants that).
    const sigset_t signals = supervised_signals();
    BlockedSignals blocked(signals);
    UniqueFd signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC));
    if (!signal_fd) throw_errno("signalfd");

    const ContainerPaths& paths = record.paths();
    pid_t init = clone_into_namespaces(CLONE_NEWNS | ns_flags);
    if (init < 0) throw_errno("clone the container's first process");
    if (init == 0) container_main({spec, paths, channel, ns_flags, dev_null.get()});

    channel.close_child_end();
    dev_null.reset();
    std::optional<RawMode> raw;
    GoMessage go;
    if (spec.tty) {
        if (auto size = terminal_size(STDIN_FILENO)) go.window = *size;
        else if (auto out_size = terminal_size(STDOUT_FILENO)) go.window = *out_size;
        if (spec.interactive) raw.emplace(STDIN_FILENO);
    }
    channel.send_go(go);
    // Written while the container sets itself up, so it costs no start time.
    record.write_state(spec, "running", init, std::nullopt, /*durable=*/false);

    Supervisor supervisor(init, channel, spec);
    int status = supervisor.wait(signal_fd.get());
    raw.reset(); // restore the terminal before printing anything

    if (const auto& error = supervisor.error()) {
        // A container that never ran is bad input, not history: `record`
        // is not kept, so nothing of it stays (docker would keep it as "Created").
        std::string line = "kubik: " + error->message + "\n";
        write_all(STDERR_FILENO, line.data(), line.size());
        return error->exit_code;
    }
    int code = process::exit_code_from_wait_status(status);
    if (!spec.remove) {
        record.write_state(spec, "exited", 0, code, /*durable=*/true);
        record.keep();
    }
    return code; // without keep(), the record's destructor removes the container
}

} // namespace kubik
