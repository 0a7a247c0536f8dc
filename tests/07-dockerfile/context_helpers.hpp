// Helpers of the context part's tests (ignore_test, context_test,
// copy_test): a scratch directory per test with a "context" and an image
// "root" in it, and small file makers. Everything is in-process and made
// below the test's ScratchDir, so nothing outlives the test.
#pragma once

#include "kubik_test.hpp"
#include "parse_fixture.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"
#include "dockerfile.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

namespace kubik::test::context7 {

/// Runs `body` in a forked child whose view of the host's files is read-only
/// (a mount namespace of its own, every mount made read-only with
/// mount_setattr), except `writable` (bind-mounted read-write) and what the
/// child reaches through descriptors opened before (the image root's
/// root_fd: its mount is the test's own). copy_into_root() runs as root: a
/// wrong one (no RESOLVE_IN_ROOT, a path joined by hand) would write into
/// the HOST's /etc; here it gets EROFS, and the test says what went wrong
/// instead of damaging the machine. Returns "" when `body` returned, else
/// "stub: MESSAGE" for a NotImplemented, or the exception's message.
inline std::string sandboxed(const fs::path& writable, const std::function<void()>& body) {
    const std::string out = in_child([&](std::ostream& os) {
        if (::unshare(CLONE_NEWNS) != 0) {
            os << "sandbox: unshare(CLONE_NEWNS): " << std::strerror(errno);
            return;
        }
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            os << "sandbox: make / private: " << std::strerror(errno);
            return;
        }
        mount_attr attr{};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (::syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) != 0) {
            os << "sandbox: make every mount read-only: " << std::strerror(errno);
            return;
        }
        if (::mount(writable.c_str(), writable.c_str(), nullptr, MS_BIND, nullptr) != 0) {
            os << "sandbox: bind " << writable << ": " << std::strerror(errno);
            return;
        }
        // A bind mount inherits its source's read-only flag: clear it.
        mount_attr rw{};
        rw.attr_clr = MOUNT_ATTR_RDONLY;
        if (::syscall(SYS_mount_setattr, AT_FDCWD, writable.c_str(), 0, &rw, sizeof rw) != 0) {
            os << "sandbox: make " << writable << " writable: " << std::strerror(errno);
            return;
        }
        // Temporary files (copy_sources, extract_archive) go below `writable` too.
        ::setenv("TMPDIR", writable.c_str(), 1);
        try {
            body();
            os << "ok";
        } catch (const kubik::NotImplemented& e) {
            os << "stub: " << e.what();
        } catch (const std::exception& e) {
            os << e.what();
        }
    });
    return out == "ok" ? "" : out;
}

/// A scratch directory with context/ and root/ (the image's root, opened
/// as root_fd()); fails the test when copy_into_root() is still a stub.
class ContextTest : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(context());
        fs::create_directories(root());
        root_fd_.reset(::open(root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(root_fd_) << root() << ": " << std::strerror(errno);
        // A source that can't exist: a written copy_into_root fails on it
        // before it touches the (invalid) root descriptor.
        const std::string gate =
            sandbox([] { kubik::dockerfile::copy_into_root("/nonexistent/kubik-gate", -1, "/kubik-gate", {}); });
        if (gate.starts_with("stub: "))
            FAIL() << "lesson 7 (dockerfile) is not implemented yet, so its tests can't pass: " << gate.substr(6);
        if (gate.starts_with("sandbox: ")) FAIL() << gate;
    }

    fs::path context() const { return scratch_.path() / "context"; }
    fs::path root() const { return scratch_.path() / "root"; }
    /// A directory beside root/ that stands for the host: nothing may land there.
    fs::path host() const { return scratch_.path() / "host"; }
    int root_fd() const { return root_fd_.get(); }
    /// sandboxed() with the test's scratch directory writable.
    std::string sandbox(const std::function<void()>& body) const { return sandboxed(scratch_.path(), body); }

    ScratchDir scratch_;
    kubik::UniqueFd root_fd_;
};

inline void make_file(const fs::path& p, const std::string& data, mode_t mode = 0644) {
    put(p, data);
    ASSERT_EQ(::chmod(p.c_str(), mode), 0) << p << ": " << std::strerror(errno);
}

inline void make_link(const fs::path& link, const std::string& to) {
    fs::create_directories(link.parent_path());
    ASSERT_EQ(::symlink(to.c_str(), link.c_str()), 0) << link << ": " << std::strerror(errno);
}

inline void set_mtime(const fs::path& p, time_t sec, long nsec = 0) {
    const timespec times[2] = {{sec, nsec}, {sec, nsec}};
    ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << p << ": " << std::strerror(errno);
}

/// lstat(); st_ino 0 when it fails.
inline struct stat lstat_of(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) st.st_ino = 0;
    return st;
}

inline bool exists_no_follow(const fs::path& p) { return lstat_of(p).st_ino != 0; }

inline std::string link_target(const fs::path& p) {
    char buf[4096];
    const ssize_t n = ::readlink(p.c_str(), buf, sizeof buf);
    return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
}

using parse7::error_of; // the parser tests' helper

/// The exit code of the kubik::Error `call` throws; -1 when none.
inline int exit_code_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const kubik::Error& e) {
        return e.exit_code();
    } catch (const std::exception&) {
        return -2;
    }
    return -1;
}

} // namespace kubik::test::context7
