// What this host offers kubik, for `kubik info`: the cgroup hierarchies and
// their controllers, overlayfs, user namespaces, the propagation of `/`, the
// kernel and the OS.
//
// Read straight from /proc and /sys, never through a lesson's code: `kubik
// info` must tell a student the truth about the host at every stage of the
// course, also while lesson 3's cgroups::detect_layout() is still a stub.
// The cgroup rule is the one docs/architecture.md gives: v1 when a v1
// hierarchy holds memory or pids (v1 and hybrid hosts), else v2.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::host {

/// One line of /proc/PID/mountinfo (proc(5)).
struct MountInfo {
    std::string mount_point;                  ///< field 5, octal escapes ("\040") undone
    std::vector<std::string> optional_fields; ///< "shared:15", "master:1", "unbindable", ...
    std::string fs_type;                      ///< after " - ": "ext4", "cgroup2", ...
    std::string source;                       ///< the mount source ("/dev/vda", "cgroup")
    std::string super_options;                ///< "rw,memory", "rw,nsdelegate"
};

/// Parses mountinfo text; lines without the " - " separator are skipped.
std::vector<MountInfo> parse_mountinfo(std::string_view text);

/// Propagation of a mount, in findmnt's words: "shared", "slave",
/// "shared,slave", "unbindable" or "private" (no tag at all).
std::string propagation_of(const MountInfo& mount);

/// The cgroup filesystems mounted here.
struct CgroupHost {
    std::filesystem::path unified;                       ///< the first cgroup2 mount, "" if none
    std::map<std::string, std::filesystem::path> v1;     ///< v1 controller → its hierarchy's mount
    std::vector<std::string> unified_controllers;        ///< the cgroup2 root's cgroup.controllers

    /// kubik uses v1 when a v1 hierarchy holds memory or pids.
    bool uses_v1() const { return v1.count("memory") || v1.count("pids"); }
    /// v1 controllers with a cgroup2 tree beside them.
    bool hybrid() const { return uses_v1() && !unified.empty(); }
    /// Neither a v1 hierarchy kubik can use nor a cgroup2 mount.
    bool none() const { return !uses_v1() && unified.empty(); }
    /// "v1", "v2", "hybrid" or "none".
    std::string mode() const;
    /// The controllers of the hierarchy kubik uses (v1: the v1 mounts; v2:
    /// the cgroup2 root's), sorted.
    std::vector<std::string> controllers() const;
    bool has(const std::string& controller) const; ///< in controllers()
};

/// The cgroup mounts among `mounts`: "cgroup2" gives `unified` (the first),
/// each "cgroup" (v1) mount its controllers (the super options other than
/// rw/ro and KEY=VALUE ones such as name=systemd). unified_controllers is
/// left empty (it needs the file system; see detect_cgroups()).
CgroupHost parse_cgroups(const std::vector<MountInfo>& mounts);

/// Whether `name` is listed in the text of /proc/filesystems.
bool filesystem_listed(std::string_view proc_filesystems, std::string_view name);

/// PRETTY_NAME of an os-release(5) text, unquoted; "" when absent.
std::string os_pretty_name(std::string_view os_release);

/// Everything `kubik info` says about the host.
struct HostInfo {
    CgroupHost cgroups;               ///< the cgroup mounts and controllers
    // What the hierarchy kubik uses can limit (docker's names: MemoryLimit, ...).
    bool memory_limit = false;        ///< a memory controller
    std::optional<bool> swap_limit;   ///< swap accounting (v1 memory.memsw.*, v2 memory.swap.max); unset: can't tell
    bool cpu_cfs_quota = false;       ///< v1 cpu.cfs_quota_us, v2 the cpu controller
    bool pids_limit = false;          ///< a pids controller
    bool cpu_accounting = false;      ///< v1 cpuacct (kubik stats' CPU column); v2 always (cpu.stat)

    /// Whether the kernel can mount overlayfs.
    enum class Overlay {
        Loaded,  ///< listed in /proc/filesystems
        Module,  ///< not listed, but /lib/modules/RELEASE has the module: loaded on the first mount
        Missing, ///< neither
    };
    Overlay overlay = Overlay::Missing; ///< see Overlay

    bool user_namespaces = false;                ///< the kernel has them (/proc/self/ns/user)
    std::optional<long> max_user_namespaces;     ///< /proc/sys/user/max_user_namespaces
    std::optional<long> unprivileged_userns_clone; ///< /proc/sys/kernel/unprivileged_userns_clone (Debian/Ubuntu kernels)
    std::optional<long> apparmor_restrict_userns;  ///< /proc/sys/kernel/apparmor_restrict_unprivileged_userns (Ubuntu)

    std::string root_propagation;     ///< propagation of this mount namespace's `/`; "" if not found

    std::string kernel_version;       ///< uname -r
    std::string architecture;         ///< uname -m
    std::string hostname;             ///< uname -n
    std::string operating_system;     ///< os-release PRETTY_NAME
    int cpus = 0;                     ///< CPUs this process may run on (sched_getaffinity)
    int64_t memory_total = 0;         ///< bytes of RAM (sysinfo)
};

/// The cgroup mounts of this process's mount namespace, with the cgroup2
/// root's controllers read from its cgroup.controllers.
CgroupHost detect_cgroups();

/// Reads the host's facts. Nothing here fails: what can't be read is left
/// empty or unset.
HostInfo detect();

/// Name of the file system that holds `path` (or its nearest existing
/// ancestor), in docker's words: "extfs", "xfs", "btrfs", "tmpfs", "overlayfs"...;
/// the statfs magic in hex when unknown, "" when nothing can be read.
std::string backing_filesystem(const std::filesystem::path& path);

} // namespace kubik::host
