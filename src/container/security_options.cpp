#include "container/security_options.hpp"

#include "core/error.hpp"

namespace kubik {

std::pair<std::string, std::string> split_security_opt(const std::string& option) {
    const auto at = option.find_first_of("=:");
    return {option.substr(0, at), at == std::string::npos ? "" : option.substr(at + 1)};
}

void derive_security_opts(SecurityOptions& options) {
    options.no_new_privileges = options.seccomp_unconfined = false;
    options.seccomp_profile.clear();
    for (const auto& option : options.security_opt) {
        const auto [key, value] = split_security_opt(option);
        if (key == "no-new-privileges" && (value.empty() || value == "true"))
            options.no_new_privileges = true;
        else if (key == "no-new-privileges" && value == "false")
            options.no_new_privileges = false;
        else if (key == "seccomp" && value == "unconfined")
            options.seccomp_unconfined = true;
        else if (key == "seccomp" && value.starts_with("{"))
            options.seccomp_profile = value;
        else
            throw Error("Invalid --security-opt: \"" + option + "\"");
    }
}

} // namespace kubik
