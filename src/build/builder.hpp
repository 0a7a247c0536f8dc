// `kubik build`: runs a parsed Dockerfile, one step after another, each on
// top of the image the one before left, with a layer cache.
#pragma once

#include "build/build_context.hpp"
#include "build/dockerfile_ast.hpp"
#include "image/image_store.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace kubik::build {

/// What `kubik build` was asked for.
struct BuildOptions {
    std::filesystem::path root;                 ///< kubik's state root
    std::vector<ImageRef> tags;                 ///< -t (may be empty: untagged)
    std::map<std::string, std::string> build_args; ///< --build-arg K=V (K alone: the host's value)
    std::string target;                         ///< --target STAGE ("" = the last stage)
    bool no_cache = false;                      ///< --no-cache
    bool quiet = false;                         ///< -q: print only the image ID
    std::map<std::string, std::string> labels;  ///< --label K=V
    std::string progress = "auto";              ///< --progress plain|tty|auto
    std::string cgroup_parent = "kubik-build";  ///< the group RUN steps' cgroups go under
    /// --network for RUN steps: none (the default: the issue's "no network
    /// unless --network says so"), host, default/bridge or a kubik network.
    std::string network = "none";
    std::string dockerfile_name = "Dockerfile"; ///< how errors name the file ("Dockerfile:3: …")
};

/// One line of progress ("#3 [2/5] RUN pip install …", "#3 CACHED").
using BuildOutput = std::function<void(const std::string& line)>;

/// Builds `file` with `context`; returns the final image (tagged with the
/// tags). Throws kubik::Error: "FILE:LINE: …" for a step that fails (a RUN
/// with "process \"/bin/sh -c false\" did not complete successfully: exit
/// code: 1"), exit 1. Nothing is left behind on failure: no mount, no
/// container, no cgroup, no untagged half image (layers of steps that
/// succeeded stay in the cache, as docker's do).
Image build_image(const dockerfile::Dockerfile& file, const BuildContext& context,
                  const BuildOptions& options, const BuildOutput& output);

} // namespace kubik::build
