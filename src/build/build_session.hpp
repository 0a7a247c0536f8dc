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

struct BuildSession {
    BuildSession(const dockerfile::Dockerfile& f, const BuildContext& c, const BuildOptions& o, const BuildOutput& out)
        : file(f), context(c), options(o), output(out), store(o.root), cache(o.root), vars(o.build_args) {}

    const dockerfile::Dockerfile& file;
    const BuildContext& context;
    const BuildOptions& options;
    const BuildOutput& output;
    ImageStore store;
    BuildCache cache;
    BuildVars vars;
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
