// Running commands for the tests: argv straight to execve (no shell, so no
// quoting surprises), pipes for stdout and stderr, a deadline, and SIGKILL
// when it passes so a hung runtime fails one test instead of the whole run.
#include "kubik_test.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace kubik::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail_errno(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

// The test process ignores SIGPIPE: kubik may close its stdin before we are
// done writing, and that must show up as EPIPE here, not kill the test.
void ignore_sigpipe_once() {
    static const bool done = [] {
        ::signal(SIGPIPE, SIG_IGN);
        return true;
    }();
    (void)done;
}

// envp for the child, built before fork(): after fork only async-signal-safe
// calls are allowed, and setenv() allocates.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& changes) {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string entry(*e);
        auto eq = entry.find('=');
        if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [key, value] : changes) {
        if (value) env[key] = *value;
        else env.erase(key);
    }
    std::vector<std::string> out;
    for (const auto& [key, value] : env) out.push_back(key + "=" + value);
    return out;
}

// Pids of started Childs not yet reaped: reap_zombie_children() leaves them
// to their Child, whose finish() wants their exit status. (Tests start
// Childs from one thread only.)
std::set<pid_t>& owned_pids() {
    static std::set<pid_t> pids;
    return pids;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// In the child, before execve: default signal dispositions and an empty mask
// (ignored signals and the mask survive exec, and kubik must start the way a
// shell would start it), then nothing but fds 0, 1, 2.
void prepare_child_signals() {
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// `keep`: sorted, distinct, each >= 3 (see kept_fds); those stay open across
// the exec, every other descriptor from 3 up is closed.
[[noreturn]] void exec_or_die(std::vector<char*>& argv, std::vector<char*>& envp,
                              const std::vector<int>& keep = {}) {
    unsigned first = 3;
    for (int fd : keep) {
        if (static_cast<unsigned>(fd) > first) ::close_range(first, static_cast<unsigned>(fd) - 1, 0);
        ::fcntl(fd, F_SETFD, 0); // the test may hold it close-on-exec
        first = static_cast<unsigned>(fd) + 1;
    }
    ::close_range(first, ~0U, 0);
    ::execve(argv[0], argv.data(), envp.data());
    const char msg[] = "test helper: execve failed\n";
    ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    ::_exit(127);
}

// Length of the valid UTF-8 sequence at s[i], 0 if there is none.
size_t utf8_length(const std::string& s, size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c >= 0xf5 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    return n;
}

// Output for a failure message: text (UTF-8 included, kubik's messages use
// an em dash) as it is, every other byte as \xNN so binary output is visible.
std::string printable(const std::string& s) {
    std::string out;
    const size_t limit = 4000;
    for (size_t i = 0; i < s.size() && i < limit; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (size_t n = c >= 0x80 ? utf8_length(s, i) : 0; n > 0) {
            out += s.substr(i, n);
            i += n - 1;
        } else if (c == '\n') out += "\\n\n";
        else if (c == '\\') out += "\\\\";
        else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (s.size() > limit) out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

// RunOptions::keep_fds in the form exec_or_die wants it, made before fork().
std::vector<int> kept_fds(std::vector<int> fds) {
    for (int fd : fds)
        if (fd < 3 || ::fcntl(fd, F_GETFD) < 0)
            throw std::runtime_error("keep_fds: " + std::to_string(fd) + " is not an open descriptor >= 3");
    std::sort(fds.begin(), fds.end());
    fds.erase(std::unique(fds.begin(), fds.end()), fds.end());
    return fds;
}

}  // namespace

std::string RunResult::describe() const {
    std::ostringstream o;
    o << "command:";
    for (const auto& a : argv) o << " '" << a << "'";
    o << "\nexit code: " << exit_code;
    if (term_signal) o << " (killed by signal " << term_signal << ")";
    if (timed_out) o << " (TIMED OUT, killed by the test)";
    if (pipes_held_open) o << " (stdout/stderr still held open by a leftover process)";
    o << "\nelapsed: " << elapsed.count() << " ms";
    o << "\n--- stdout ---\n" << printable(out) << "\n--- stderr ---\n" << printable(err)
      << "\n--------------";
    return o.str();
}

std::string without_skip_notices(const std::string& err) {
    static const std::string notice = "kubik: skipped: ";
    std::string out = err;
    for (size_t at; (at = out.find(notice)) != std::string::npos;) {
        size_t nl = out.find('\n', at);
        out.erase(at, nl == std::string::npos ? std::string::npos : nl + 1 - at);
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines_of(text))
        if (l == line) return true;
    return false;
}

Child::Child(const std::vector<std::string>& argv, const RunOptions& options)
    : argv_(argv), stdin_data_(options.stdin_data) {
    ignore_sigpipe_once();
    int in[2] = {-1, -1}, out[2], err[2];
    if (stdin_data_ && ::pipe2(in, O_CLOEXEC) != 0) fail_errno("pipe");
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) fail_errno("pipe");

    std::vector<std::string> args = argv, env = child_environment(options.env);
    auto c_argv = c_strings(args), c_env = c_strings(env);
    const std::vector<int> keep = kept_fds(options.keep_fds);

    started_ = Clock::now();
    pid_ = ::fork();
    if (pid_ < 0) fail_errno("fork");
    if (pid_ == 0) {
        prepare_child_signals();
        int stdin_fd = stdin_data_ ? in[0] : ::open("/dev/null", O_RDONLY);
        ::dup2(stdin_fd, STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(err[1], STDERR_FILENO);
        exec_or_die(c_argv, c_env, keep);
    }
    owned_pids().insert(pid_);
    if (stdin_data_) {
        ::close(in[0]);
        in_ = in[1];
        ::fcntl(in_, F_SETFL, O_NONBLOCK);
    }
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
}

Child::~Child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
        owned_pids().erase(pid_);
    }
    for (int fd : {in_, out_, err_})
        if (fd >= 0) ::close(fd);
}

RunResult Child::finish(std::chrono::milliseconds timeout) {
    RunResult r;
    r.argv = argv_;
    if (pid_ <= 0) throw std::logic_error("Child::finish called twice");
    const auto deadline = Clock::now() + timeout;
    std::optional<Clock::time_point> exited_at;
    int status = 0;
    size_t written = 0;
    if (in_ >= 0 && stdin_data_->empty()) {
        ::close(in_);
        in_ = -1;
    }

    for (;;) {
        if (!exited_at) {
            pid_t w = ::waitpid(pid_, &status, WNOHANG);
            if (w == pid_) {
                exited_at = Clock::now();
                owned_pids().erase(pid_);
                pid_ = -1;
                // kubik is gone, so nobody will read the rest of its stdin.
                if (in_ >= 0) {
                    ::close(in_);
                    in_ = -1;
                }
            }
        }
        const auto now = Clock::now();
        if (exited_at && out_ < 0 && err_ < 0) break;
        if (exited_at && now > *exited_at + 2s) {
            r.pipes_held_open = true;
            break;
        }
        if (!exited_at && now > deadline) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
            owned_pids().erase(pid_);
            pid_ = -1;
            exited_at = Clock::now();
            r.timed_out = true;
            break;
        }

        pollfd fds[3];
        nfds_t n = 0;
        if (out_ >= 0) fds[n++] = {out_, POLLIN, 0};
        if (err_ >= 0) fds[n++] = {err_, POLLIN, 0};
        if (in_ >= 0) fds[n++] = {in_, POLLOUT, 0};
        // Short polls: waitpid has no fd to poll on.
        int ready = ::poll(fds, n, 20);
        if (ready < 0 && errno != EINTR) fail_errno("poll");
        for (nfds_t i = 0; ready > 0 && i < n; ++i) {
            if (!fds[i].revents) continue;
            int fd = fds[i].fd;
            if (fd == in_) {
                ssize_t k = ::write(in_, stdin_data_->data() + written, stdin_data_->size() - written);
                if (k > 0) written += static_cast<size_t>(k);
                if ((k < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data_->size()) {
                    ::close(in_);  // EOF for the reader, or EPIPE: it stopped reading
                    in_ = -1;
                }
                continue;
            }
            char buf[65536];
            ssize_t k = ::read(fd, buf, sizeof buf);
            if (k > 0) {
                (fd == out_ ? r.out : r.err).append(buf, static_cast<size_t>(k));
            } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
                ::close(fd);
                (fd == out_ ? out_ : err_) = -1;
            }
        }
    }
    for (int* fd : {&in_, &out_, &err_})
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
    r.exited_at = *exited_at;
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(*exited_at - started_);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
    return r;
}

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
    Child child(argv, options);
    return child.finish(options.timeout);
}

