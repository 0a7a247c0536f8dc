// Lesson 2 — namespaces: PID 1, the container's init.
//
// The first process of a PID namespace is its PID 1, with two duties no
// ordinary program expects: orphaned processes of the namespace become its
// children (it must reap them, or they stay zombies), and the kernel delivers
// it only the signals it has a handler for (a plain `sleep` as PID 1 ignores
// SIGTERM). kubik runs a tiny init as PID 1, like `docker run --init` (tini),
// and starts the command as PID 2.
#pragma once

#include <sys/types.h>

namespace kubik::ns {

/// The loop of PID 1. `command` is the pid of the container's command, a
/// child of this process. Blocks every signal itself before it waits: in
/// kubik-init they are blocked already (kubik-init blocks them at its start,
/// before forking the command, so none is lost in between), in `kubik exec`'s
/// joiner only the signals kubik relays are. Forwards every signal it receives to `command`, reaps every child that
/// exits, and returns when `command` itself has exited: its exit code, or
/// 128+N when signal N killed it.
int run_init(pid_t command);

} // namespace kubik::ns
