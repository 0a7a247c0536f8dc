// build_seccomp_filter, called directly. A loaded filter never goes away, so
// every filter is built and loaded in a forked child (in_child) that reports
// what its calls returned and ends; the test process is never filtered.
#include "lesson8.hpp"

#include "security.hpp"
#include "security/seccomp_profile.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace kubik::test::security8 {
namespace {

namespace sec = kubik::security;
using Kind = sec::SeccompAction::Kind;

const std::vector<int> kDockerCaps = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,           CAP_MKNOD,      CAP_NET_RAW,    CAP_SETGID,
    CAP_SETUID, CAP_SETFCAP,      CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,       CAP_AUDIT_WRITE,
};

/// "ok" when `rc` is not -1, else the errno's name-ish number ("errno 1").
std::string outcome(long rc) {
    return rc == -1 ? "errno " + std::to_string(errno) : "ok";
}

/// The value of `key` in /proc/self/status ("Seccomp", "NoNewPrivs").
std::string status_field(const std::string& key) {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + ":", 0) == 0) {
            std::string v = line.substr(key.size() + 1);
            v.erase(0, v.find_first_not_of(" \t"));
            return v;
        }
    return "?";
}

/// In a child: builds `profile`'s filter, sets no_new_privs, loads it, runs `body`.
std::string filtered(const sec::SeccompProfile& profile, const std::function<void(std::ostream&)>& body) {
    return in_child([&](std::ostream& out) {
        auto filter = sec::build_seccomp_filter(profile);
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw std::runtime_error("PR_SET_NO_NEW_PRIVS");
        sec::load_seccomp_filter(filter);
        body(out);
    });
}

sec::SeccompProfile allow_all_but(std::vector<sec::SeccompRule> rules) {
    sec::SeccompProfile p;
    p.default_action = {Kind::Allow, 0};
    p.syscalls = std::move(rules);
    return p;
}

TEST(SeccompFilter, AllowedCallsWorkRefusedOnesReturnTheProfilesErrno) {
    const auto p = allow_all_but({{{"uname"}, {Kind::Errno, EACCES}, {}}});
    const std::string report = filtered(p, [](std::ostream& out) {
        utsname u{};
        out << "uname " << outcome(::uname(&u)) << "\n";
        out << "getppid " << outcome(::getppid()) << "\n";
        out << "Seccomp " << status_field("Seccomp") << "\n";
        out << "NoNewPrivs " << status_field("NoNewPrivs") << "\n";
    });
    EXPECT_EQ(report, "uname errno " + std::to_string(EACCES) + "\ngetppid ok\nSeccomp 2\nNoNewPrivs 1\n");
}

TEST(SeccompFilter, DoesNotSetNoNewPrivsItself) {
    // src decides about no_new_privs; root (CAP_SYS_ADMIN) may load without it.
    const auto p = allow_all_but({{{"uname"}, {Kind::Errno, EPERM}, {}}});
    const std::string report = in_child([&](std::ostream& out) {
        auto filter = sec::build_seccomp_filter(p);
        sec::load_seccomp_filter(filter);
        out << "Seccomp " << status_field("Seccomp") << " NoNewPrivs " << status_field("NoNewPrivs") << "\n";
    });
    EXPECT_EQ(report, "Seccomp 2 NoNewPrivs 0\n");
}

TEST(SeccompFilter, UnknownNamesAreSkippedAndDefaultActionRulesToo) {
    const auto p = allow_all_but({{{"no_such_call_kubik", "uname"}, {Kind::Errno, EXDEV}, {}},
                                  {{"getppid"}, {Kind::Allow, 0}, {}}});
    const std::string report = filtered(p, [](std::ostream& out) {
        utsname u{};
        out << "uname " << outcome(::uname(&u)) << " getppid " << outcome(::getppid()) << "\n";
    });
    EXPECT_EQ(report, "uname errno " + std::to_string(EXDEV) + " getppid ok\n");
}

