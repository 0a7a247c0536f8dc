// Stopping, signalling and removing containers: `kubik stop`, `kill`, `rm`.
#pragma once

#include "container/container_store.hpp"

#include <csignal>
#include <chrono>

namespace kubik {

/// Waits until process `pid` — if it is still the one that started at
/// `start_time` — has exited, at most `timeout`. True once it is gone.
bool wait_for_exit(pid_t pid, uint64_t start_time, std::chrono::milliseconds timeout);

/// Sends `sig` to the container's init, which passes it on to the command
/// (SIGKILL kills init itself, and with it every process of the container).
/// Throws kubik::Error (exit 1) if the container is not running.
void signal_container(const ContainerInfo& info, int sig);

/// docker stop: `signal` (the container's stop signal, SIGTERM by default),
/// then SIGKILL after `grace`; returns once the container's end is recorded
/// (its monitor has exited), so that `kubik stop x && kubik rm x` works. A
/// stopped container is left alone.
void stop_container(const ContainerInfo& info, std::chrono::seconds grace, int signal = SIGTERM);

/// docker rm: removes container `id`'s files, name and cgroup (killing
/// whatever is still in it). A running one is an error unless `force`, which
/// kills it first. A container whose state file can't be read is removed
/// too: its cgroup is found through its cgroup link, its name through
/// ROOT/names. With `volumes` (`rm -v`), its anonymous volumes go too,
/// unless another container uses them; named volumes always stay.
void remove_container(const ContainerStore& store, const std::string& id, bool force, bool volumes = false);

} // namespace kubik
