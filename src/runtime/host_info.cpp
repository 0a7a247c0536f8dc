#include "runtime/host_info.hpp"

#include "core/files.hpp"

#include <sched.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace fs = std::filesystem;

namespace kubik::host {
namespace {

std::optional<std::string> read_optional(const fs::path& path) {
    try {
        return read_file(path);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<long> read_number(const fs::path& path) {
    auto text = read_optional(path);
    if (!text) return std::nullopt;
    try {
        return std::stol(*text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<std::string> words(std::string_view text, char sep = ' ') {
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        if (c == sep || c == '\n' || c == '\t' || c == ' ') {
            if (!word.empty()) out.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() &&
            std::all_of(s.begin() + static_cast<long>(i) + 1, s.begin() + static_cast<long>(i) + 4,
                        [](char c) { return c >= '0' && c <= '7'; })) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The cgroup2 directory of this process ("0::/user.slice/..." in
// /proc/self/cgroup), below `unified`; "" when it can't be told.
fs::path own_unified_cgroup(const fs::path& unified) {
    auto text = read_optional("/proc/self/cgroup");
    if (!text) return {};
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("0::", 0) == 0) return unified / fs::path(line.substr(3)).relative_path();
    return {};
}

// Swap accounting on v2 shows as memory.swap.max beside memory.max, in any
// group below the root (the root has neither). Looks at our own group and
// its ancestors, then at the root's children; unset when none of them has
// the memory controller enabled.
std::optional<bool> v2_swap_accounting(const fs::path& unified) {
    std::vector<fs::path> candidates;
    std::error_code ec;
    for (fs::path p = own_unified_cgroup(unified); !p.empty() && p != unified && p.native().size() > unified.native().size();
         p = p.parent_path())
        candidates.push_back(p);
    for (const auto& entry : fs::directory_iterator(unified, ec))
        if (entry.is_directory(ec)) candidates.push_back(entry.path());
    for (const auto& dir : candidates)
        if (fs::exists(dir / "memory.max", ec)) return fs::exists(dir / "memory.swap.max", ec);
    return std::nullopt;
}

HostInfo::Overlay detect_overlay(const std::string& release) {
    if (auto text = read_optional("/proc/filesystems"); text && filesystem_listed(*text, "overlay"))
        return HostInfo::Overlay::Loaded;
    // Not registered yet: the kernel loads the module on the first overlay mount.
    std::error_code ec;
    fs::path dir = fs::path("/lib/modules") / release / "kernel/fs/overlayfs";
    for (const char* name : {"overlay.ko", "overlay.ko.xz", "overlay.ko.zst", "overlay.ko.gz"})
        if (fs::exists(dir / name, ec)) return HostInfo::Overlay::Module;
    return HostInfo::Overlay::Missing;
}

} // namespace

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
    std::vector<MountInfo> out;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        // "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory"
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        auto head = words(line.substr(0, dash)), tail = words(line.substr(dash + 3));
        if (head.size() < 6 || tail.empty()) continue;
        MountInfo m;
        m.mount_point = unescape(head[4]);
        m.optional_fields.assign(head.begin() + 6, head.end());
        m.fs_type = tail[0];
        if (tail.size() > 1) m.source = unescape(tail[1]);
        if (tail.size() > 2) m.super_options = tail[2];
        out.push_back(std::move(m));
    }
    return out;
}

std::string propagation_of(const MountInfo& mount) {
    std::vector<std::string> tags;
    bool unbindable = false;
    for (const auto& f : mount.optional_fields) {
        if (f.rfind("shared:", 0) == 0) tags.insert(tags.begin(), "shared");
        else if (f.rfind("master:", 0) == 0) tags.push_back("slave");
        else if (f == "unbindable") unbindable = true;
    }
    if (unbindable) tags.push_back("unbindable");
    if (tags.empty()) return "private";
    std::string out;
    for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
    return out;
}

std::string CgroupHost::mode() const {
    if (hybrid()) return "hybrid";
    if (uses_v1()) return "v1";
    if (!unified.empty()) return "v2";
    return "none";
}

std::vector<std::string> CgroupHost::controllers() const {
    std::vector<std::string> out;
    if (uses_v1())
        for (const auto& [name, mount] : v1) out.push_back(name);
    else
        out = unified_controllers;
    std::sort(out.begin(), out.end());
    return out;
}

bool CgroupHost::has(const std::string& controller) const {
    auto all = controllers();
    return std::find(all.begin(), all.end(), controller) != all.end();
}

CgroupHost parse_cgroups(const std::vector<MountInfo>& mounts) {
    CgroupHost host;
    for (const auto& m : mounts) {
        if (m.fs_type == "cgroup2") {
            if (host.unified.empty()) host.unified = m.mount_point;
        } else if (m.fs_type == "cgroup") {
            for (const auto& opt : words(m.super_options, ','))
                if (opt != "rw" && opt != "ro" && opt.find('=') == std::string::npos && !host.v1.count(opt))
                    host.v1[opt] = m.mount_point;
        }
    }
    return host;
}

bool filesystem_listed(std::string_view proc_filesystems, std::string_view name) {
    // "nodev\toverlay\n" or "\text4\n": the name is the last word of its line.
    std::istringstream lines{std::string(proc_filesystems)};
    for (std::string line; std::getline(lines, line);) {
        auto w = words(line);
        if (!w.empty() && w.back() == name) return true;
    }
    return false;
}

std::string os_pretty_name(std::string_view os_release) {
    std::istringstream lines{std::string(os_release)};
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
        std::string value = line.substr(12);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
            char quote = value.front();
            value = value.substr(1, value.size() - 2);
            if (quote == '"') { // shell-style: \" \\ \$ \` are escapes
                std::string out;
                for (size_t i = 0; i < value.size(); ++i) {
                    if (value[i] == '\\' && i + 1 < value.size()) ++i;
                    out += value[i];
                }
                value = out;
            }
        }
        return value;
    }
    return "";
}

CgroupHost detect_cgroups() {
    CgroupHost host = parse_cgroups(parse_mountinfo(read_optional("/proc/self/mountinfo").value_or("")));
    if (!host.unified.empty())
        host.unified_controllers = words(read_optional(host.unified / "cgroup.controllers").value_or(""));
    return host;
}

HostInfo detect() {
    HostInfo info;
    std::error_code ec;

    struct utsname u {};
    if (::uname(&u) == 0) {
        info.kernel_version = u.release;
        info.architecture = u.machine;
        info.hostname = u.nodename;
    }

    info.cgroups = detect_cgroups();
    const auto& cg = info.cgroups;
    info.memory_limit = cg.has("memory");
    info.pids_limit = cg.has("pids");
    if (cg.uses_v1()) {
        info.cpu_cfs_quota = cg.has("cpu") && fs::exists(cg.v1.at("cpu") / "cpu.cfs_quota_us", ec);
        info.cpu_accounting = cg.has("cpuacct");
        if (info.memory_limit) info.swap_limit = fs::exists(cg.v1.at("memory") / "memory.memsw.limit_in_bytes", ec);
    } else if (!cg.unified.empty()) {
        info.cpu_cfs_quota = cg.has("cpu");
        info.cpu_accounting = true;
        if (info.memory_limit) info.swap_limit = v2_swap_accounting(cg.unified);
    }
    if (!info.memory_limit) info.swap_limit = false;

    info.overlay = detect_overlay(info.kernel_version);

    info.user_namespaces = fs::exists("/proc/self/ns/user", ec);
    info.max_user_namespaces = read_number("/proc/sys/user/max_user_namespaces");
    info.unprivileged_userns_clone = read_number("/proc/sys/kernel/unprivileged_userns_clone");
    info.apparmor_restrict_userns = read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");

    // The last "/" in the table is the one on top, the root this process sees.
    for (const auto& m : parse_mountinfo(read_optional("/proc/self/mountinfo").value_or("")))
        if (m.mount_point == "/") info.root_propagation = propagation_of(m);

    auto os = read_optional("/etc/os-release");
    if (!os) os = read_optional("/usr/lib/os-release");
    info.operating_system = os_pretty_name(os.value_or(""));

    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) info.cpus = CPU_COUNT(&set);
    if (info.cpus <= 0) info.cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));

    struct sysinfo si {};
    if (::sysinfo(&si) == 0) info.memory_total = static_cast<int64_t>(si.totalram) * si.mem_unit;
    return info;
}

std::string backing_filesystem(const fs::path& path) {
    std::error_code ec;
    fs::path p = fs::absolute(path, ec);
    struct statfs st {};
    while (true) {
        if (::statfs(p.c_str(), &st) == 0) break;
        if (!p.has_relative_path()) return "";
        p = p.parent_path();
    }
    // Magic numbers from statfs(2); names as docker's `Backing Filesystem`.
    switch (static_cast<unsigned long>(st.f_type)) {
    case 0xEF53: return "extfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0xF2F52010: return "f2fs";
    case 0x6969: return "nfs";
    case 0x65735546: return "fuse";
    case 0x858458F6: return "ramfs";
    case 0x73717368: return "squashfs";
    default: {
        char hex[32];
        std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(st.f_type));
        return hex;
    }
    }
}

} // namespace kubik::host
