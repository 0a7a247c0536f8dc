#include "security/capabilities.hpp"

#include "core/error.hpp"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace kubik::security {

std::vector<int> default_capabilities() {
    std::vector<int> caps{CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID,         CAP_FOWNER,     CAP_MKNOD,
                          CAP_NET_RAW, CAP_SETGID,    CAP_SETUID,          CAP_SETFCAP,    CAP_SETPCAP,
                          CAP_NET_BIND_SERVICE,       CAP_SYS_CHROOT,      CAP_KILL,       CAP_AUDIT_WRITE};
    std::sort(caps.begin(), caps.end());
    return caps;
}

std::vector<int> all_capabilities() {
    // cap_max_bits() is the kernel's count (libcap asks /proc and prctl),
    // not the headers' CAP_LAST_CAP: a newer kernel may know more.
    // Only those kubik's own bounding set still has: nothing can gain the
    // others back (kubik run inside a container that dropped some).
    std::vector<int> caps;
    for (int cap = 0; cap < static_cast<int>(cap_max_bits()); ++cap)
        if (cap_get_bound(cap) > 0) caps.push_back(cap);
    return caps;
}

std::string normalize_capability(const std::string& name, const char* flag) {
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "ALL") return upper;
    if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
    // libcap's names are lower case ("cap_net_admin"); it also takes plain
    // numbers, which docker doesn't: "CAP_12" is not one of its names.
    std::string lower;
    for (char c : upper) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    cap_value_t value = 0;
    if (cap_from_name(lower.c_str(), &value) != 0 || value < 0 || value >= static_cast<int>(cap_max_bits()))
        throw Error(std::string("invalid ") + flag + ": unknown capability: \"" + upper + "\"");
    return upper.substr(4);
}

namespace {

int number_of(const std::string& normalized) {
    std::string lower = "cap_";
    for (char c : normalized) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    cap_value_t value = 0;
    if (cap_from_name(lower.c_str(), &value) != 0) throw Error("unknown capability: \"CAP_" + normalized + "\"");
    return value;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

std::vector<int> bounding_capabilities(const SecurityOptions& options) {
    std::vector<std::string> add, drop;
    for (const auto& n : options.cap_add) add.push_back(normalize_capability(n, "CapAdd"));
    for (const auto& n : options.cap_drop) drop.push_back(normalize_capability(n, "CapDrop"));
    if (options.privileged) return all_capabilities();

    std::set<int> caps;
    std::set<int> dropped;
    for (const auto& n : drop)
        if (n != "ALL") dropped.insert(number_of(n));
    if (has(add, "ALL")) {
        for (int c : all_capabilities())
            if (!dropped.contains(c)) caps.insert(c);
    } else {
        if (!has(drop, "ALL"))
            for (int c : default_capabilities())
                if (!dropped.contains(c)) caps.insert(c);
        for (const auto& n : add) caps.insert(number_of(n));
    }
    return {caps.begin(), caps.end()};
}

Capabilities capabilities_for(std::vector<int> bounding, uid_t uid) {
    Capabilities caps;
    caps.bounding = std::move(bounding);
    if (uid == 0) caps.effective = caps.bounding;
    return caps;
}

std::uint64_t capability_mask(const std::vector<int>& caps) {
    std::uint64_t mask = 0;
    for (int c : caps)
        if (c >= 0 && c < 64) mask |= std::uint64_t{1} << c;
    return mask;
}

} // namespace kubik::security
