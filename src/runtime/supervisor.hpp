// Watching a running container from kubik's side: its exit, its terminal,
// the signals the user sends. Shared by `kubik run` and `kubik exec`.
#pragma once

#include "container/container_spec.hpp"
#include "runtime/channel.hpp"

#include <signal.h>
#include <sys/types.h>

#include <optional>

namespace kubik {

/// Signals kubik passes on to the container, like docker's --sig-proxy.
/// SIGCHLD says the container ended; SIGWINCH that the terminal was resized.
sigset_t supervised_signals();

/// Everything the parent learns while the container (or an exec'd process) runs.
class Supervisor {
public:
    /// `child` is the process whose exit ends the wait; signals go to it.
    Supervisor(pid_t child, const Channel& channel, bool interactive)
        : child_(child), channel_(channel), interactive_(interactive) {}

    /// Runs until `child` has exited; returns its wait status. Relays the
    /// terminal once the container sends one, forwards signals read from
    /// `signal_fd` (a signalfd of supervised_signals()).
    int wait(int signal_fd);

    /// The error the container reported before exec, if any.
    const std::optional<ContainerReport>& error() const { return error_; }

private:
    void on_signal(int signal_fd);
    void on_channel();
    void on_stdin();
    void drain();

    pid_t child_;
    const Channel& channel_;
    bool interactive_;
    std::optional<int> child_status_;
    std::optional<ContainerReport> error_;
    bool channel_open_ = true;
    bool stdin_open_ = false;
    UniqueFd master_;
};

} // namespace kubik
