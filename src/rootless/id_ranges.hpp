// The ids a user may map into a user namespace: /etc/subuid and /etc/subgid
// (subuid(5)), one "NAME-or-UID:FIRST:COUNT" line per range.
//
// Only newuidmap and newgidmap (setuid root, Debian's uidmap package) may
// write such a map for an ordinary user; they check these files themselves.
// kubik reads them only to say what to map, and to say clearly what is
// missing before newuidmap fails with less helpful words.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace kubik::rootless {

/// A range of host ids: FIRST, FIRST+1, ... FIRST+COUNT-1.
struct IdRange {
    unsigned long first = 0; ///< the first host id
    unsigned long count = 0; ///< how many
};

/// The user's name in /etc/passwd (kubik is linked statically: no NSS),
/// or "" when the uid has no line there.
std::string user_name(uid_t uid, const std::filesystem::path& passwd = "/etc/passwd");

/// The first range of `file` (subuid(5)) given to user `name` or to the
/// number `id`. Throws kubik::Error naming the file and the user, with the
/// command that adds a range, when there is none.
IdRange subordinate_range(const std::filesystem::path& file, const std::string& name, unsigned long id);

} // namespace kubik::rootless
