// Lesson 3 — cgroups: the v2 (unified) backend. Read lessons/03-cgroups/README.md first.
#include "cgroup.hpp"
#include "cgroup_files.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <cmath>
#include <sstream>

namespace fs = std::filesystem;

namespace kubik::cgroups {
namespace {

// The controllers kubik limits and reads.
const char* const kControllers[] = {"cpu", "memory", "pids"};

class CgroupV2 final : public Cgroup {
public:
    CgroupV2(fs::path mount, fs::path relative) : mount_(std::move(mount)), dir_(mount_ / relative) {}

    void create() override {
        // TODO: create the directory and its parents. A controller's files
        // appear in a group only if its parent lists the controller in
        // cgroup.subtree_control: write "+memory" (and +cpu, +pids) there in
        // every ancestor from the mount down to our parent.
        throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — CgroupV2::create(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
    }

    void apply(const CgroupLimits& limits) override {
        // TODO: memory.max (bytes), memory.swap.max (swap only: memory_swap - memory;
        // "max" for -1; equal to memory when only --memory is given, as docker does),
        // cpu.max ("QUOTA PERIOD" in microseconds, PERIOD 100000), pids.max ("max" for <= 0).
        throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — CgroupV2::apply(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
    }

    void add_process(pid_t pid) override {
        // TODO: write the pid to cgroup.procs.
        throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — CgroupV2::add_process(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
    }

    bool oom_killed() const override {
        // TODO: memory.events has a line "oom_kill N": N > 0 means the OOM killer struck.
        throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — CgroupV2::oom_killed(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
    }

    std::vector<pid_t> processes() const override {
        std::vector<pid_t> pids;
        std::istringstream text(read_control(dir_ / "cgroup.procs").value_or(""));
        for (pid_t pid; text >> pid;) pids.push_back(pid);
        return pids;
    }

    CgroupUsage usage() const override {
        CgroupUsage u;
        u.memory_bytes = std::stoll(read_control(dir_ / "memory.current").value_or("0"));
        auto max = read_control(dir_ / "memory.max").value_or("max");
        if (max != "max") u.memory_limit = std::stoll(max);
        u.cpu_usage_ns = static_cast<uint64_t>(read_keyed_value(dir_ / "cpu.stat", "usage_usec").value_or(0)) * 1000;
        u.pids = std::stoll(read_control(dir_ / "pids.current").value_or("0"));
        return u;
    }

    void remove() override { remove_cgroup_dir(dir_); }
    fs::path path() const override { return dir_; }

private:
    fs::path mount_;
    fs::path dir_;
};

} // namespace

std::unique_ptr<Cgroup> open_cgroup_v2(const fs::path& mount, const fs::path& relative) {
    return std::make_unique<CgroupV2>(mount, relative);
}

} // namespace kubik::cgroups
