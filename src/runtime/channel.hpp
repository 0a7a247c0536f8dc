// The socket between `kubik run` and the container it starts.
//
// A SOCK_SEQPACKET socketpair keeps message boundaries, passes file
// descriptors (the terminal's master side), and tells the parent "exec
// happened" for free: the child's end is close-on-exec, so when the command
// replaces itself the parent reads end-of-file instead of an error.
#pragma once

#include "core/unique_fd.hpp"

#include <sys/ioctl.h>

#include <optional>
#include <string>

namespace kubik {

/// What the parent tells the container before it may go on.
struct GoMessage {
    struct winsize window {}; ///< the user's terminal size, for -t
    /// Lesson 6: eth0 is in the container's namespace; configure it (the
    /// lease is in the spec) before the command runs.
    bool configure_network = false;
    /// The user asked for the network (--network NAME, -p): a stub of
    /// lesson 6 is an error instead of a quiet loopback-only container.
    bool network_required = false;
    /// The container's /etc/hosts, /etc/hostname and /etc/resolv.conf are
    /// written (lesson 6): bind them into its root.
    bool etc_files = false;
};

/// What the container tells the parent.
struct ContainerReport {
    /// Error: the container failed before exec; Terminal: it sends the pty master (-t).
    enum Kind { Error, Terminal } kind = Error; ///< which of the two this report is
    int exit_code = 0;    ///< for Error: 125, 126 or 127
    std::string message;  ///< for Error
    UniqueFd fd;          ///< for Terminal: the pty master
};

/// The socket pair between `kubik run` and the container (see above).
class Channel {
public:
    /// Creates the pair. Both ends are close-on-exec.
    static Channel create();

    /// In the parent after clone: drop the child's end.
    void close_child_end() { child_.reset(); }
    /// In the child after clone: drop the parent's end.
    void close_parent_end() { parent_.reset(); }
    /// In the container's init after forking the command: only the command
    /// keeps the socket, so the parent's EOF means "exec happened".
    void close_all() { child_.reset(); parent_.reset(); }

    /// The parent's end, to poll.
    int parent_fd() const { return parent_.get(); }

    // parent side
    /// Lets the container go on; throws kubik::Error if it is gone.
    void send_go(const GoMessage& go) const;
    /// Next report, or nullopt at end-of-file (all child ends are closed).
    std::optional<ContainerReport> receive() const;

    // child side
    /// Waits for the parent's go; throws if the parent went away.
    GoMessage wait_go() const;
    /// Best effort: the parent may already be gone.
    void send_error(int exit_code, const std::string& message) const noexcept;
    /// Sends the pty's master side to the parent (SCM_RIGHTS).
    void send_terminal(int master_fd) const;

private:
    UniqueFd parent_, child_;
};

} // namespace kubik
