// kubik-monitor: stays with a detached container while it runs.
//
// `kubik run -d` starts the container, then execs this program in the
// process that is the container init's parent (see src/runtime/detach.cpp).
// It does only what must happen while the container runs, so it is small
// (the target is under 1 MiB resident, like conmon): it copies the
// container's output into its log, one timestamped JSON line per line of
// output (docker's json-file format), and waits for init to exit. Then it
// execs `kubik __finish`, which records the exit code, removes the cgroup
// and, with --rm, the container — work that needs all of kubik, for a moment.
//
// Plain C++ with no iostreams, regex or JSON library: each of those would
// add to every monitor's resident memory for the container's whole life.
//
// Usage: kubik-monitor KUBIK ROOT ID INIT_PID CGROUP, with the container's stdout on
// fd 3 (or its pty's master, with -t) and its stderr on fd 4.
#include "core/write_all.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using kubik::write_all;

constexpr int kStdoutFd = 3;
constexpr int kStderrFd = 4;
// Docker splits longer lines into several entries, so that one endless line
// can't grow the monitor without bound.
constexpr size_t kMaxLine = 16 * 1024;

// Length of the valid UTF-8 sequence at `s` (at most `left` bytes), or 0.
size_t utf8_length(const unsigned char* s, size_t left) {
    size_t len = s[0] < 0x80 ? 1 : (s[0] >> 5) == 0x6 ? 2 : (s[0] >> 4) == 0xE ? 3 : (s[0] >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || len > left) return 0;
    for (size_t i = 1; i < len; ++i)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return len;
}

/// One stream's unfinished line, and the log file it goes to.
class LogStream {
public:
    LogStream(int log_fd, const char* name) : log_fd_(log_fd), name_(name) {}

    void add(const char* data, size_t size) {
        for (size_t i = 0; i < size; ++i) {
            line_[len_++] = data[i];
            if (data[i] == '\n' || len_ == kMaxLine) flush();
        }
    }

    void flush() {
        if (len_ == 0) return;
        write_entry();
        len_ = 0;
    }

private:
    // {"log":"...","stream":"stdout","time":"2026-11-27T18:37:11.123456789Z"}
    void write_entry() {
        char* out = entry_;
        auto put = [&](const char* s) { while (*s) *out++ = *s++; };
        put("{\"log\":\"");
        auto* s = reinterpret_cast<const unsigned char*>(line_);
        for (size_t i = 0; i < len_;) {
            unsigned char c = s[i];
            if (c == '"' || c == '\\') { *out++ = '\\'; *out++ = static_cast<char>(c); ++i; continue; }
            if (c == '\n') { put("\\n"); ++i; continue; }
            if (c == '\r') { put("\\r"); ++i; continue; }
            if (c == '\t') { put("\\t"); ++i; continue; }
            if (c < 0x20) { out += std::sprintf(out, "\\u%04x", c); ++i; continue; }
            size_t n = utf8_length(s + i, len_ - i);
            if (n == 0) { put("\xEF\xBF\xBD"); ++i; continue; } // U+FFFD for a byte that isn't UTF-8
            std::memcpy(out, s + i, n);
            out += n;
            i += n;
        }
        put("\",\"stream\":\"");
        put(name_);
        put("\",\"time\":\"");
        struct timespec ts;
        ::clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        ::gmtime_r(&ts.tv_sec, &tm);
        out += ::strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
        out += std::sprintf(out, ".%09ldZ\"}\n", ts.tv_nsec);
        // One write per entry to an O_APPEND file: readers never see two
        // entries interleaved.
        write_all(log_fd_, entry_, static_cast<size_t>(out - entry_));
    }

    int log_fd_;
    const char* name_;
    char line_[kMaxLine];
    size_t len_ = 0;
    char entry_[kMaxLine * 6 + 128]; // worst case: every byte escaped as \u00XX
};

// Reads what is there; false once the stream is over (EOF, or EIO from a
// pty whose last user has gone).
bool pump(int fd, LogStream& log) {
    char buf[16384];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
        log.flush();
        return false;
    }
    log.add(buf, static_cast<size_t>(n));
    return true;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: kubik-monitor KUBIK ROOT ID INIT_PID CGROUP (started by kubik run -d)\n");
        return 125;
    }
    const char* kubik = argv[1];
    const char* root = argv[2];
    const char* id = argv[3];
    pid_t init = static_cast<pid_t>(std::atoi(argv[4]));
    ::prctl(PR_SET_NAME, "kubik-monitor");

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    int signal_fd = ::signalfd(-1, &chld, SFD_CLOEXEC);

    char log_path[4096];
    std::snprintf(log_path, sizeof log_path, "%s/containers/%s/container.log", root, id);
    int log_fd = ::open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) log_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC); // still wait for the exit status
    static LogStream out(log_fd, "stdout"), err(log_fd, "stderr");

    int fds[2] = {kStdoutFd, kStderrFd};
    for (int fd : fds) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    LogStream* logs[2] = {&out, &err};
    int status = 0;
    bool exited = false;
    while (!exited) {
        struct pollfd pfd[3] = {{signal_fd, POLLIN, 0}, {fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        if (::poll(pfd, 3, -1) < 0 && errno != EINTR) break;
        for (int s = 0; s < 2; ++s)
            if (fds[s] >= 0 && pfd[s + 1].revents && !pump(fds[s], *logs[s])) {
                ::close(fds[s]);
                fds[s] = -1; // poll ignores negative descriptors
            }
        if (pfd[0].revents) {
            struct signalfd_siginfo info;
            (void)!::read(signal_fd, &info, sizeof info);
            if (::waitpid(init, &status, WNOHANG) == init) exited = true;
        }
    }
    // The container is gone: take what output is left, without waiting for
    // a writer that may never close (without a PID namespace, orphans may).
    for (int s = 0; s < 2; ++s) {
        if (fds[s] < 0) continue;
        ::fcntl(fds[s], F_SETFL, O_NONBLOCK);
        char buf[16384];
        ssize_t n;
        while ((n = ::read(fds[s], buf, sizeof buf)) > 0) logs[s]->add(buf, static_cast<size_t>(n));
        logs[s]->flush();
    }

    char status_text[16];
    std::snprintf(status_text, sizeof status_text, "%d", status);
    // CGROUP (PARENT/ID) goes along, so that __finish removes the cgroup
    // even when it can't read the container's state file.
    const char* finish[] = {"kubik", "__finish", root, id, status_text, argv[5], nullptr};
    ::execv(kubik, const_cast<char* const*>(finish));
    std::fprintf(stderr, "kubik-monitor: exec %s: %s\n", kubik, std::strerror(errno));
    return 125;
}
