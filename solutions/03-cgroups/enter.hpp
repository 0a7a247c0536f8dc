// Lesson 3 — life cycle: entering a running container (`kubik exec`).
//
// A namespace lives as long as a process is in it (or a file descriptor or
// bind mount holds it). /proc/PID/ns/* are handles to a process's namespaces:
// setns(2) on such a handle moves the calling process into that namespace.
// That is all `docker exec` is: join the namespaces (and the cgroup) of the
// container's init, then exec the command.
#pragma once

#include <sys/types.h>

namespace kubik::lifecycle {

/// Moves the calling process into the IPC, UTS, network, PID and mount
/// namespaces of process `pid`. The PID namespace applies to the children
/// the caller forks afterwards (a process never changes its own pid).
/// Leaves the caller in the container's "/" (setns of a mount namespace
/// sets root and working directory to the namespace's root).
void enter_namespaces(pid_t pid);

} // namespace kubik::lifecycle
