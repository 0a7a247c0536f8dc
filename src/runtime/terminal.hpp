// Pseudo-terminals for `kubik run -t`.
//
// A pty is a pair: programs in the container use the slave side as their
// terminal; kubik holds the master side and copies bytes between it and the
// user's real terminal. The pty is opened inside the container (from its own
// devpts, lesson 2), so `tty` there names /dev/pts/0, and its master travels
// to kubik over the channel.
#pragma once

#include "core/unique_fd.hpp"

#include <sys/ioctl.h>
#include <termios.h>

#include <optional>

namespace kubik {

/// The two sides of a new pseudo-terminal.
struct PtyPair {
    UniqueFd master; ///< kubik's side: the user's keys go in, the program's output comes out
    UniqueFd slave; ///< the program's terminal, /dev/pts/N
};

/// Opens a new pty from the devpts mounted at /dev/pts (call it after
/// entering the container's root) and sets its window size.
PtyPair open_pty(const struct winsize& size);

/// Makes `slave` the controlling terminal of this process (a new session)
/// and its stdin, stdout and stderr.
void attach_to_terminal(int slave);

/// The size of the terminal on `fd`, if it is one.
std::optional<struct winsize> terminal_size(int fd);

/// Puts the user's terminal in raw mode (keys go to the container as typed:
/// Ctrl-C becomes a byte that the container's terminal turns into SIGINT)
/// and restores it when destroyed, on every path out of `kubik run`.
class RawMode {
public:
    /// Puts terminal `fd` in raw mode; does nothing when `fd` is not a terminal.
    explicit RawMode(int fd);
    ~RawMode();
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;

private:
    int fd_;
    bool active_ = false;
    struct termios saved_ {};
};

} // namespace kubik
