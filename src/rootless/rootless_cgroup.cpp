#include "rootless/rootless_cgroup.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace kubik::rootless {
namespace {

constexpr const char* kMount = "/sys/fs/cgroup";

bool unified() {
    struct statfs st {};
    return ::statfs(kMount, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

bool owned(const fs::path& dir) {
    struct stat st {};
    return ::stat((dir / "cgroup.procs").c_str(), &st) == 0 && st.st_uid == ::getuid();
}

} // namespace

std::string delegated_cgroup() {
    if (!unified()) return "";
    std::ifstream in("/proc/self/cgroup");
    std::string own;
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("0::/")) own = line.substr(4);
    // Walk up while the user still owns the group; stop at the first that
    // root keeps (the delegation's boundary).
    fs::path found;
    for (fs::path rel = own; !rel.empty(); rel = rel.parent_path()) {
        if (!owned(fs::path(kMount) / rel)) break;
        found = rel;
        if (rel == rel.parent_path()) break;
    }
    return found.string();
}

std::string cgroup_parent_for(const std::string& parent) {
    const std::string delegated = delegated_cgroup();
    return delegated.empty() ? "" : (fs::path(delegated) / parent).string();
}

std::string no_delegation_reason() {
    if (!unified())
        return "this host has cgroup v1 (or hybrid), which can't be delegated to a user; a rootless kubik "
               "gets cgroups on cgroup v2";
    return "no cgroup v2 subtree is delegated to this user (systemd's user@UID.service does it, with Delegate=yes)";
}

} // namespace kubik::rootless
