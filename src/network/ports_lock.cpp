#include "network/ports_lock.hpp"

#include "core/error.hpp"
#include "rootless/rootless_mode.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace kubik::network {
namespace {

int lock_fd = -1;  // the process's one descriptor of the file: closing any other would drop the lock

} // namespace

void lock_published_ports() {
    if (lock_fd >= 0) return;
    const auto dir = rootless::locks_dir();
    const auto path = dir / "ports.lock";
    ::mkdir(dir.c_str(), 0755);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("open " + path.string());
    struct flock lock{};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    while (::fcntl(fd, F_SETLKW, &lock) != 0) {
        if (errno == EINTR) continue;
        const int saved = errno;
        ::close(fd);
        errno = saved;
        throw_errno("lock " + path.string());
    }
    lock_fd = fd;
}

void unlock_published_ports() noexcept {
    if (lock_fd < 0) return;
    ::close(lock_fd);  // closing the file releases the process's record locks on it
    lock_fd = -1;
}

} // namespace kubik::network
