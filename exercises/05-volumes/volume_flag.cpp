// Lesson 5 — volumes: reading a `-v` flag. Read lessons/05-volumes/README.md first.
//
// `-v` packs three things into one string, separated by ':':
//
//   SOURCE:TARGET[:OPTIONS]   SOURCE is a host path when it starts with '/',
//                             else the name of a volume
//   TARGET                    alone: an anonymous volume at TARGET
//
// Docker's rules, which this file follows because users type docker's
// commands from memory:
//   - at most two ':' and no empty field ("-v ::" is one mistake, not three);
//   - the target is absolute: a mount point is a place in the container's
//     tree, and a relative one has nothing to be relative to;
//   - a volume name is [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least):
//     it becomes a directory name in the state root, so "../x" or "a/b" must
//     never get through. "data/x" is most likely a host path without its '/',
//     so the message says so;
//   - the options: ro or rw (one at most), nocopy for a volume, a propagation
//     for a bind, z/Z accepted and ignored (SELinux labels; none here). Any
//     other word, or one given twice, is "invalid mode" — never silently
//     ignored: a user who typed "r0" believes the mount is read-only.
//
// Pitfall: splitting on every ':' and taking the first three pieces accepts
// "a:/b:ro:junk". Count the separators first.
#include "volumes.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <string_view>
#include <vector>

namespace kubik::volumes {

namespace {

// TODO: helpers of your own, if you want them (splitting, name checks).

} // namespace

MountSpec parse_volume_flag(const std::string& value) {
    // TODO: split on ':' (1 to 3 fields, none empty: else "invalid volume
    // specification: 'VALUE'"); one field is an anonymous volume's target; the
    // first of two or three is a bind's host path when it starts with '/'
    // (create_source = true), else a volume name that must match
    // [a-zA-Z0-9][a-zA-Z0-9_.-]+; the target must be absolute; the third field
    // is the options (see volumes.hpp), "invalid mode: OPTIONS" on anything else.
    throw kubik::NotImplemented("not implemented yet: lesson 5 (volumes) — parse_volume_flag(); see lessons/05-volumes/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::volumes
