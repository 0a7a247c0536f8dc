#include "rootless/user_namespace_host.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/process_title.hpp"
#include "core/unique_fd.hpp"
#include "rootless/host_listener.hpp"
#include "rootless/id_ranges.hpp"
#include "rootless/port_relay.hpp"
#include "rootless/rootless_mode.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace kubik::rootless {
namespace {

constexpr const char* kHolderName = "kubik-rootless";

// --- kubik-rootless itself ---------------------------------------------------

// Reports to the parent over the socket pair: an int, a pid or -errno.
void report(int sock, int value) noexcept {
    while (::write(sock, &value, sizeof value) < 0 && errno == EINTR) {}
}

// lo up, so that 127.0.0.1 works in the namespace before slirp4netns runs
// (or without it). Interface flags still have an ioctl of their own.
void bring_up_lo() noexcept {
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    struct ifreq req {};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    if (!sock || ::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) return;
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    ::ioctl(sock.get(), SIOCSIFFLAGS, &req);
}

// Makes the control socket kubik asks for ports on (port_relay.hpp).
int listen_for_kubik(const fs::path& path) {
    ::unlink(path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0)
        return -errno;
    return fd;
}

void quiet_stdio() noexcept {
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    (void)!::chdir("/");
}

// kubik-rootless: the namespaces' holder and -p's relay.
[[noreturn]] void holder_main(int sock, int exit_fd, int hostports, const RootlessFiles& files) noexcept {
    // It and kubik-hostports live and die together.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::unshare(CLONE_NEWNS | CLONE_NEWNET) != 0) {
        report(sock, -errno);
        ::_exit(1);
    }
    // Mounts made in here never reach the host; the host's still arrive.
    ::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr);
    bring_up_lo();
    // Packets from slirp4netns's tap0 to the containers' bridges are
    // forwarded: the whole namespace is kubik's, so all interfaces may.
    if (int fd = ::open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC); fd >= 0) {
        (void)!::write(fd, "1", 1);
        ::close(fd);
    }
    const int control = listen_for_kubik(files.ports_socket);
    if (control < 0) {
        report(sock, control);
        ::_exit(1);
    }
    set_process_title(kHolderName);
    quiet_stdio();
    report(sock, ::getpid());
    // Kept: slirp4netns's exit pipe (it goes when we do), kubik-hostports,
    // the control socket.
    ::dup2(exit_fd, 3);
    ::dup2(hostports, 4);
    ::dup2(control, 5);
    ::close_range(6, ~0U, 0);
    run_port_relay(5, 4);
}

// kubik-hostports: makes the user namespace, stays in the host's network
// namespace (host_listener.hpp), and starts kubik-rootless inside.
[[noreturn]] void hostports_main(int sock, int exit_fd, const RootlessFiles& files) noexcept {
    ::setsid(); // no terminal: a ^C in the user's shell must not end every container
    // First the user namespace alone, so that the mount and network
    // namespaces made next belong to it: only then may kubik-rootless
    // mount and configure them as its root.
    if (::unshare(CLONE_NEWUSER) != 0) {
        report(sock, -errno);
        ::_exit(1);
    }
    report(sock, ::getpid());
    int mapped = 0;
    if (::read(sock, &mapped, sizeof mapped) != sizeof mapped || mapped != 1) ::_exit(1);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        report(sock, -errno);
        ::_exit(1);
    }
    pid_t holder = ::fork();
    if (holder < 0) {
        report(sock, -errno);
        ::_exit(1);
    }
    if (holder == 0) holder_main(sock, exit_fd, pair[1], files);
    set_process_title("kubik-hostports");
    quiet_stdio();
    ::dup2(pair[0], 3);
    ::close_range(4, ~0U, 0);
    serve_host_listeners(3); // until kubik-rootless is gone
    ::_exit(0);
}

// --- starting it -------------------------------------------------------------

int receive(int sock, const char* what) {
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) throw Error(std::string("rootless: ") + kHolderName + " did not " + what);
    int value = 0;
    if (::read(sock, &value, sizeof value) != sizeof value)
        throw Error(std::string("rootless: ") + kHolderName + " exited before it could " + what);
    if (value < 0) throw_errno(std::string("rootless: ") + kHolderName + ": " + what, -value);
    return value;
}

