// Helpers of the context part's tests (ignore_test, context_test,
// copy_test): a scratch directory per test with a "context" and an image
// "root" in it, and small file makers. Everything is in-process and made
// below the test's ScratchDir, so nothing outlives the test.
#pragma once

#include "kubik_test.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"
#include "dockerfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>

namespace kubik::test::context7 {

/// The stub's message when copy_into_root() is not written yet, else "".
inline std::string copy_stub_message() {
    try {
        // A source that can't exist: a written copy_into_root fails on it
        // before it touches the (invalid) root descriptor.
        kubik::dockerfile::copy_into_root("/nonexistent/kubik-gate", -1, "/kubik-gate", {});
    } catch (const kubik::NotImplemented& e) {
        return e.what();
    } catch (const std::exception&) {
    }
    return "";
}

/// A scratch directory with context/ and root/ (the image's root, opened
/// as root_fd()); fails the test when copy_into_root() is still a stub.
class ContextTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string stub = copy_stub_message();
        if (!stub.empty()) FAIL() << "lesson 7 (dockerfile) is not implemented yet, so its tests can't pass: " << stub;
        fs::create_directories(context());
        fs::create_directories(root());
        root_fd_.reset(::open(root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(root_fd_) << root() << ": " << std::strerror(errno);
    }

    fs::path context() const { return scratch_.path() / "context"; }
    fs::path root() const { return scratch_.path() / "root"; }
    /// A directory beside root/ that stands for the host: nothing may land there.
    fs::path host() const { return scratch_.path() / "host"; }
    int root_fd() const { return root_fd_.get(); }

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

/// The kubik::Error's message `call` throws; "" when it throws nothing.
inline std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const kubik::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not a kubik::Error: ") + e.what();
    }
    return "";
}

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
