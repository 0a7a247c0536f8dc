// Which capabilities a container's command keeps: docker's rules.
//
// Docker (moby's oci/caps) starts from a default set of 14, lets
// --cap-drop take some away and --cap-add put others in, and --privileged
// gives every capability the kernel knows. The names are docker's: any
// case, with or without "CAP_", and "ALL". What comes out is the bounding
// set; the effective and permitted sets are the same for root and empty for
// any other user (docker ≥ 20.10.14: a USER no longer gets them at exec).
#pragma once

#include "container/security_options.hpp"
#include "security.hpp"

#include <sys/types.h>

#include <string>
#include <vector>

namespace kubik::security {

/// Docker's default set, by number: CHOWN, DAC_OVERRIDE, FSETID, FOWNER,
/// MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE,
/// SYS_CHROOT, KILL, AUDIT_WRITE (mask 0xa80425fb).
std::vector<int> default_capabilities();

/// Every capability this kernel knows: 0 .. /proc/sys/kernel/cap_last_cap.
std::vector<int> all_capabilities();

/// A name as docker writes it back: "NET_ADMIN" for "net_admin" or
/// "cap_net_admin", "ALL" for "all". Throws kubik::Error (125) with moby's
/// words, `invalid CapAdd: unknown capability: "CAP_X"`, for a name
/// libcap doesn't know; `flag` is "CapAdd" or "CapDrop".
std::string normalize_capability(const std::string& name, const char* flag);

/// The bounding set of `options` (moby's TweakCapabilities): --privileged
/// is every capability; ALL in --cap-add is every one but the dropped;
/// ALL in --cap-drop is only the added; otherwise the default set minus
/// the dropped plus the added (an add wins over a drop of the same name).
/// Sorted by number. Throws kubik::Error (125) for an unknown name.
std::vector<int> bounding_capabilities(const SecurityOptions& options);

/// What drop_capabilities() gets for a command running as `uid`.
Capabilities capabilities_for(std::vector<int> bounding, uid_t uid);

/// The mask of a set, as /proc/PID/status prints it (CapBnd: 00000000a80425fb).
std::uint64_t capability_mask(const std::vector<int>& caps);

} // namespace kubik::security