// Runs `argv` (found in PATH), with stderr kept for the error message;
// returns "" on success, the error otherwise.
std::string run_tool(const std::vector<std::string>& args) {
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0) throw_errno("pipe");
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork " + args[0]);
    if (pid == 0) {
        ::dup2(err[1], STDOUT_FILENO);
        ::dup2(err[1], STDERR_FILENO);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        const int e = errno;
        dprintf(STDERR_FILENO, "%s", e == ENOENT ? "not found" : std::strerror(e));
        ::_exit(127);
    }
    ::close(err[1]);
    std::string output;
    char buf[512];
    for (ssize_t n; (n = ::read(err[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        output.append(buf, static_cast<size_t>(n));
    }
    ::close(err[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    return output.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : output;
}

void write_map(const char* tool, pid_t pid, unsigned long own, const IdRange& range) {
    // One's own id as root, then the subordinate range from 1 up: the
    // layout of rootlesskit and podman, so image files owned by 1..65535
    // keep distinct owners.
    const std::string error =
        run_tool({tool, std::to_string(pid), "0", std::to_string(own), "1", "1", std::to_string(range.first),
                  std::to_string(range.count)});
    if (error.empty()) return;
    if (error == "not found")
        throw Error(std::string("rootless: ") + tool + " not found: install Debian's uidmap package");
    throw Error(std::string("rootless: ") + tool + " " + std::to_string(pid) + ": " + error);
}

// slirp4netns gives the namespace a way out to the host's network (tap0,
// 10.0.2.100, a user-space TCP/IP stack). Without it (not installed, or no
// /dev/net/tun for the user) containers still run and -p still works; only
// connections out of the namespace have nowhere to go.
void start_slirp4netns(pid_t holder, int exit_fd, const RootlessFiles& files) {
    // It needs a tap device: /dev/net/tun must be open to the user (Debian's
    // udev makes it 0666; some machines keep it 0600).
    if (::access("/dev/net/tun", R_OK | W_OK) != 0) return;
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) throw_errno("pipe");
    UniqueFd ready_read(ready[0]);
    pid_t middle = ::fork();
    if (middle < 0) throw_errno("fork slirp4netns");
    if (middle == 0) {
        // Twice, so that slirp4netns is nobody's child here: kubik-rootless
        // outlives this kubik, and so must it.
        if (::fork() != 0) ::_exit(0);
        ::setsid();
        int log = ::open(files.slirp_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        ::dup2(null, STDIN_FILENO);
        if (log >= 0) {
            ::dup2(log, STDOUT_FILENO);
            ::dup2(log, STDERR_FILENO);
        }
        ::dup2(exit_fd, 3);
        ::dup2(ready[1], 4);
        ::close_range(5, ~0U, 0);
        const std::string pid = std::to_string(holder);
        // 65520: slirp4netns's fastest MTU; --disable-host-loopback: a
        // container must not reach the host's 127.0.0.1 services through
        // 10.0.2.2 (what docker rootless does too).
        const char* argv[] = {"slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
                              "--exit-fd=3", "--ready-fd=4", pid.c_str(), "tap0", nullptr};
        ::execvp(argv[0], const_cast<char* const*>(argv));
        ::_exit(127);
    }
    ::close(ready[1]);
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {}
    pollfd p{ready_read.get(), POLLIN, 0};
    char byte = 0;
    if (::poll(&p, 1, 10000) == 1 && ::read(ready_read.get(), &byte, 1) == 1) return;
    // Not installed, or it failed: the namespace works without a way out.
}

pid_t start_holder(const RootlessFiles& files) {
    const uid_t uid = ::getuid();
    const gid_t gid = ::getgid();
    const std::string name = user_name(uid);
    // Before anything is made: a user without ranges gets the fix in words.
    const IdRange uids = subordinate_range("/etc/subuid", name, uid);
    const IdRange gids = subordinate_range("/etc/subgid", name, uid);

    int pair[2], exit_pipe[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("socketpair");
    UniqueFd sock(pair[0]), child_sock(pair[1]);
    if (::pipe2(exit_pipe, O_CLOEXEC) != 0) throw_errno("pipe");
    UniqueFd exit_read(exit_pipe[0]), exit_write(exit_pipe[1]);

    pid_t middle = ::fork();
    if (middle < 0) throw_errno("fork " + std::string(kHolderName));
    if (middle == 0) {
        // Twice: kubik-rootless is nobody's child here, so no waitpid(-1)
        // of this kubik's ever reaps it, and it outlives this kubik.
        pid_t holder = ::fork();
        if (holder != 0) ::_exit(holder < 0 ? 1 : 0);
        hostports_main(child_sock.get(), exit_write.get(), files);
    }
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {}
    child_sock.reset();
    exit_write.reset();

    // kubik-hostports owns the user namespace; kubik-rootless, its child,
    // holds the other two. Killing either ends both.
    const pid_t hostports = receive(sock.get(), "make a user namespace");
    pid_t holder = 0;
    try {
        write_map("newuidmap", hostports, uid, uids);
        write_map("newgidmap", hostports, gid, gids);
        const int mapped = 1;
        if (::write(sock.get(), &mapped, sizeof mapped) != sizeof mapped) throw_errno("rootless: tell kubik-rootless");
        holder = receive(sock.get(), "make its mount and network namespaces");
        start_slirp4netns(holder, exit_read.get(), files);
        write_file_atomic(files.holder_pid, std::to_string(holder) + "\n", false);
    } catch (...) {
        ::kill(hostports, SIGKILL);
        throw;
    }
    return holder;
}

void join(pid_t holder, const fs::path& run_dir) {
    const std::string proc = "/proc/" + std::to_string(holder) + "/ns/";
    UniqueFd user(::open((proc + "user").c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd mnt(::open((proc + "mnt").c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd net(::open((proc + "net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!user || !mnt || !net) throw_errno("rootless: open the namespaces of kubik-rootless (pid " + std::to_string(holder) + ")");
    std::error_code ec;
    const fs::path cwd = fs::current_path(ec);
    // The user namespace first: it gives the capabilities the other two
    // need (CAP_SYS_ADMIN over the namespaces it owns).
    if (::setns(user.get(), CLONE_NEWUSER) != 0) throw_errno("rootless: join the user namespace of kubik-rootless");
    if (::setns(mnt.get(), CLONE_NEWNS) != 0) throw_errno("rootless: join the mount namespace of kubik-rootless");
    if (::setns(net.get(), CLONE_NEWNET) != 0) throw_errno("rootless: join the network namespace of kubik-rootless");
    // Joining a mount namespace moves us to its root: back to where the
    // user was (`kubik build .` means that directory).
    if (ec || ::chdir(cwd.c_str()) != 0) (void)!::chdir("/");
    ::setenv(kRunDirVariable, run_dir.c_str(), 1);
    note_inside();
}

} // namespace

RootlessFiles::RootlessFiles(const fs::path& run_dir)
    : lock(run_dir / "rootless.lock"), holder_pid(run_dir / "rootless.pid"), ports_socket(run_dir / "ports.sock"),
      slirp_log(run_dir / "slirp4netns.log") {}

pid_t rootless_holder(const fs::path& run_dir) {
    std::string text;
    try {
        text = read_file(RootlessFiles(run_dir).holder_pid);
    } catch (const std::exception&) {
        return 0;
    }
    pid_t pid = std::atoi(text.c_str());
    if (pid <= 0) return 0;
    // A pid is reused: it must still be this user's kubik-rootless.
    struct stat st {};
    const std::string dir = "/proc/" + std::to_string(pid);
    if (::stat(dir.c_str(), &st) != 0 || st.st_uid != ::getuid()) return 0;
    std::string comm;
    try {
        comm = read_file(dir + "/comm");
    } catch (const std::exception&) {
        return 0;
    }
    return comm == std::string(kHolderName) + "\n" ? pid : 0;
}

void enter_rootless_namespaces() {
    const fs::path run_dir = user_run_dir();
    const RootlessFiles files(run_dir);
    UniqueFd lock(::open(files.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!lock) throw_errno("open " + files.lock.string());
    // Two first kubiks at once would start two kubik-rootless.
    while (::flock(lock.get(), LOCK_EX) != 0)
        if (errno != EINTR) throw_errno("lock " + files.lock.string());
    pid_t holder = rootless_holder(run_dir);
    if (holder == 0) holder = start_holder(files);
    join(holder, run_dir);
}

} // namespace kubik::rootless
