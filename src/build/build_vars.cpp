// See build_vars.hpp.
#include "build/build_vars.hpp"

#include <algorithm>

namespace kubik::build {

namespace {

template <class List>
auto find_var(List& list, const std::string& name) {
    return std::find_if(list.begin(), list.end(), [&](const auto& v) { return v.first == name; });
}

void set_var(std::vector<std::pair<std::string, std::optional<std::string>>>& list, const std::string& name,
             std::optional<std::string> value) {
    auto it = find_var(list, name);
    if (it != list.end()) it->second = std::move(value);
    else list.emplace_back(name, std::move(value));
}

} // namespace

std::optional<std::string> BuildVars::value_of(const std::string& name, const std::optional<std::string>& default_value,
                                               bool in_stage) {
    if (auto given = build_args_.find(name); given != build_args_.end()) {
        used_.insert(name);
        return given->second;
    }
    if (default_value) return default_value;
    // `ARG NAME` in a stage takes the global ARG's value (docker's way to
    // bring a FROM-line variable into the stage).
    if (in_stage) return global(name);
    return std::nullopt;
}

void BuildVars::declare_global(const std::string& name, const std::optional<std::string>& default_value) {
    set_var(global_, name, value_of(name, default_value, false));
}

void BuildVars::declare(const std::string& name, const std::optional<std::string>& default_value) {
    set_var(stage_, name, value_of(name, default_value, true));
}

std::optional<std::string> BuildVars::global(const std::string& name) const {
    auto it = find_var(global_, name);
    return it == global_.end() ? std::nullopt : it->second;
}

std::optional<std::string> BuildVars::lookup(const std::string& name, const std::vector<std::string>& env) const {
    for (auto it = env.rbegin(); it != env.rend(); ++it)
        if (it->size() > name.size() && it->compare(0, name.size(), name) == 0 && (*it)[name.size()] == '=')
            return it->substr(name.size() + 1);
    auto it = find_var(stage_, name);
    return it == stage_.end() ? std::nullopt : it->second;
}

std::vector<std::string> BuildVars::stage_args() const {
    std::vector<std::string> out;
    for (const auto& [name, value] : stage_)
        if (value) out.push_back(name + "=" + *value);
    return out;
}

std::vector<std::string> BuildVars::unused_build_args() const {
    std::vector<std::string> out;
    for (const auto& [name, value] : build_args_)
        if (!used_.count(name)) out.push_back(name);
    return out;
}

} // namespace kubik::build
