// `kubik exec`: run another command inside a running container.
#pragma once

#include "container/container_state.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kubik {

/// `kubik exec`'s command and flags.
struct ExecOptions {
    std::vector<std::string> argv; ///< the command and its arguments
    std::vector<std::string> env; ///< -e, added to the container's environment
    std::string working_dir;      ///< -w; "" = the container's
    std::string user;             ///< -u; "" = the container's (run -u, the image's USER)
    bool interactive = false;     ///< -i: keep stdin attached
    bool tty = false;             ///< -t: a pseudo-terminal
};

/// Joins the container's cgroup and namespaces (lesson 3), runs the command
/// there with its terminal relayed and signals forwarded, and returns its
/// exit code (126/127 when it could not be executed). Throws kubik::Error
/// (exit 1) when the container is not running.
/// `container_dir` is the container's directory in its state root (where
/// the seccomp cache is found, security/seccomp_cache.hpp).
int exec_in_container(const ContainerInfo& info, const ExecOptions& options,
                      const std::filesystem::path& container_dir);

} // namespace kubik