TEST(SeccompFilter, SameArgumentIsOrDifferentArgumentsAreAnd) {
    using Op = sec::SeccompArg::Op;
    const auto p = allow_all_but({
        {{"personality"}, {Kind::Errno, EXDEV}, {{0, 0x12345, 0, Op::Equal}, {0, 0x54321, 0, Op::Equal}}},
        {{"getpriority"}, {Kind::Errno, EXDEV}, {{0, PRIO_PROCESS, 0, Op::Equal}, {1, 12345, 0, Op::Equal}}},
    });
    const std::string report = filtered(p, [](std::ostream& out) {
        out << "p12345 " << outcome(::personality(0x12345)) << "\n";
        out << "p54321 " << outcome(::personality(0x54321)) << "\n";
        out << "pquery " << outcome(::personality(0xffffffff)) << "\n";
        errno = 0;
        out << "prio-both " << outcome(::syscall(SYS_getpriority, PRIO_PROCESS, 12345)) << "\n";
        out << "prio-self " << outcome(::syscall(SYS_getpriority, PRIO_PROCESS, 0)) << "\n";
        out << "prio-one " << outcome(::syscall(SYS_getpriority, PRIO_PGRP, 12345)) << "\n";
    });
    const std::string xdev = "errno " + std::to_string(EXDEV);
    EXPECT_EQ(report, "p12345 " + xdev + "\np54321 " + xdev + "\npquery ok\nprio-both " + xdev +
                          "\nprio-self ok\nprio-one errno " + std::to_string(ESRCH) + "\n");
}

TEST(SeccompFilter, DefaultProfileRefusesWhatDockerRefuses) {
    const auto p = sec::default_seccomp_profile(kDockerCaps);
    const std::string report = filtered(p, [](std::ostream& out) {
        out << "getpid " << outcome(::getpid()) << "\n";
        out << "keyctl " << outcome(::syscall(SYS_keyctl, 0, 0, 0, 0, 0)) << "\n";
        out << "personality0 " << outcome(::personality(0)) << "\n";
        out << "personality12345 " << outcome(::personality(0x12345)) << "\n";
        out << "unshare " << outcome(::unshare(CLONE_NEWNS)) << "\n";
        out << "clone3 " << outcome(::syscall(SYS_clone3, nullptr, 0)) << "\n";
        out << "vsock " << outcome(::socket(40, SOCK_STREAM, 0)) << "\n";
        out << "unix " << outcome(::socket(AF_UNIX, SOCK_STREAM, 0)) << "\n";
        const long child = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, 0);
        if (child == 0) ::_exit(0);
        if (child > 0) ::waitpid(static_cast<pid_t>(child), nullptr, 0);
        out << "clone-newuser " << outcome(child) << "\n";
        const pid_t forked = ::fork();
        if (forked == 0) ::_exit(0);
        if (forked > 0) ::waitpid(forked, nullptr, 0);
        out << "fork " << outcome(forked) << "\n";
    });
    const std::string eperm = "errno " + std::to_string(EPERM);
    EXPECT_EQ(report, "getpid ok\nkeyctl " + eperm + "\npersonality0 ok\npersonality12345 " + eperm + "\nunshare " +
                          eperm + "\nclone3 errno " + std::to_string(ENOSYS) + "\nvsock " + eperm +
                          "\nunix ok\nclone-newuser " + eperm + "\nfork ok\n");
}

TEST(SeccompFilter, DefaultProfileWithSysAdminAllowsNamespaces) {
    auto caps = kDockerCaps;
    caps.push_back(CAP_SYS_ADMIN);
    const auto p = sec::default_seccomp_profile(caps);
    const std::string report = filtered(p, [](std::ostream& out) {
        out << "unshare " << outcome(::unshare(CLONE_NEWNS)) << "\n";
        // clone3 reaches the kernel, which refuses a NULL struct itself.
        const long rc = ::syscall(SYS_clone3, nullptr, 0);
        out << "clone3 " << (rc == -1 && errno == ENOSYS ? "ENOSYS" : "reached the kernel") << "\n";
    });
    EXPECT_EQ(report, "unshare ok\nclone3 reached the kernel\n");
}

TEST(SeccompFilter, ProfileArchitecturesAreInTheFilter) {
#if defined(__x86_64__) && !defined(__ILP32__)
    sec::SeccompProfile p;
    p.default_action = {Kind::Errno, EPERM};
    p.architectures = {"x86", "x32"};
    const auto filter = sec::build_seccomp_filter(p);  // built, never loaded: safe here
    EXPECT_EQ(seccomp_arch_exist(filter.get(), SCMP_ARCH_X86), 0);
    EXPECT_EQ(seccomp_arch_exist(filter.get(), SCMP_ARCH_X32), 0);
    EXPECT_EQ(seccomp_arch_exist(filter.get(), SCMP_ARCH_AARCH64), -EEXIST);
#else
    GTEST_SKIP() << "the architectures checked are x86_64's";
#endif
}

} // namespace
} // namespace kubik::test::security8
