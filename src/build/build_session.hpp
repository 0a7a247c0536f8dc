// What every step of one `kubik build` shares: the file, the context, the
// options, the store and cache, the variables, the stages built so far, and
// the progress output. Internal to src/build.
#pragma once

#include "build/build_cache.hpp"
#include "build/build_state.hpp"
#include "build/build_vars.hpp"
#include "build/builder.hpp"

#include <chrono>
#include <map>
#include <string>

namespace kubik::build {

/// The state of one `kubik build`, passed to every stage and step.
struct BuildSession {
    /// Opens the store and cache of `o.root`; the variables start from `o.build_args`.
    BuildSession(const dockerfile::Dockerfile& f, const BuildContext& c, const BuildOptions& o, const BuildOutput& out)
        : file(f), context(c), options(o), output(out), store(o.root), cache(o.root), vars(o.build_args) {}

    const dockerfile::Dockerfile& file; ///< the parsed Dockerfile being built
    const BuildContext& context;        ///< what COPY/ADD read from
    const BuildOptions& options;        ///< the command line's (-t, --build-arg, -q, …)
    const BuildOutput& output;          ///< where progress lines go
    ImageStore store;                   ///< the base images and the layers the steps write
    BuildCache cache;                   ///< the steps already run, by cache key
    BuildVars vars;                     ///< the ARG values in scope (global, then the stage's)
    std::map<int, BuildState> built; ///< finished stages, by index
    int next_step = 1;               ///< BuildKit's "#N" numbering

    /// One progress line (nothing with -q).
    void say(const std::string& line) const {
        if (!options.quiet && output) output(line);
    }
    /// "Dockerfile:LINE: message", exit 1.
    [[noreturn]] void fail(int line, const std::string& message) const;
    /// The stage a `FROM name` or `--from=name|index` means, or -1 when it
    /// names no stage before `before` (then it is an image).
    int stage_index(const std::string& name, int before) const;
};

/// Runs stage `index` of `session.file` (its dependencies already built);
/// its final state goes into session.built.
void build_stage(BuildSession& session, int index);

} // namespace kubik::build
