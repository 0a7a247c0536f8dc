// `run -u/--user` and the image's USER: who the command runs as.
//
// Docker (runc's libcontainer/user) reads the names in the *container's*
// /etc/passwd and /etc/group, never the host's: "www-data" is whatever uid
// the image gives it. So the switch happens in the container, once its root
// is entered, just before exec:
//
//   resolve_user("www-data", passwd, group) ─> ExecUser ─> switch_user()
//
// The order of the calls is the kernel's rule: setgroups() and setgid()
// need CAP_SETGID, which setuid() to a non-zero uid takes away, so the
// groups go first and the uid last. That setuid() also empties the
// permitted and effective capability sets (capabilities(7): a uid change
// away from 0 without SECBIT_KEEP_CAPS), so a USER runs without root's
// powers, as in docker. Lesson 8 (security) builds on this.
#pragma once

#include "security.hpp"

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace kubik {

/// Who a container's command runs as (lesson 8's type: switch_user() takes it).
using security::ExecUser;

/// Docker's --user syntax, checked without any passwd file: "NAME", "UID",
/// "NAME:GROUP", "UID:GID" (and mixes). Throws kubik::Error (125) for an
/// empty part ("1000:") or a number out of range.
void check_user_spec(const std::string& user);

/// Resolves `user` (see check_user_spec) against the text of the
/// container's /etc/passwd and /etc/group, as runc does: a name must be in
/// passwd ("unable to find user NAME: no matching entries in passwd file"),
/// a number need not be (its gid is then 0 and its home "/"); a group name
/// must be in group; without a group, the user's passwd gid, and the groups
/// of /etc/group that list the user as a member are its supplementary ones.
ExecUser resolve_user(const std::string& user, std::string_view passwd, std::string_view group);

/// --group-add's groups, by name (the group file's) or number, in order.
/// Throws kubik::Error ("unable to find group NAME: no matching entries in
/// group file") for an unknown name.
std::vector<gid_t> resolve_groups(const std::vector<std::string>& names, std::string_view group_file);

/// Adds resolve_groups() of the container's own /etc/group to `user`'s
/// supplementary groups (once each).
void add_groups_in_root(ExecUser& user, const std::vector<std::string>& names);

/// resolve_user() with the files of the root the caller is in (a missing
/// file reads as empty; one that isn't a regular file is refused, so that a
/// FIFO at /etc/passwd can't hang the start).
ExecUser resolve_user_in_root(const std::string& user);

/// Becomes `user`: lesson 8's security::switch_user(), or, while that is
/// still a stub, src's own setgroups/setgid/setuid — quietly, because
/// lesson 7's USER tests (and a student's earlier lessons) need the switch
/// and compare their output byte for byte.
void switch_user_or_fallback(const ExecUser& user);

} // namespace kubik
