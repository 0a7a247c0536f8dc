// A RUN step: the command in a container of the stage's image so far, started
// by kubik's own runtime (the same pipeline as `kubik run`: namespaces,
// cgroup, overlay, pivot_root), whose overlay upper directory then becomes
// the step's layer.
#pragma once

#include "build/build_state.hpp"
#include "container/container_spec.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kubik::build {

/// What a RUN step runs and how.
struct RunStep {
    std::vector<std::string> argv;     ///< the command (shell form already wrapped in SHELL)
    std::vector<std::string> env;      ///< "K=V": the stage's ENV and the build args in scope
    std::string working_dir = "/";     ///< the stage's WORKDIR
    std::string user;                  ///< the stage's USER ("" = root), switched to as `run -u` does
    std::string network = "none";      ///< none, host, or a kubik network ("bridge", "default")
    std::string cgroup_parent;         ///< the build's cgroup parent
    std::vector<ContainerMount> mounts; ///< RUN --mount (type=cache, type=bind)
    /// What the command reads on stdin (a heredoc script run by its #!
    /// interpreter); nullopt: /dev/null, as `run` without -i.
    std::optional<std::string> stdin_data;
    /// Each line of the command's output as it comes (BuildKit's live
    /// "#N line"); called in a relay process of its own, so it may only
    /// print, not record anything for this process.
    std::function<void(const std::string& line)> on_output;
};

/// What a RUN step did.
struct RunResult {
    int exit_code = 0;   ///< docker's: the command's, or 125–127 when it could not start
    std::string output;  ///< its stdout and stderr, interleaved as written
};

/// Runs `step` in a container of `state`'s layers, in state root `root`.
/// On exit 0, `on_success` is given the container's upper directory (to
/// turn into a layer) before the container is removed. Whatever happens, the
/// container (its directory, name, cgroup, network lease) is gone after.
RunResult run_step(const std::filesystem::path& root, const BuildState& state, const RunStep& step,
                   const std::function<void(const std::filesystem::path& upper)>& on_success);

} // namespace kubik::build
