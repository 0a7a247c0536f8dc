// The variables a Dockerfile's instructions see, as docker scopes them:
//
//   ARG before the first FROM   global: usable in FROM lines only, and as the
//                               default of a stage's own `ARG NAME`
//   ARG in a stage              from there to the end of that stage; its value
//                               is --build-arg's, else its default
//   ENV                         in the image's config (so also in later
//                               stages FROM it); wins over an ARG of the same
//                               name
//
// RUN sees both as environment variables; only ENV stays in the image.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kubik::build {

/// The ARGs of one build, scoped as above (ENV is read from the image's
/// config, passed in to lookup()), and which --build-arg values were used.
class BuildVars {
public:
    /// --build-arg values.
    explicit BuildVars(std::map<std::string, std::string> build_args) : build_args_(std::move(build_args)) {}

    /// `ARG NAME[=default]` before the first FROM (`default_value` expanded).
    void declare_global(const std::string& name, const std::optional<std::string>& default_value);
    /// A new stage: its own ARGs start empty.
    void start_stage() { stage_.clear(); }
    /// `ARG NAME[=default]` inside a stage.
    void declare(const std::string& name, const std::optional<std::string>& default_value);

    /// A global ARG's value (FROM lines).
    std::optional<std::string> global(const std::string& name) const;
    /// A variable as the stage's instructions see it: ENV (`env`, "K=V") first, then the stage's ARGs.
    std::optional<std::string> lookup(const std::string& name, const std::vector<std::string>& env) const;
    /// The stage's ARGs that have a value, "NAME=VALUE", in declaration order.
    std::vector<std::string> stage_args() const;
    /// The --build-arg names no ARG declared (docker warns about them).
    std::vector<std::string> unused_build_args() const;

private:
    std::optional<std::string> value_of(const std::string& name, const std::optional<std::string>& default_value,
                                        bool in_stage);
    std::map<std::string, std::string> build_args_;
    std::vector<std::pair<std::string, std::optional<std::string>>> global_, stage_;
    std::set<std::string> used_;
};

} // namespace kubik::build
