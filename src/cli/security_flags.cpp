#include "cli/security_flags.hpp"

#include "core/error.hpp"
#include "security/capabilities.hpp"
#include "security/seccomp_profile.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kubik::cli {
namespace {

std::string read_profile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("opening seccomp profile (" + path + ") failed: open " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

SecurityOptions parse_security_flags(const SecurityFlags& flags) {
    SecurityOptions security;
    security.privileged = flags.privileged;
    security.read_only_rootfs = flags.read_only;
    // Names are the image's, resolved in the container at its start.
    for (const auto& g : flags.group_add)
        if (g.empty()) throw Error("invalid argument \"\" for \"--group-add\" flag: empty group name");
    security.group_add = flags.group_add;
    for (const auto& n : flags.cap_add) security.cap_add.push_back(security::normalize_capability(n, "CapAdd"));
    for (const auto& n : flags.cap_drop) security.cap_drop.push_back(security::normalize_capability(n, "CapDrop"));
    const std::vector<int> bounding = security::bounding_capabilities(security);
    // seccomp=FILE: the file's JSON replaces its name, as the docker CLI
    // does; its mistakes are found now, naming the file, before anything
    // is made.
    for (const auto& option : flags.security_opt) {
        const auto [key, value] = split_security_opt(option);
        if (key != "seccomp" || value.empty() || value == "unconfined") {
            security.security_opt.push_back(option);
            continue;
        }
        const std::string text = read_profile(value);
        (void)security::parse_seccomp_profile(text, value, bounding);
        security.security_opt.push_back("seccomp=" + nlohmann::json::parse(text).dump());
    }
    derive_security_opts(security);
    return security;
}

} // namespace kubik::cli
