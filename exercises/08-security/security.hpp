// Lesson 8 — security: the walls around a container's root.
//
// Until this lesson a container's command runs as the host kernel's root:
// every capability, every system call, the host's /proc/kcore and
// /proc/sysrq-trigger a read or a write away. Namespaces change what a
// process *sees*; nothing so far limits what it may *do*. Docker adds four
// walls, and so does this lesson:
//
//   PID 1 (kubik-init), root still     PID 2, just before exec(2)
//   ┌───────────────────────────────┐  ┌──────────────────────────────────┐
//   │ mask_paths()                  │  │ [seccomp filter, without NNP]    │
//   │   /proc/kcore <- /dev/null    │  │ switch_user()  setgroups, setgid,│
//   │   /sys/firmware <- empty tmpfs│  │                setuid            │
//   │ make_paths_read_only()        │  │ drop_capabilities()  bounding,   │
//   │   /proc/sys, /proc/bus …      │  │   effective, permitted, ambient  │
//   │ (+ src: device cgroup)        │  │ [no_new_privs; seccomp with NNP] │
//   └───────────────────────────────┘  │ exec                             │
//                                      └──────────────────────────────────┘
//
// src/ decides *what* (docker's default capability set, its seccomp
// profile, its lists of masked and read-only paths, the user from the
// image's /etc/passwd: src/security/); the student writes *how*: the five
// functions below. Each throws kubik::Error naming the call that failed.
#pragma once

#include <linux/capability.h>
#include <seccomp.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace kubik::security {

// [docs:security-api]

// ---------------------------------------------------------------------------
// Users (the image's USER, `run --user`).

/// Who a container's command runs as: resolved by src from the container's
/// own /etc/passwd and /etc/group (never the host's).
struct ExecUser {
    uid_t uid = 0;              ///< the user id (setuid)
    gid_t gid = 0;              ///< the primary group id (setgid)
    std::vector<gid_t> groups;  ///< supplementary groups (setgroups), --group-add's included
    std::string home = "/";     ///< HOME when the environment has none
};

/// Becomes `user`: the supplementary groups, then the group, then the user
/// (setgroups, setgid, setuid — in that order, because the first two need
/// CAP_SETGID and a setuid away from 0 may take it away). Real, effective
/// and saved ids all change, so the command can't switch back. src calls it
/// with SECBIT_NO_SETUID_FIXUP set, so the capability sets are left for
/// drop_capabilities() to decide.
void switch_user(const ExecUser& user);

// ---------------------------------------------------------------------------
// Capabilities (capabilities(7)).

/// The capabilities the command keeps, by number (CAP_CHOWN, …).
struct Capabilities {
    /// The bounding set: everything the process, and every program it
    /// execs (setuid-root and file-capability binaries too), may ever hold.
    std::vector<int> bounding;
    /// The effective and permitted sets: what the process holds now. The
    /// bounding set for root; empty for another user, as in docker.
    std::vector<int> effective;
};

/// Leaves the calling process exactly `caps`: every capability the kernel
/// knows that is not in `caps.bounding` is dropped from the bounding set,
/// the effective and permitted sets become `caps.effective`, the
/// inheritable set and the ambient set become empty.
void drop_capabilities(const Capabilities& caps);

// ---------------------------------------------------------------------------
// seccomp (seccomp(2)): a filter on system calls, by number and arguments.

/// What the filter does with a call.
struct SeccompAction {
    /// docker's SCMP_ACT_ALLOW, _ERRNO, _KILL_THREAD, _KILL_PROCESS, _TRAP, _LOG, _TRACE.
    enum class Kind { Allow, Errno, KillThread, KillProcess, Trap, Log, Trace };
    Kind kind = Kind::Allow;  ///< what happens to the call
    int errno_value = 0;  ///< the error the call returns (Kind::Errno); for Trace, the tracer's message
};

/// A comparison of one argument of the call (docker's "args" entry).
struct SeccompArg {
    /// docker's SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ.
    enum class Op { NotEqual, LessThan, LessOrEqual, Equal, GreaterOrEqual, GreaterThan, MaskedEqual };
    unsigned index = 0;         ///< which argument, 0-5
    std::uint64_t value = 0;    ///< compared with; for MaskedEqual, the mask
    std::uint64_t value_two = 0;  ///< for MaskedEqual: what (arg & value) must equal
    Op op = Op::Equal;          ///< how the argument is compared
};

/// One rule: the calls named, when every condition in `args` holds, get
/// `action`. Conditions on *different* arguments must all hold (AND); two
/// conditions on the *same* argument are alternatives (OR), as in docker.
struct SeccompRule {
    std::vector<std::string> names;  ///< "clone", "personality", …: a name this kernel or libseccomp doesn't know is skipped
    SeccompAction action;            ///< what the calls get
    std::vector<SeccompArg> args;    ///< conditions on their arguments (none: always)
};

/// A profile, already resolved by src for this container (docker's
/// "includes"/"excludes" by capability and architecture applied).
struct SeccompProfile {
    SeccompAction default_action;  ///< for every call no rule names
    /// Architectures the filter accepts besides the native one:
    /// libseccomp's names ("x86", "x32"); others are killed by the kernel.
    std::vector<std::string> architectures;
    std::vector<SeccompRule> syscalls;  ///< the rules, in the profile's order
};

/// libseccomp's filter context, released when it goes.
struct SeccompRelease {
    /// seccomp_release() of the context.
    void operator()(void* ctx) const noexcept { seccomp_release(static_cast<scmp_filter_ctx>(ctx)); }
};
/// A filter built and not yet loaded: seccomp_load() takes it.
using SeccompFilter = std::unique_ptr<std::remove_pointer_t<scmp_filter_ctx>, SeccompRelease>;

/// Builds the filter of `profile`, without loading it: src exports the
/// compiled program (seccomp_export_bpf()), keeps it for the next start and
/// loads it at the last moment it may (see the lesson). Throws
/// kubik::Error naming the call and the system call name when libseccomp
/// refuses a rule.
SeccompFilter build_seccomp_filter(const SeccompProfile& profile);

// ---------------------------------------------------------------------------
// /proc and /sys: the host's kernel seen through the container's root.

/// In the container's root (the calling process is in it, /proc and /sys
/// mounted): hides each of `paths` — a file under /dev/null bound over it,
/// a directory under an empty read-only tmpfs. A path that doesn't exist is
/// skipped (not every kernel has /proc/acpi).
void mask_paths(const std::vector<std::string>& paths);

/// In the container's root: makes each of `paths` read-only where it is,
/// keeping its other mount flags (nosuid, nodev, noexec). A path that
/// doesn't exist is skipped.
void make_paths_read_only(const std::vector<std::string>& paths);

// [docs:security-api end]

} // namespace kubik::security
