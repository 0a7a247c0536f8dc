// What kubik records about a container: its spec and its life so far.
//
// Stored as ROOT/containers/ID/container.json, in the shape of the fields
// `docker inspect` shows (Id, Name, Config, HostConfig, State), written
// atomically under the container's lock so concurrent commands never see
// half a file or lose an update.
#pragma once

#include "container/container_spec.hpp"

#include <nlohmann/json_fwd.hpp>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace kubik {

/// A container's life so far: what `docker inspect` shows under State.
struct ContainerState {
    std::string status = "created"; ///< created, running, exited (docker's words); unknown: see damage
    pid_t pid = 0;                  ///< the container's init, as the host sees it
    uint64_t pid_start_time = 0;    ///< its start time (/proc/PID/stat): tells a reused pid apart
    pid_t monitor_pid = 0;          ///< who waits for init: the monitor (-d) or `kubik run`
    uint64_t monitor_start_time = 0; ///< the monitor's start time: tells a reused pid apart
    std::optional<int> exit_code;   ///< once it has ended: docker's exit code (128+N for signal N)
    bool oom_killed = false;        ///< the kernel's OOM killer killed one of its processes
    /// When it was created: RFC 3339, UTC.
    std::string created_at, started_at, finished_at; ///< RFC 3339, UTC
    /// \var started_at
    /// When it started: RFC 3339, UTC; "" until then.
    std::string error;              ///< why it failed to start, if it did
};

/// A container as stored: its spec and its state.
struct ContainerInfo {
    ContainerSpec spec; ///< what it runs, decided before it started
    ContainerState state; ///< how it is doing
    /// Why its state file can't be read ("" when it can): then spec holds
    /// only the id, the name and the cgroup parent, and state.status is
    /// "unknown" (ContainerStore::load_any).
    std::string damage;

    /// Running by the record *and* in fact: the recorded init still exists.
    /// A container whose kubik or monitor was killed (kill -9) has status
    /// "running" but no live init; kubik calls that "dead".
    bool running() const;
    /// "running", "exited", "created", "dead" (see running()) or "unknown"
    /// (a state file that can't be read).
    std::string effective_status() const;
};

/// The container.json document, in `docker inspect`'s shape (Id, Name,
/// Config, HostConfig, State).
nlohmann::json container_to_json(const ContainerInfo& info);
/// Reads back what container_to_json() wrote; a missing field throws
/// nlohmann::json's exception.
ContainerInfo container_from_json(const nlohmann::json& doc);

/// `docker inspect`'s "Mounts" of a container: one object per mount with
/// Type, Name and Driver (volumes), Source (on the host), Destination, Mode,
/// RW and Propagation (binds).
nlohmann::json mounts_inspect_json(const ContainerSpec& spec);

/// `docker inspect`'s "NetworkSettings": IPAddress, IPPrefixLen, Gateway,
/// MacAddress, Ports and Networks{NAME: {NetworkID, IPAddress, …}}, empty
/// addresses once the container has stopped.
nlohmann::json network_settings_inspect_json(const ContainerInfo& info);

/// The current time as RFC 3339 with nanoseconds, UTC ("2026-11-27T18:37:11.123456789Z").
std::string now_rfc3339();

/// Seconds since the epoch of an RFC 3339 UTC time written by now_rfc3339(); 0 if empty.
double parse_rfc3339(const std::string& text);

/// Start time of process `pid` in clock ticks since boot; 0 if it does not
/// exist or has already exited (a zombie).
uint64_t process_start_time(pid_t pid);

/// The parent of process `pid` (field 4 of /proc/PID/stat); 0 if it does
/// not exist.
pid_t process_parent(pid_t pid);

} // namespace kubik
