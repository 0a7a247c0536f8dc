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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them.
std::uint32_t to_libseccomp(const SeccompAction& action) {
    switch (action.kind) {
    case SeccompAction::Kind::Allow: return SCMP_ACT_ALLOW;
    case SeccompAction::Kind::Errno: return SCMP_ACT_ERRNO(static_cast<std::uint32_t>(action.errno_value));
    case SeccompAction::Kind::KillThread: return SCMP_ACT_KILL_THREAD;
    case SeccompAction::Kind::KillProcess: return SCMP_ACT_KILL_PROCESS;
    case SeccompAction::Kind::Trap: return SCMP_ACT_TRAP;
    case SeccompAction::Kind::Log: return SCMP_ACT_LOG;
    case SeccompAction::Kind::Trace: return SCMP_ACT_TRACE(static_cast<std::uint32_t>(action.errno_value));
    }
    throw Error("seccomp: unknown action");
}

scmp_compare to_libseccomp(SeccompArg::Op op) {
    switch (op) {
    case SeccompArg::Op::NotEqual: return SCMP_CMP_NE;
    case SeccompArg::Op::LessThan: return SCMP_CMP_LT;
    case SeccompArg::Op::LessOrEqual: return SCMP_CMP_LE;
    case SeccompArg::Op::Equal: return SCMP_CMP_EQ;
    case SeccompArg::Op::GreaterOrEqual: return SCMP_CMP_GE;
    case SeccompArg::Op::GreaterThan: return SCMP_CMP_GT;
    case SeccompArg::Op::MaskedEqual: return SCMP_CMP_MASKED_EQ;
    }
    throw Error("seccomp: unknown comparison");
}

// Docker's rule: conditions on different arguments all hold (one libseccomp
// rule, whose conditions are ANDed); two on the same argument are
// alternatives — libseccomp takes one condition per argument in a rule, so
// the alternatives become rules of their own: one per combination of one
// condition from each argument.
std::vector<std::vector<scmp_arg_cmp>> condition_sets(const std::vector<SeccompArg>& args) {
    std::vector<std::vector<scmp_arg_cmp>> by_index(6);
    for (const auto& arg : args) {
        if (arg.index > 5) throw Error("seccomp: argument index " + std::to_string(arg.index) + " is out of range (0 to 5)");
        by_index[arg.index].push_back(scmp_arg_cmp{arg.index, to_libseccomp(arg.op), arg.value, arg.value_two});
    }
    std::vector<std::vector<scmp_arg_cmp>> sets{{}};
    for (const auto& alternatives : by_index) {
        if (alternatives.empty()) continue;
        std::vector<std::vector<scmp_arg_cmp>> next;
        for (const auto& set : sets)
            for (const auto& cmp : alternatives) {
                next.push_back(set);
                next.back().push_back(cmp);
            }
        sets = std::move(next);
    }
    return sets;
}
// END SOLUTION

} // namespace

SeccompFilter build_seccomp_filter(const SeccompProfile& profile) {
    // BEGIN SOLUTION build_seccomp_filter
    // TODO: seccomp_init(the default action) into a SeccompFilter; turn off
    // SCMP_FLTATR_CTL_NNP (src decides about no_new_privs); seccomp_arch_add
    // each of profile.architectures (seccomp_arch_resolve_name; -EEXIST, the
    // native one, is fine). For each rule whose action is not the default
    // one (libseccomp refuses those): each name through
    // seccomp_syscall_resolve_name (__NR_SCMP_ERROR: a call this libseccomp
    // doesn't know, skipped as docker does), then seccomp_rule_add_array with
    // its conditions (scmp_arg_cmp) — two on the same argument are two
    // rules. Every failure: kubik::Error naming the call and the syscall.
    const std::uint32_t default_action = to_libseccomp(profile.default_action);
    SeccompFilter filter(seccomp_init(default_action));
    if (!filter) throw Error("seccomp_init: invalid default action");
    if (const int rc = seccomp_attr_set(filter.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
        throw_errno("seccomp_attr_set SCMP_FLTATR_CTL_NNP", -rc);
    for (const auto& name : profile.architectures) {
        const std::uint32_t arch = seccomp_arch_resolve_name(name.c_str());
        if (arch == 0) throw Error("seccomp_arch_add " + name + ": unknown architecture");
        if (const int rc = seccomp_arch_add(filter.get(), arch); rc < 0 && rc != -EEXIST)
            throw_errno("seccomp_arch_add " + name, -rc);
    }
    for (const auto& rule : profile.syscalls) {
        const std::uint32_t action = to_libseccomp(rule.action);
        if (action == default_action) continue;
        const auto sets = condition_sets(rule.args);
        for (const auto& name : rule.names) {
            const int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) continue;
            for (const auto& set : sets) {
                const int rc = seccomp_rule_add_array(filter.get(), action, nr, static_cast<unsigned>(set.size()),
                                                      set.empty() ? nullptr : set.data());
                if (rc < 0) throw_errno("seccomp_rule_add " + name, -rc);
            }
        }
    }
    return filter;
    // END SOLUTION
}

} // namespace kubik::security
