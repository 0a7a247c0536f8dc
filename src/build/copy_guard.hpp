// COPY and ADD write as root into the step's root, through the student's
// copy_into_root(). A copy_into_root that resolves a path the plain way (no
// RESOLVE_IN_ROOT: a student's first try, a mutant the course's mutation
// check makes) follows the image's "/x -> /" on the HOST and overwrites its
// /etc. So kubik runs the copy where that can't happen: in a forked child
// with a mount namespace of its own in which every mount is read-only. The
// copy still reaches the step's root, because it writes through root_fd, a
// descriptor opened before: it names the builder's own (writable) mount,
// not the child's read-only copy of it. Temporary files go to a private
// tmpfs on the child's /tmp.
#pragma once

#include <functional>

namespace kubik::build {

/// Runs `body` as described above and rethrows what it threw (a
/// kubik::Error with its exit code, a NotImplemented with its message).
/// Where a mount namespace can't be made (no CAP_SYS_ADMIN), `body` runs
/// in this process, unguarded. Nested calls run `body` directly.
void run_with_readonly_host(const std::function<void()>& body);

} // namespace kubik::build
