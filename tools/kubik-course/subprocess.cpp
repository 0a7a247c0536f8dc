#include "subprocess.hpp"

#include "i18n.hpp"

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

extern char** environ;

namespace kubik::course {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
int g_interrupt_pipe[2] = {-1, -1};

void on_interrupt(int) {
    g_interrupted = 1;
    if (g_interrupt_pipe[1] >= 0) {
        const int saved = errno;
        [[maybe_unused]] const auto ignored = write(g_interrupt_pipe[1], "x", 1);
        errno = saved;
    }
}

void set_cloexec_nonblock(int fd) {
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// The child side of fork: only async-signal-safe calls until exec, so every
// string was prepared by the parent.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, const char* folder, int out_fd,
                             int error_fd) {
    setpgid(0, 0);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    if (folder != nullptr && chdir(folder) != 0) {
        const int e = errno;
        [[maybe_unused]] auto ignored = write(error_fd, &e, sizeof e);
        _exit(127);
    }
    execvpe(argv[0], argv, envp);
    const int e = errno;
    [[maybe_unused]] auto ignored = write(error_fd, &e, sizeof e);
    _exit(127);
}

// Parent pid of `pid` from /proc/PID/stat, or -1.
pid_t parent_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos || close_paren + 4 > stat.size()) return -1;
    // ") S PPID ..."
    const auto rest = stat.substr(close_paren + 4);
    pid_t ppid = -1;
    std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
    return ppid;
}

std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> children;
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        pid_t pid = 0;
        const auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (err != std::errc() || ptr != name.data() + name.size()) continue;
        if (parent_of(pid) == parent) children.push_back(pid);
    }
    return children;
}

} // namespace

bool interrupt_requested() { return g_interrupted != 0; }

int interrupt_fd() { return g_interrupt_pipe[0]; }

void install_interrupt_handler() {
    if (g_interrupt_pipe[0] < 0) {
        if (pipe(g_interrupt_pipe) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        set_cloexec_nonblock(g_interrupt_pipe[0]);
        set_cloexec_nonblock(g_interrupt_pipe[1]);
    }
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

void become_subreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1); }

int kill_all_children(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    int killed = 0;
    const pid_t self = getpid();
    while (Clock::now() < deadline) {
        // Reap what has already ended, then kill what is left; a killed
        // process's own orphans come to us next round.
        while (waitpid(-1, nullptr, WNOHANG) > 0) {}
        const auto children = children_of(self);
        if (children.empty()) break;
        for (const pid_t child : children) {
            if (kill(child, SIGKILL) == 0) ++killed;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    while (waitpid(-1, nullptr, WNOHANG) > 0) {}
    return killed;
}

void CappedBuffer::append(const char* data, std::size_t size) {
    const std::size_t head_limit = limit_ / 4;
    const std::size_t tail_limit = limit_ - head_limit;
    if (head_.size() < head_limit) {
        const auto take = std::min(size, head_limit - head_.size());
        head_.append(data, take);
        data += take;
        size -= take;
    }
    if (size == 0) return;
    tail_.append(data, size);
    if (tail_.size() > tail_limit) {
        const auto excess = tail_.size() - tail_limit;
        tail_.erase(0, excess);
        dropped_ += excess;
    }
}

std::string CappedBuffer::str() const {
    if (dropped_ == 0) return head_ + tail_;
    return head_ + "\n" +
           formatted(ngettext("[... %zu byte of output left out ...]", "[... %zu bytes of output left out ...]",
                              static_cast<unsigned long>(dropped_)),
                     static_cast<std::size_t>(dropped_)) +
           "\n" + tail_;
}

ProcessResult run_process(const ProcessOptions& options) {
    if (options.argv.empty()) throw std::invalid_argument("run_process: empty argv");

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    restore_language_variable(env_strings);
    for (const auto& extra : options.environment) {
        const auto name = extra.substr(0, extra.find('=') + 1);
        std::erase_if(env_strings, [&](const std::string& s) { return s.starts_with(name); });
        env_strings.push_back(extra);
    }
    std::vector<char*> argv;
    for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    const std::string folder = options.working_dir.string();

    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }

    const auto started = Clock::now();
    const pid_t pid = fork();
    if (pid < 0) {
        for (const int fd : {out[0], out[1], err[0], err[1]}) close(fd);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) exec_child(argv.data(), envp.data(), folder.empty() ? nullptr : folder.c_str(), out[1], err[1]);
    setpgid(pid, pid); // also in the child: whichever runs first
    close(out[1]);
    close(err[1]);

    ProcessResult result;
    int exec_errno = 0;
    if (read(err[0], &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno)) {
        result.start_failed = true;
    }
    close(err[0]);
    set_cloexec_nonblock(out[0]);

    CappedBuffer buffer(options.output_limit);
    char chunk[65536];
    const auto drain = [&] {
        for (;;) {
            const auto n = read(out[0], chunk, sizeof chunk);
            if (n > 0) {
                buffer.append(chunk, static_cast<std::size_t>(n));
                continue;
            }
            return n == 0; // true: end of file
        }
    };

    int status = 0;
    bool exited = false;
    bool eof = false;
    while (!exited) {
        pollfd fds[2] = {{out[0], POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
        const nfds_t count = (eof ? 0 : 1);
        pollfd* first = eof ? &fds[1] : &fds[0];
        const nfds_t watched = count + (interrupt_fd() >= 0 ? 1 : 0);
        poll(first, watched, 50);
        if (!eof && drain()) eof = true;
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            exited = true;
            break;
        }
        if (interrupt_requested()) {
            result.interrupted = true;
            break;
        }
        if (options.timeout.count() > 0 && Clock::now() - started >= options.timeout) {
            result.timed_out = true;
            break;
        }
    }
    // Whatever of the group is still running (all of it, on a time limit)
    // ends now; output written up to here is kept.
    kill(-pid, SIGKILL);
    if (!exited) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
    if (options.kill_orphans) kill_all_children();
    // Descendants that escaped the group may still hold the pipe; take what
    // is there without waiting for them.
    if (!eof) drain();
    close(out[0]);
    result.elapsed = Clock::now() - started;

    if (result.start_failed) {
        result.output = formatted(_("cannot run %s: %s"), options.argv[0].c_str(), std::strerror(exec_errno)) + "\n";
        return result;
    }
    if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    }
    if (result.timed_out || result.interrupted) result.signal = 0;
    result.output = buffer.str();
    return result;
}

} // namespace kubik::course
