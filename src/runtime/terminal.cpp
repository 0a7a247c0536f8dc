#include "runtime/terminal.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace kubik {

PtyPair open_pty(const struct winsize& size) {
    PtyPair pty;
    pty.master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.master) throw_errno("-t: open /dev/ptmx in the container");
    int unlock = 0;
    if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) != 0) throw_errno("-t: unlock the pty");
    // TIOCGPTPEER opens the slave through the master, with no path lookup:
    // the slave's /dev/pts/N name can't be raced or mistaken.
    pty.slave.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.slave) throw_errno("-t: open the pty's slave");
    if (size.ws_row && ::ioctl(pty.master.get(), TIOCSWINSZ, &size) != 0)
        throw_errno("-t: set the window size");
    return pty;
}

void attach_to_terminal(int slave) {
    if (::setsid() < 0) throw_errno("-t: setsid");
    if (::ioctl(slave, TIOCSCTTY, 0) != 0) throw_errno("-t: make the pty the controlling terminal");
    for (int fd = 0; fd <= 2; ++fd)
        if (::dup2(slave, fd) < 0) throw_errno("-t: dup2 the pty");
}

std::optional<struct winsize> terminal_size(int fd) {
    struct winsize size {};
    if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return std::nullopt;
    return size;
}

RawMode::RawMode(int fd) : fd_(fd) {
    if (!::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
    struct termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(fd, TCSADRAIN, &raw) == 0;
}

RawMode::~RawMode() {
    if (active_) ::tcsetattr(fd_, TCSADRAIN, &saved_);
}

} // namespace kubik
