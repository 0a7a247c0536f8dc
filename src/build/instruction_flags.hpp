// An instruction's `--name=value` flags: cut from the front of its
// arguments, then checked against the flags that instruction takes.
#pragma once

#include "build/dockerfile_ast.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kubik::dockerfile {

/// The flags at the front of an instruction's arguments, and what follows.
struct FlagSplit {
    std::vector<InstructionFlag> flags; ///< in the order written, quotes removed
    /// Per flag: written with '=' (`--from=` has an empty value; `--from`, none).
    std::vector<bool> valued;
    std::string rest; ///< the arguments after the flags, as written
};

/// BuildKit's extractBuilderFlags: leading words that start with "--" are
/// flags (quotes in them removed, `\` escaping the next character); a bare
/// "--" ends them; the first other word starts the arguments.
FlagSplit extract_flags(std::string_view arguments);

/// Checks `flags` against what `keyword` takes (COPY: --from, --chown,
/// --chmod, --link, --parents, --exclude; RUN: --mount, --network,
/// --security, --device; …). Throws kubik::Error with the bare message, no
/// location ("unknown flag: --x", "missing a value on flag: --from",
/// "duplicate flag specified: --from", "expecting boolean value for flag
/// --link, not: maybe", bad durations and counts of HEALTHCHECK).
void check_flags(const std::string& keyword, const FlagSplit& split);

} // namespace kubik::dockerfile
