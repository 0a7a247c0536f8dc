#include "runtime/supervisor.hpp"

#include "core/error.hpp"
#include "core/write_all.hpp"
#include "runtime/terminal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace kubik {
namespace {

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

} // namespace

sigset_t supervised_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH})
        sigaddset(&set, sig);
    return set;
}

int Supervisor::wait(int signal_fd) {
    while (!child_status_) {
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
    return *child_status_;
}

void Supervisor::on_signal(int signal_fd) {
    struct signalfd_siginfo info;
    if (::read(signal_fd, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return;
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
        int status;
        if (::waitpid(child_, &status, WNOHANG) == child_) child_status_ = status;
    } else if (sig == SIGWINCH) {
        if (auto size = terminal_size(STDIN_FILENO); size && master_) ::ioctl(master_.get(), TIOCSWINSZ, &*size);
    } else {
        ::kill(child_, sig);
    }
}

void Supervisor::on_channel() {
    auto report = channel_.receive();
    if (!report) {
        channel_open_ = false;
    } else if (report->kind == ContainerReport::Terminal) {
        master_ = std::move(report->fd);
        // The user types into the container only with -i, as in docker.
        stdin_open_ = interactive_;
    } else if (!error_) {
        error_ = std::move(report);
    }
}

void Supervisor::on_stdin() {
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

// After the child has exited: pick up an error report still in the socket
// and the last output still in the pty, without blocking.
void Supervisor::drain() {
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

} // namespace kubik
