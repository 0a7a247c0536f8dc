// Helpers for the commands that act on containers by name or id.
#pragma once

#include "cli/commands.hpp"
#include "container/container_store.hpp"

#include <functional>
#include <string>
#include <vector>

namespace kubik::cli {

/// Resolves each reference (name, id or unique id prefix) and calls `act`
/// with the container's id. Like docker, goes on after a failure, printing
/// "kubik: MESSAGE" for it, and returns 1 if any failed, else 0. With
/// `echo_refs`, prints each reference as it was given once `act` succeeded,
/// as docker's stop, kill and rm do.
int for_each_container_id(const GlobalOptions& global, const std::vector<std::string>& refs,
                          const std::function<void(const ContainerStore&, const std::string& id)>& act,
                          bool echo_refs = false);

/// for_each_container_id() with the container's record loaded.
int for_each_container(const GlobalOptions& global, const std::vector<std::string>& refs,
                       const std::function<void(const ContainerStore&, const ContainerInfo&)>& act,
                       bool echo_refs = false);

/// Docker's human durations: "Less than a second", "5 seconds", "About a minute", "3 hours".
std::string human_duration(double seconds);

/// Docker's binary sizes: "1.5MiB", "64MiB", "812KiB".
std::string human_bytes(double bytes);

/// Commands other than `run` exit 1 on errors, as docker's do.
Action exit_one_on_error(std::function<int()> body);

} // namespace kubik::cli
