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
        // BEGIN SOLUTION CgroupV2::create
        // TODO: create the directory and its parents. A controller's files
        // appear in a group only if its parent lists the controller in
        // cgroup.subtree_control: write "+memory" (and +cpu, +pids) there in
        // every ancestor from the mount down to our parent.
        fs::create_directories(dir_);
        std::vector<fs::path> ancestors;
        for (fs::path p = dir_.parent_path(); p.native().size() >= mount_.native().size(); p = p.parent_path()) {
            ancestors.push_back(p);
            if (p == mount_) break;
        }
        // Top-down: a controller can be enabled in a group only if its own
        // parent enabled it.
        for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) {
            auto available = read_control(*it / "cgroup.controllers").value_or("");
            auto enabled = read_control(*it / "cgroup.subtree_control").value_or("");
            for (const char* controller : kControllers) {
                auto has = [&](const std::string& list) {
                    std::istringstream words(list);
                    for (std::string w; words >> w;)
                        if (w == controller) return true;
                    return false;
                };
                // Not every kernel has every controller; limits that need a
                // missing one fail later, in apply(), with a clear message.
                if (has(available) && !has(enabled))
                    write_control(*it / "cgroup.subtree_control", std::string("+") + controller);
            }
        }
        // END SOLUTION
    }

    void apply(const CgroupLimits& limits) override {
        // BEGIN SOLUTION CgroupV2::apply
        // TODO: memory.max (bytes), memory.swap.max (swap only: memory_swap - memory;
        // "max" for -1; equal to memory when only --memory is given, as docker does),
        // cpu.max ("QUOTA PERIOD" in microseconds, PERIOD 100000), pids.max ("max" for <= 0).
        if (limits.memory) {
            write_control(dir_ / "memory.max", std::to_string(*limits.memory));
            // Docker: without --memory-swap, the container may use as much swap as memory.
            int64_t total = limits.memory_swap.value_or(2 * *limits.memory);
            // memory.swap.max exists only when the kernel accounts swap.
            if (fs::exists(dir_ / "memory.swap.max"))
                write_control(dir_ / "memory.swap.max",
                              total < 0 ? "max" : std::to_string(total - *limits.memory));
        }
        if (limits.cpus) {
            const int64_t period = 100000;
            auto quota = static_cast<int64_t>(std::llround(*limits.cpus * period));
            write_control(dir_ / "cpu.max", std::to_string(quota) + " " + std::to_string(period));
        }
        if (limits.pids)
            write_control(dir_ / "pids.max", *limits.pids > 0 ? std::to_string(*limits.pids) : "max");
        // END SOLUTION
    }

    void add_process(pid_t pid) override {
        // BEGIN SOLUTION CgroupV2::add_process
        // TODO: write the pid to cgroup.procs.
        write_control(dir_ / "cgroup.procs", std::to_string(pid));
        // END SOLUTION
    }

    bool oom_killed() const override {
        // BEGIN SOLUTION CgroupV2::oom_killed
        // TODO: memory.events has a line "oom_kill N": N > 0 means the OOM killer struck.
        return read_keyed_value(dir_ / "memory.events", "oom_kill").value_or(0) > 0;
        // END SOLUTION
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
