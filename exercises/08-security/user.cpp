// Lesson 8 — security: becoming the container's user.
// Read lessons/08-security/README.md first.
//
// The kernel's rules, in the order they bite:
//
// 1. setgroups() first. kubik runs as the host's root, whose supplementary
//    groups (often 0, sometimes more) would otherwise stay with the command:
//    a uid change leaves them alone. So the list is always set, also when
//    it is empty.
// 2. setgid() next, setuid() last. Both setgroups() and setgid() need
//    CAP_SETGID; after setuid() to a non-zero uid the process is an
//    ordinary user, and a later setgid() would fail with EPERM.
// 3. setuid() as root changes the real, the effective *and* the saved uid
//    (setresuid semantics), so the command can't switch back. Without
//    SECBIT_NO_SETUID_FIXUP it would also empty the permitted and
//    effective capability sets (capabilities(7), "Effect of user ID changes
//    on capabilities"); src sets that bit around this call, so that
//    drop_capabilities() decides what stays.
// 4. Trust, but verify: getresuid()/getresgid() say what the kernel did.
//    A silent half-switch (a uid that stayed 0) would be the worst bug of
//    all here.
#include "security.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <grp.h>
#include <unistd.h>

#include <string>

namespace kubik::security {

void switch_user(const ExecUser& user) {
    // TODO: setgroups(user.groups), setgid(user.gid), setuid(user.uid), in
    // that order, each throwing kubik::Error naming the call (throw_errno);
    // then check with getresuid()/getresgid() that all three ids changed.
    throw kubik::NotImplemented("not implemented yet: lesson 8 (security) — switch_user(); see lessons/08-security/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::security
