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
// BEGIN SOLUTION
// TODO: helpers of your own, if you want them.
struct CapFree {
    void operator()(cap_t c) const noexcept { cap_free(c); }
};
using UniqueCap = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

bool contains(const std::vector<int>& v, int cap) { return std::find(v.begin(), v.end(), cap) != v.end(); }
// END SOLUTION
} // namespace

void drop_capabilities(const Capabilities& caps) {
    // BEGIN SOLUTION drop_capabilities
    // TODO: 1. for every cap 0..cap_max_bits()-1 not in caps.bounding:
    // prctl(PR_CAPBSET_DROP, cap) (EINVAL: the kernel doesn't know it — fine).
    // 2. prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL). 3. cap_init(),
    // CAP_EFFECTIVE and CAP_PERMITTED = caps.effective, cap_set_proc().
    // Every failure: kubik::Error naming the call (throw_errno).
    const int last = static_cast<int>(cap_max_bits());
    for (int cap = 0; cap < last; ++cap) {
        if (contains(caps.bounding, cap)) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            throw_errno("prctl(PR_CAPBSET_DROP, " + std::to_string(cap) + ")");
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        throw_errno("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    UniqueCap state(cap_init());
    if (!state) throw_errno("cap_init");
    std::vector<cap_value_t> values(caps.effective.begin(), caps.effective.end());
    if (!values.empty()) {
        if (cap_set_flag(state.get(), CAP_EFFECTIVE, static_cast<int>(values.size()), values.data(), CAP_SET) != 0 ||
            cap_set_flag(state.get(), CAP_PERMITTED, static_cast<int>(values.size()), values.data(), CAP_SET) != 0)
            throw_errno("cap_set_flag");
    }
    if (cap_set_proc(state.get()) != 0) throw_errno("cap_set_proc");
    // END SOLUTION
}

} // namespace kubik::security
