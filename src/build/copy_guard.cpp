// See copy_guard.hpp: why a COPY runs in a child that sees the host read-only.
#include "build/copy_guard.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace kubik::build {

namespace {

// Set in the child: a copy inside a guarded copy needs no second child.
bool g_guarded = false;

// The child's read-only view of the host; false when the kernel refused
// (then nothing was changed that matters: the namespace is the child's).
bool make_host_readonly(const std::string& scratch) {
    if (::unshare(CLONE_NEWNS) != 0) return false;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) != 0) return false;
    // Mounting over a directory writes nothing to it: allowed on a
    // read-only mount. The tmpfs goes with the namespace. Not over /tmp
    // itself: the build context may well be in /tmp, and must stay visible.
    if (::mount("tmpfs", scratch.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") != 0) return false;
    ::setenv("TMPDIR", scratch.c_str(), 1);
    return true;
}

// An empty directory of the host's temp dir, removed when this goes: the
// place the child's private tmpfs is mounted on.
class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "kubik-copy-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw_errno("create a temporary directory for a COPY");
        path_ = tmpl;
    }
    ~ScratchDir() { ::rmdir(path_.c_str()); }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

void write_all(int fd, const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

void run_with_readonly_host(const std::function<void()>& body) {
    if (g_guarded) {
        body();
        return;
    }
    const ScratchDir scratch;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    const pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        read_end.reset();
        // The report: one letter, then the exit code and the message.
        //   O: done   U: unguarded (no namespace)   E: kubik::Error   N: NotImplemented   X: other
        std::string report;
        if (!make_host_readonly(scratch.path())) {
            report = "U";
        } else {
            g_guarded = true;
            try {
                body();
                report = "O";
            } catch (const NotImplemented& e) {
                report = std::string("N0 ") + e.what();
            } catch (const Error& e) {
                report = "E" + std::to_string(e.exit_code()) + " " + e.what();
            } catch (const std::exception& e) {
                report = std::string("X0 ") + e.what();
            }
        }
        write_all(write_end.get(), report);
        // _exit: the parent's stdio buffers and atexit handlers are not ours to run.
        ::_exit(0);
    }
    write_end.reset();
    std::string report;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        report.append(buf, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (report == "O") return;
    if (report == "U") {
        body();
        return;
    }
    if (report.empty()) {
        const std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                                    : "exited with " + std::to_string(WEXITSTATUS(status));
        throw Error("the copy's process " + how, kExitGeneric);
    }
    const std::size_t space = report.find(' ');
    const std::string message = space == std::string::npos ? "" : report.substr(space + 1);
    const int code = std::atoi(report.substr(1, space).c_str());
    if (report[0] == 'N') throw NotImplemented(message);
    if (report[0] == 'E') throw Error(message, code);
    throw Error(message, kExitGeneric);
}

} // namespace kubik::build
