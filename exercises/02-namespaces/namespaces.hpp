// Lesson 2 — namespaces: what the container sees of the system.
//
// A namespace gives a process its own copy of one kind of global resource:
// UTS (the hostname), PID (the process numbers), mount (the mount table),
// IPC (System V IPC and POSIX message queues), network (interfaces, routes,
// ports). kubik asks for them all at once, in the clone() that creates the
// container's first process.
#pragma once

#include <string>

namespace kubik::ns {

/// The clone(2) flags for the namespaces a container gets besides its mount
/// namespace (kubik always creates that one, see lessons/01-chroot):
/// UTS, PID, IPC and network.
int namespace_clone_flags();

/// Sets the hostname inside the container's UTS namespace.
void set_hostname(const std::string& name);

/// A new network namespace has only a loopback interface, and it is down:
/// brings `lo` up so 127.0.0.1 works inside the container.
void bring_up_loopback();

} // namespace kubik::ns
