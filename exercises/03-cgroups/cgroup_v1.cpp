// Lesson 3 — cgroups: the v1 backend. Read lessons/03-cgroups/README.md first.
#include "cgroup.hpp"
#include "cgroup_files.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <cmath>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace kubik::cgroups {
namespace {

// v1 has one tree per controller; cpuacct holds the CPU usage counter.
const char* const kControllers[] = {"memory", "cpu", "cpuacct", "pids"};

class CgroupV1 final : public Cgroup {
public:
    CgroupV1(const std::map<std::string, fs::path>& mounts, const fs::path& relative) {
        for (const char* controller : kControllers)
            if (auto it = mounts.find(controller); it != mounts.end())
                dirs_[controller] = it->second / relative;
    }

    void create() override {
        for (const auto& dir : unique_dirs()) fs::create_directories(dir);
    }

    void apply(const CgroupLimits& limits) override {
        // TODO: memory/memory.limit_in_bytes, memory/memory.memsw.limit_in_bytes
        // (memory + swap; -1 unlimited; 2 × memory when only --memory is given, as
        // docker does; only if the file exists), cpu/cpu.cfs_period_us
        // and cpu/cpu.cfs_quota_us, pids/pids.max. Use dir("memory") etc.
        throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — CgroupV1::apply(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
    }

    void add_process(pid_t pid) override {
        // TODO: write the pid to cgroup.procs in every hierarchy (unique_dirs()).
        throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — CgroupV1::add_process(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
    }

    bool oom_killed() const override {
        // TODO: memory.oom_control has a line "oom_kill N" (Linux 4.13+).
        throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — CgroupV1::oom_killed(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
    }

    std::vector<pid_t> processes() const override {
        std::vector<pid_t> pids;
        std::istringstream text(read_control(dir("memory") / "cgroup.procs").value_or(""));
        for (pid_t pid; text >> pid;) pids.push_back(pid);
        return pids;
    }

    CgroupUsage usage() const override {
        CgroupUsage u;
        u.memory_bytes = std::stoll(read_control(dir("memory") / "memory.usage_in_bytes").value_or("0"));
        // v1 says "no limit" with a huge number (PAGE_COUNTER_MAX pages).
        auto limit = std::stoll(read_control(dir("memory") / "memory.limit_in_bytes").value_or("-1"));
        if (limit > 0 && limit < (int64_t{1} << 60)) u.memory_limit = limit;
        u.cpu_usage_ns = std::stoull(read_control(dir("cpuacct") / "cpuacct.usage").value_or("0"));
        u.pids = std::stoll(read_control(dir("pids") / "pids.current").value_or("0"));
        return u;
    }

    void remove() override {
        for (const auto& d : unique_dirs()) remove_cgroup_dir(d);
    }

    fs::path path() const override { return dir("memory"); }

private:
    fs::path dir(const std::string& controller) const {
        auto it = dirs_.find(controller);
        if (it == dirs_.end())
            throw Error("cgroup v1 controller \"" + controller + "\" is not mounted on this host");
        return it->second;
    }
    // Controllers may share a hierarchy ("cpu,cpuacct"): visit each directory once.
    std::set<fs::path> unique_dirs() const {
        std::set<fs::path> dirs;
        for (const auto& [name, d] : dirs_) dirs.insert(d);
        return dirs;
    }

    std::map<std::string, fs::path> dirs_;
};

} // namespace

std::unique_ptr<Cgroup> open_cgroup_v1(const std::map<std::string, fs::path>& mounts, const fs::path& relative) {
    return std::make_unique<CgroupV1>(mounts, relative);
}

} // namespace kubik::cgroups
