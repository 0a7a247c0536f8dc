#include "runtime/device_cgroup.hpp"

#include "rootless/rootless_mode.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"
#include "security/device_rules.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace kubik {
namespace {

namespace fs = std::filesystem;

void write_v1(const fs::path& file, const std::string& value) {
    std::ofstream out(file);
    out << value << std::flush;
    if (!out) throw Error("write " + value + " to " + file.string() + ": " + std::strerror(errno));
}

// Loads the rules' program and attaches it to the cgroup directory. The
// attachment holds the program: our descriptor may close at once.
void attach_device_program(const fs::path& dir, const std::vector<security::DeviceRule>& rules) {
    const auto program = security::device_program(rules);
    static const char license[] = "Apache-2.0";
    union bpf_attr load {};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<__u64>(program.data());
    load.insn_cnt = static_cast<__u32>(program.size());
    load.license = reinterpret_cast<__u64>(license);
    UniqueFd prog(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load)));
    if (!prog) throw_errno("load the device cgroup program (bpf BPF_PROG_LOAD)");
    UniqueFd group(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!group) throw_errno("open " + dir.string());
    union bpf_attr attach {};
    attach.target_fd = static_cast<__u32>(group.get());
    attach.attach_bpf_fd = static_cast<__u32>(prog.get());
    attach.attach_type = BPF_CGROUP_DEVICE;
    // MULTI: an ancestor's program (systemd attaches some) still has its say.
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (::syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach) != 0)
        throw_errno("attach the device cgroup program to " + dir.string());
}

class DeviceCgroup final : public cgroups::Cgroup {
public:
    DeviceCgroup(std::unique_ptr<cgroups::Cgroup> inner, const cgroups::CgroupLayout& layout,
                 const fs::path& relative, bool apply_rules)
        : inner_(std::move(inner)), apply_rules_(apply_rules) {
        if (layout.version == cgroups::CgroupVersion::V1)
            if (auto it = layout.v1.find("devices"); it != layout.v1.end()) v1_dir_ = it->second / relative;
        v2_ = layout.version == cgroups::CgroupVersion::V2;
    }

    void create() override {
        inner_->create();
        if (!apply_rules_) return;
        const auto rules = security::default_device_rules();
        if (!v1_dir_.empty()) {
            fs::create_directories(v1_dir_);
            // Deny all first: a new group inherits its parent's (everything).
            write_v1(v1_dir_ / "devices.deny", "a");
            for (const auto& rule : rules) write_v1(v1_dir_ / "devices.allow", security::device_rule_line(rule));
        } else if (v2_) {
            attach_device_program(inner_->path(), rules);
        }
    }
    void apply(const cgroups::CgroupLimits& limits) override { inner_->apply(limits); }
    void add_process(pid_t pid) override {
        inner_->add_process(pid);
        // Only where the devices group exists: a --privileged container has
        // none, and exec opens the group without knowing which it was.
        std::error_code ec;
        if (!v1_dir_.empty() && fs::exists(v1_dir_, ec)) write_v1(v1_dir_ / "cgroup.procs", std::to_string(pid));
    }
    std::vector<pid_t> processes() const override { return inner_->processes(); }
    cgroups::CgroupUsage usage() const override { return inner_->usage(); }
    bool oom_killed() const override { return inner_->oom_killed(); }
    void remove() override {
        // A group made before lesson 8, or for --privileged, has none.
        if (!v1_dir_.empty() && ::rmdir(v1_dir_.c_str()) != 0 && errno != ENOENT)
            throw_errno("remove cgroup " + v1_dir_.string());
        inner_->remove();
    }
    fs::path path() const override { return inner_->path(); }

private:
    std::unique_ptr<cgroups::Cgroup> inner_;
    bool apply_rules_;
    fs::path v1_dir_;  // "" on v2, or without a devices hierarchy
    bool v2_ = false;
};

} // namespace

std::unique_ptr<cgroups::Cgroup> open_container_cgroup(const fs::path& relative, const SecurityOptions* security) {
    const auto layout = cgroups::detect_layout();
    auto inner = cgroups::open_cgroup(layout, relative);
    // In a user namespace neither wall can go up (the v1 devices files are
    // root's, a BPF program needs the host's CAP_SYS_ADMIN), nor is one
    // needed: the kernel lets no user namespace make a device node, so the
    // container has only the nodes bound from the user's own /dev.
    const bool devices = security != nullptr && !security->privileged && !rootless::inside();
    return std::make_unique<DeviceCgroup>(std::move(inner), layout, relative, devices);
}

} // namespace kubik
