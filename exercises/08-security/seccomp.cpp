// Lesson 8 — security: the seccomp filter, a wall around the system calls.
// Read lessons/08-security/README.md first.
//
// Namespaces and capabilities decide what a call may reach; seccomp decides
// which calls may be made at all. A filter is a small BPF program the kernel
// runs on every system call of the process, before the call: it sees the
// call's number, the architecture, and the six argument registers, and
// answers allow, fail with this errno, kill, trap, log or ask a tracer.
// libseccomp writes the BPF; this file turns the profile src resolved
// (docker's, by default) into libseccomp's rules. The kernel's rules that
// shape it (seccomp(2)):
//
// 1. A filter can't be removed, and it is inherited: by every thread made
//    after it, every child, across execve. Filters only stack: a second one
//    runs too, and the strictest answer wins. That is what makes it a wall —
//    and why tests load one only in a forked child.
//
// 2. Loading one needs no_new_privs (prctl(PR_SET_NO_NEW_PRIVS)) or
//    CAP_SYS_ADMIN: otherwise a filter could make a setuid-root program's
//    setuid() "succeed" without doing anything and fool it. libseccomp sets
//    no_new_privs itself on seccomp_load() unless told not to
//    (SCMP_FLTATR_CTL_NNP); src decides about no_new_privs (docker's
//    --security-opt no-new-privileges), so the filter must not.
//
// 3. An allow-list, not a deny-list: docker's default action is "EPERM" and
//    ~350 calls are allowed. A new kernel's new call is then refused until
//    someone decides it is safe, instead of open until someone notices.
//
// 4. The filter sees registers, not memory: it can compare an argument
//    that is a number (clone's flags, socket's family, personality's
//    persona), never what a pointer points to (a path, clone3's struct of
//    flags: so clone3 gets ENOSYS and the C library falls back to clone,
//    whose flags the filter can see). Checking a pointer's target would be
//    racy anyway: another thread may change it after the check.
//
// 5. A call's number depends on the architecture: x86_64, x86 (int 0x80)
//    and x32 are three tables in one kernel. A filter matches the
//    architecture first; an architecture it doesn't know is killed
//    (SCMP_FLTATR_ACT_BADARCH), so each one the profile lists is added.
#include "security.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <string>
#include <vector>

namespace kubik::security {

namespace {

// TODO: helpers of your own, if you want them.

} // namespace

SeccompFilter build_seccomp_filter(const SeccompProfile& profile) {
    // TODO: seccomp_init(the default action) into a SeccompFilter; turn off
    // SCMP_FLTATR_CTL_NNP (src decides about no_new_privs); seccomp_arch_add
    // each of profile.architectures (seccomp_arch_resolve_name; -EEXIST, the
    // native one, is fine). For each rule whose action is not the default
    // one (libseccomp refuses those): each name through
    // seccomp_syscall_resolve_name (__NR_SCMP_ERROR: a call this libseccomp
    // doesn't know, skipped as docker does), then seccomp_rule_add_array with
    // its conditions (scmp_arg_cmp) — two on the same argument are two
    // rules. Every failure: kubik::Error naming the call and the syscall.
    throw kubik::NotImplemented("not implemented yet: lesson 8 (security) — build_seccomp_filter(); see lessons/08-security/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::security
