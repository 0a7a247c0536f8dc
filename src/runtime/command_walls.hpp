// Lesson 8's walls, put up in the order the kernel allows.
//
// Two moments in a container's start:
//
//   kubik-init (PID 1), in the container's root, all capabilities:
//     put_up_root_walls()     masked and read-only /proc and /sys paths,
//                             --read-only's root
//   the command (PID 2, or exec's process), just before exec(2):
//     put_up_command_walls()  seccomp filter (compiled before clone) loaded now unless
//                             no_new_privs is asked (seccomp(2) without
//                             no_new_privs needs CAP_SYS_ADMIN, which is
//                             about to go); the user switch with
//                             SECBIT_NO_SETUID_FIXUP; the capability sets;
//                             no_new_privs and the filter last
//
// The filter allows what comes after its load (setgroups, setuid, capset,
// prctl, execve), as docker's does; runc loads in the same two places.
//
// While lesson 8 is a stub, both quietly leave the walls down, as lessons
// 0-7 had them, unless a flag asked for one (then 125 naming lesson 8).
#pragma once

#include "container/security_options.hpp"
#include "security.hpp"
#include "security/seccomp_cache.hpp"

#include <optional>

namespace kubik {

/// In kubik-init, once the container's root is entered (lesson 2's /proc
/// and /sys mounted, lesson 5's volumes and lesson 6's /etc files bound).
void put_up_root_walls(const SecurityOptions& security);

/// In the command's process, the last thing before exec: becomes `user`
/// (none: stays root) behind `security`'s capabilities and `seccomp`, the
/// filter kubik compiled for it before clone (null: none; see
/// security/seccomp_cache.hpp).
void put_up_command_walls(const SecurityOptions& security, std::optional<security::ExecUser> user,
                          const security::CompiledSeccomp* seccomp);

} // namespace kubik
