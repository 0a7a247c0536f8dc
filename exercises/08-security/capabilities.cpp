// Lesson 8 — security: the capabilities a container's command keeps.
// Read lessons/08-security/README.md first.
//
// Root's powers are ~41 capabilities (capabilities(7)), held in five sets
// per thread:
//
//   bounding     the ceiling: nothing outside it can ever be gained again,
//                not even by exec'ing a setuid-root or file-capability binary
//   permitted    what the thread may make effective
//   effective    what the kernel checks right now
//   inheritable  what survives exec for programs that ask for it
//   ambient      what survives exec for ordinary programs (non-root too)
//
// The order is the kernel's rule:
//
// 1. The bounding set first: prctl(PR_CAPBSET_DROP, cap) needs CAP_SETPCAP
//    in the *effective* set. Once capset() has left SETPCAP out, the
//    bounding set can't be touched any more. Drop every capability the
//    kernel knows (0 .. /proc/sys/kernel/cap_last_cap; libcap's
//    cap_max_bits()), not only those <linux/capability.h> names: a newer
//    kernel may know more than the headers.
// 2. The ambient set: PR_CAP_AMBIENT_CLEAR_ALL. (capset() lowering the
//    permitted set clears an ambient capability too, but not one that is
//    still permitted.)
// 3. capset() last: effective = permitted = caps.effective, inheritable
//    empty. Effective may never exceed permitted, permitted may only
//    shrink — so one call setting both is the safe way.
#include "security.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <memory>
#include <string>

namespace kubik::security {

namespace {
// TODO: helpers of your own, if you want them.
} // namespace

void drop_capabilities(const Capabilities& caps) {
    // TODO: 1. for every cap 0..cap_max_bits()-1 not in caps.bounding:
    // prctl(PR_CAPBSET_DROP, cap) (EINVAL: the kernel doesn't know it — fine).
    // 2. prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL). 3. cap_init(),
    // CAP_EFFECTIVE and CAP_PERMITTED = caps.effective, cap_set_proc().
    // Every failure: kubik::Error naming the call (throw_errno).
    throw kubik::NotImplemented("not implemented yet: lesson 8 (security) — drop_capabilities(); see lessons/08-security/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::security
