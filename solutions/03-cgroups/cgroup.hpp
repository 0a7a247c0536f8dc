// Lesson 3 — cgroups: limiting what a container may use.
//
// A control group is a directory in a special filesystem. Processes are
// placed in it by writing their pid to its `cgroup.procs`; limits are set by
// writing to its files (`memory.max`, `pids.max`, ...); usage is read from
// others. The kernel then accounts and limits every process in the group and
// all their children.
//
// Hosts come in three kinds, and kubik detects which at run time:
// - cgroup v2 ("unified"): one tree at /sys/fs/cgroup for every controller
//   (Debian 12, Ubuntu 22.04+, Fedora, the course VM);
// - cgroup v1: one tree per controller (/sys/fs/cgroup/memory, .../pids, ...);
// - hybrid: v1 trees for the controllers plus a v2 tree that holds few or
//   none of them (older systemd distributions, and this course's CI).
// One interface, Cgroup, with a backend for each version.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::cgroups {

/// Which kind of cgroup hierarchy kubik uses: v1 (controllers in separate
/// hierarchies) or v2 (one unified tree).
enum class CgroupVersion { V1, V2 };

/// Where the cgroup filesystems of this host are mounted.
struct CgroupLayout {
    CgroupVersion version = CgroupVersion::V2; ///< which backend kubik uses
    bool hybrid = false;                       ///< v1 controllers + a v2 tree beside them
    std::filesystem::path unified;             ///< the v2 mount ("" if none)
    std::map<std::string, std::filesystem::path> v1; ///< controller name → its v1 mount
};

/// Reads the layout from the text of /proc/self/mountinfo: cgroup2 mounts
/// give `unified`; each "cgroup" (v1) mount gives the controllers listed in
/// its super options ("rw,memory" or "rw,cpu,cpuacct"). The version is V1 when
/// a v1 memory or pids controller is mounted, V2 otherwise.
CgroupLayout parse_layout(std::string_view mountinfo);

/// parse_layout() of this process's /proc/self/mountinfo.
CgroupLayout detect_layout();

/// Limits as docker's flags give them. Unset means "no limit".
struct CgroupLimits {
    std::optional<int64_t> memory;      ///< --memory, bytes
    std::optional<int64_t> memory_swap; ///< --memory-swap: memory + swap in bytes, -1 = unlimited swap
    std::optional<double> cpus;         ///< --cpus: how many CPUs' worth of time
    std::optional<int64_t> pids;        ///< --pids-limit; -1 or 0 = unlimited
};

/// What `kubik stats` shows.
struct CgroupUsage {
    int64_t memory_bytes = 0;            ///< memory charged to the group now
    std::optional<int64_t> memory_limit; ///< unset = no limit
    uint64_t cpu_usage_ns = 0;           ///< CPU time used by all processes, ever
    int64_t pids = 0;                    ///< processes (threads included) in the group now
};

/// One container's control group (in every hierarchy it needs, on v1).
class Cgroup {
public:
    virtual ~Cgroup() = default;

    /// Creates the group's directories (and on v2 enables the controllers it
    /// needs in its ancestors). Succeeds if they already exist.
    virtual void create() = 0;
    /// Writes the limits.
    virtual void apply(const CgroupLimits& limits) = 0;
    /// Moves process `pid` into the group.
    virtual void add_process(pid_t pid) = 0;
    /// The pids in the group.
    virtual std::vector<pid_t> processes() const = 0;
    /// What the group's processes use now: memory, CPU time, pids.
    virtual CgroupUsage usage() const = 0;
    /// Whether the kernel's OOM killer killed a process of this group.
    virtual bool oom_killed() const = 0;
    /// Removes the (empty) group's directories; a missing group is not an error.
    virtual void remove() = 0;
    /// The group's directory (v1: the memory hierarchy's), for messages.
    virtual std::filesystem::path path() const = 0;
};

/// The cgroup at `relative` ("kubik/<id>") below each hierarchy's root,
/// with the backend that `layout` calls for. Nothing is created yet.
std::unique_ptr<Cgroup> open_cgroup(const CgroupLayout& layout, const std::filesystem::path& relative);

/// Backends, exposed so that tests can aim them at an imitation of cgroupfs.
/// The v2 backend: `mount` is the cgroup2 mount.
std::unique_ptr<Cgroup> open_cgroup_v2(const std::filesystem::path& mount, const std::filesystem::path& relative);
/// The v1 backend: `mounts` maps each controller to its hierarchy's mount.
std::unique_ptr<Cgroup> open_cgroup_v1(const std::map<std::string, std::filesystem::path>& mounts,
                                       const std::filesystem::path& relative);

} // namespace kubik::cgroups
