// `-e`/`--env` of `kubik run` and `kubik exec`: docker's check of each value,
// made before anything is created.
#pragma once

#include "core/error.hpp"

#include <string>
#include <vector>

namespace kubik::cli {

/// Throws kubik::Error (exit 125) for the first value without a name: "=val"
/// (would put a variable called "" into the environment) or "" (would be
/// dropped without a word). Docker's wording, as its opts.ValidateEnv says it:
/// `invalid argument "=val" for "-e, --env" flag: invalid environment variable: =val`.
/// Like docker, nothing else is checked: a name may hold any character but
/// '=', and what the command accepts is the command's business.
inline void validate_env_flags(const std::vector<std::string>& env) {
    for (const auto& var : env) {
        if (!var.empty() && var.front() != '=') continue;
        // Docker ends "variable: " with nothing after it for ""; say why instead.
        throw Error("invalid argument \"" + var + "\" for \"-e, --env\" flag: invalid environment variable: " +
                    (var.empty() ? std::string("the name is empty") : var));
    }
}

} // namespace kubik::cli