HeldDirectory::HeldDirectory(const fs::path& dir) {
    fs::create_directories(dir);
    std::random_device random;
    char hex[40];
    std::snprintf(hex, sizeof hex, "kubik-host-marker-%08x%08x", random(), random());
    marker_ = hex;
    {
        std::ofstream out(dir / "marker");
        out << marker_ << "\n";
        if (!out.flush()) throw std::runtime_error("write " + (dir / "marker").string());
    }
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail_errno("open " + dir.string());
    // Far above the few descriptors kubik opens itself, so that N in
    // /proc/self/fd/N can only be this one.
    fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 20);
    int err = errno;
    ::close(fd);
    if (fd_ < 0) {
        errno = err;
        fail_errno("dup " + dir.string());
    }
}

HeldDirectory::~HeldDirectory() {
    if (fd_ >= 0) ::close(fd_);
}

ScratchDir::ScratchDir() {
    fs::create_directories(test_roots_dir());
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "scratch";
    // Parameterised tests are called Suite/Name/Param: one path component.
    std::replace(name.begin(), name.end(), '/', '_');
    std::string templ = (test_roots_dir() / (name + "-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) fail_errno("mkdtemp " + templ);
    path_ = templ;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string in_child(const std::function<void(std::ostream&)>& body, std::chrono::milliseconds timeout) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) fail_errno("pipe");
    pid_t pid = ::fork();
    if (pid < 0) fail_errno("fork");
    if (pid == 0) {
        ::close(pipe_fds[0]);
        std::ostringstream out;
        try {
            body(out);
        } catch (const std::exception& e) {
            out << "threw: " << e.what() << "\n";
        }
        const std::string text = out.str();
        for (size_t done = 0; done < text.size();) {
            ssize_t n = ::write(pipe_fds[1], text.data() + done, text.size() - done);
            if (n <= 0) break;
            done += static_cast<size_t>(n);
        }
        // _exit: no atexit handlers or gtest teardown of the parent's copy.
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    for (char buf[4096];;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{pipe_fds[0], POLLIN, 0};
        int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            timed_out = true;
            break;
        }
        ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(pipe_fds[0]);
    if (timed_out) ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return timed_out ? text + "timed out\n" : text;
}

void reap_zombie_children() {
    for (const auto& p : children_of(::getpid()))
        if (p.state == 'Z' && !owned_pids().count(p.pid)) ::waitpid(p.pid, nullptr, WNOHANG);
}

PtyResult run_in_pty(const std::vector<std::string>& argv, unsigned short rows,
                     unsigned short cols, std::chrono::milliseconds timeout) {
    ignore_sigpipe_once();
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) fail_errno("posix_openpt");
    if (::grantpt(master) != 0 || ::unlockpt(master) != 0) fail_errno("grantpt/unlockpt");
    char name[128];
    if (::ptsname_r(master, name, sizeof name) != 0) fail_errno("ptsname_r");
    winsize ws{};
    ws.ws_row = rows;
    ws.ws_col = cols;
    if (::ioctl(master, TIOCSWINSZ, &ws) != 0) fail_errno("TIOCSWINSZ");
    // We hold the slave open too: otherwise reading the master returns EIO
    // whenever no one has the slave open (before the child opens it), and we
    // could not tell that apart from "the child is done".
    int slave_keep = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_keep < 0) fail_errno(std::string("open ") + name);

    std::vector<std::string> args = argv, env = child_environment({});
    auto c_argv = c_strings(args), c_env = c_strings(env);
    pid_t pid = ::fork();
    if (pid < 0) fail_errno("fork");
    if (pid == 0) {
        prepare_child_signals();
        // A new session without a terminal, then the slave becomes its
        // controlling terminal: that's how a login shell gets its tty.
        ::setsid();
        int slave = ::open(name, O_RDWR);
        if (slave < 0) ::_exit(126);
        ::ioctl(slave, TIOCSCTTY, 0);
        ::dup2(slave, 0);
        ::dup2(slave, 1);
        ::dup2(slave, 2);
        exec_or_die(c_argv, c_env);
    }

    PtyResult r;
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    bool exited = false;
    auto read_some = [&](int wait_ms) {
        pollfd p{master, POLLIN, 0};
        if (::poll(&p, 1, wait_ms) <= 0 || !(p.revents & POLLIN)) return false;
        char buf[4096];
        ssize_t k = ::read(master, buf, sizeof buf);
        if (k <= 0) return false;
        r.output.append(buf, static_cast<size_t>(k));
        return true;
    };
    while (!exited) {
        read_some(20);
        if (::waitpid(pid, &status, WNOHANG) == pid) exited = true;
        else if (Clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            r.timed_out = true;
            exited = true;
        }
    }
    // Everything kubik wrote is already in the pty's buffer; take it. Within
    // a deadline: a process that inherited the slave (a leaked container
    // process) could keep writing forever.
    const auto drain_deadline = Clock::now() + 2s;
    while (Clock::now() < drain_deadline && read_some(200)) {}
    ::close(slave_keep);
    ::close(master);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
    return r;
}

}  // namespace kubik::test
