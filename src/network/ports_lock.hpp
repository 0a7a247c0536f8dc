// One `run -p` at a time between choosing its host ports and putting their
// rules into the kernel.
//
// A published port is a DNAT rule, invisible to bind(): `run -p 5000`
// checks the rules of every kubik table (cli/host_ports.hpp) and adds its
// own much later, once the container's veth exists. Two runs in between
// could both see 5000 free. So the check takes /run/kubik/ports.lock and
// the lock is let go once the rules are applied, or when the run fails.
// In the foreground kubik applies the rules itself and lets go right then;
// with -d the monitor applies them and `kubik run -d`, which holds the lock,
// exits only after the monitor reported the container started.
//
// A POSIX record lock (fcntl F_SETLKW), not flock(2): it belongs to the
// process, so the container's init and a detached container's monitor,
// forked in between, don't inherit it and can't hold it for the
// container's whole life; and it goes when kubik exits, however it exits.
// Runs without -p never touch it.
#pragma once

namespace kubik::network {

/// Waits for the host's ports lock and holds it (a second call is a no-op).
/// Throws kubik::Error when /run/kubik/ports.lock can't be opened.
void lock_published_ports();

/// Lets the lock go, if this process holds it.
void unlock_published_ports() noexcept;

} // namespace kubik::network
