// `kubik info`: docker info for kubik. What kubik has (containers, images,
// its state root) and what the host gives it (cgroups and their controllers,
// overlayfs, user namespaces, the kernel), with a WARNING line for each thing
// a lesson needs and this host lacks. `--format json` (or docker's
// `--format '{{json .}}'`) prints the same facts as one JSON object with
// docker's keys where docker has one.
//
// The host's facts come from runtime/host_info.hpp, which reads /proc and
// /sys itself: info tells the truth at every stage of the course, also while
// lesson 3's detect_layout() is a stub.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "container/container_store.hpp"
#include "image/image_store.hpp"
#include "rootless/rootless_cgroup.hpp"
#include "rootless/rootless_mode.hpp"
#include "runtime/host_info.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace kubik::cli {
namespace {

struct InfoOptions {
    std::string format; ///< "" (text) or "json"
};

// Containers by state, as docker counts them: Stopped is everything that
// isn't running (exited, created, and kubik's "dead").
struct Counts {
    size_t containers = 0, running = 0, images = 0;
    size_t stopped() const { return containers - running; }
};

std::string joined(const std::vector<std::string>& items, const std::string& sep = " ") {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string overlay_word(host::HostInfo::Overlay o) {
    switch (o) {
    case host::HostInfo::Overlay::Loaded: return "loaded";
    case host::HostInfo::Overlay::Module: return "module";
    case host::HostInfo::Overlay::Missing: return "missing";
    }
    return "missing";
}

bool unprivileged_userns(const host::HostInfo& h) {
    return h.user_namespaces && h.max_user_namespaces.value_or(1) > 0 && h.unprivileged_userns_clone.value_or(1) != 0 &&
           h.apparmor_restrict_userns.value_or(0) == 0;
}

// docker's words: "cgroupfs", or "none" for a rootless kubik that has no
// delegated cgroup (rootless/rootless_cgroup.hpp).
std::string cgroup_driver() {
    return rootless::inside() && rootless::delegated_cgroup().empty() ? "none" : "cgroupfs";
}

// docker's SecurityOptions: the seccomp profile, and rootless when it is.
std::vector<std::string> security_options() {
    std::vector<std::string> options{"name=seccomp,profile=builtin"};
    if (rootless::inside()) options.push_back("name=rootless");
    return options;
}

// Docker's daemon words first ("WARNING: No swap limit support"), then what
// it means for kubik and which lesson needs it.
std::vector<std::string> warnings_of(const host::HostInfo& h) {
    std::vector<std::string> w;
    const auto& cg = h.cgroups;
    if (cgroup_driver() == "none")
        w.push_back(cg.v1.empty() ? "WARNING: Running in rootless-mode without cgroups: " + rootless::no_delegation_reason()
                                  : "WARNING: Running in rootless-mode without cgroups. To enable cgroups in "
                                    "rootless-mode, you need to boot the system in cgroup v2 mode.");
    if (h.overlay == host::HostInfo::Overlay::Missing)
        w.push_back("WARNING: No overlay filesystem support (not in /proc/filesystems, no overlay module for kernel " +
                    h.kernel_version + "): a container's root is an overlay mount, so containers can't start; "
                    "lesson 4's image layers need it too");
    if (cg.none()) {
        w.push_back("WARNING: No cgroup filesystem is mounted (no cgroup2, no v1 memory or pids hierarchy): "
                    "kubik can't give containers a cgroup and limits (lesson 3)");
    } else {
        const std::string where = cg.uses_v1() ? "no v1 hierarchy holds it" : "not in " +
                                  (cg.unified / "cgroup.controllers").string();
        if (!h.memory_limit)
            w.push_back("WARNING: No memory limit support (" + where + "): --memory fails (lesson 3)");
        if (h.memory_limit && h.swap_limit == false)
            w.push_back(std::string("WARNING: No swap limit support (no ") +
                        (cg.uses_v1() ? "memory.memsw.limit_in_bytes" : "memory.swap.max") +
                        "; the kernel doesn't account swap): --memory-swap is not enforced (lesson 3)");
        if (!h.cpu_cfs_quota)
            w.push_back("WARNING: No cpu cfs quota support (" +
                        (cg.has("cpu") ? std::string("no cpu.cfs_quota_us") : where) + "): --cpus fails (lesson 3)");
        if (!h.pids_limit)
            w.push_back("WARNING: No pids limit support (" + where + "): --pids-limit fails (lesson 3)");
        if (cg.uses_v1() && !h.cpu_accounting)
            w.push_back("WARNING: No cpuacct controller in cgroup v1: `kubik stats` can't show CPU usage");
    }
    if (!h.user_namespaces)
        w.push_back("WARNING: No user namespace support in this kernel (no /proc/self/ns/user): "
                    "rootless kubik (lesson 8) needs it");
    else if (h.max_user_namespaces == 0L)
        w.push_back("WARNING: User namespaces are disabled (/proc/sys/user/max_user_namespaces is 0): "
                    "rootless kubik (lesson 8) needs them");
    else if (h.unprivileged_userns_clone == 0L)
        w.push_back("WARNING: Unprivileged user namespaces are disabled (/proc/sys/kernel/unprivileged_userns_clone "
                    "is 0): rootless kubik (lesson 8) needs them");
    else if (h.apparmor_restrict_userns.value_or(0) != 0)
        w.push_back("WARNING: Unprivileged user namespaces are restricted by AppArmor "
                    "(/proc/sys/kernel/apparmor_restrict_unprivileged_userns is 1): rootless kubik (lesson 8) needs them");
    return w;
}

std::string cgroup_version(const host::CgroupHost& cg) {
    if (cg.uses_v1()) return "1";
    if (!cg.unified.empty()) return "2";
    return "";
}

std::string cgroup_mode_text(const host::CgroupHost& cg) {
    if (cg.none()) return "none (no cgroup filesystem is mounted)";
    if (!cg.uses_v1()) return "v2 (cgroup2 at " + cg.unified.string() + ")";
    std::string text = cg.mode() + " (v1 hierarchies";
    if (auto it = cg.v1.find("memory"); it != cg.v1.end()) text += " below " + it->second.parent_path().string();
    if (cg.hybrid()) {
        auto held = cg.unified_controllers.empty() ? std::string("no controllers") : joined(cg.unified_controllers);
        text += "; cgroup2 at " + cg.unified.string() + " with " + held;
    }
    return text + ")";
}

std::string user_namespaces_text(const host::HostInfo& h) {
    if (!h.user_namespaces) return "not supported by this kernel";
    if (h.max_user_namespaces == 0L) return "disabled (user.max_user_namespaces = 0)";
    if (h.unprivileged_userns_clone == 0L) return "root only (kernel.unprivileged_userns_clone = 0)";
    if (h.apparmor_restrict_userns.value_or(0) != 0)
        return "enabled; unprivileged ones restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns = 1)";
    return h.max_user_namespaces ? "enabled (max " + std::to_string(*h.max_user_namespaces) + ")" : "enabled";
}

std::string overlay_text(host::HostInfo::Overlay o) {
    switch (o) {
    case host::HostInfo::Overlay::Loaded: return "supported";
    case host::HostInfo::Overlay::Module: return "module, loaded on first use";
    case host::HostInfo::Overlay::Missing: return "missing";
    }
    return "missing";
}

nlohmann::json to_json(const std::string& version, const std::filesystem::path& root, const Counts& n,
                       const host::HostInfo& h, const std::string& backing, const std::vector<std::string>& warnings) {
    const auto& cg = h.cgroups;
    nlohmann::json v1 = nlohmann::json::object();
    for (const auto& [name, mount] : cg.v1) v1[name] = mount.string();
    auto optional_number = [](const std::optional<long>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    return {
        {"ClientInfo", {{"Version", version}}},
        {"ServerVersion", version},
        {"Containers", n.containers},
        {"ContainersRunning", n.running},
        {"ContainersStopped", n.stopped()},
        {"Images", n.images},
        {"Driver", "overlay"},
        {"DriverStatus", nlohmann::json::array({nlohmann::json::array({"Backing Filesystem", backing}),
                                                nlohmann::json::array({"Overlay Filesystem", overlay_word(h.overlay)})})},
        {"OverlayFilesystem", overlay_word(h.overlay)},
        {"KubikRootDir", root.string()},
        {"CgroupDriver", cgroup_driver()},
        {"SecurityOptions", security_options()},
        {"CgroupVersion", cgroup_version(cg)},
        {"CgroupMode", cg.mode()},
        {"CgroupUnifiedMount", cg.unified.string()},
        {"CgroupUnifiedControllers", cg.unified_controllers},
        {"CgroupV1Mounts", v1},
        {"Controllers", cg.controllers()},
        {"MemoryLimit", h.memory_limit},
        {"SwapLimit", h.swap_limit ? nlohmann::json(*h.swap_limit) : nlohmann::json()},
        {"CpuCfsQuota", h.cpu_cfs_quota},
        {"CpuCfsPeriod", h.cpu_cfs_quota},
        {"PidsLimit", h.pids_limit},
        {"CpuAccounting", h.cpu_accounting},
        {"KernelVersion", h.kernel_version},
        {"OperatingSystem", h.operating_system},
        {"OSType", "linux"},
        {"Architecture", h.architecture},
        {"NCPU", h.cpus},
        {"MemTotal", h.memory_total},
        {"Name", h.hostname},
        {"RootPropagation", h.root_propagation},
        {"UserNamespaces", h.user_namespaces && h.max_user_namespaces.value_or(1) > 0},
        {"UnprivilegedUserNamespaces", unprivileged_userns(h)},
        {"MaxUserNamespaces", optional_number(h.max_user_namespaces)},
        {"Warnings", warnings},
    };
}

void print_text(const std::string& version, const std::filesystem::path& root, const Counts& n,
                const host::HostInfo& h, const std::string& backing) {
    const auto& cg = h.cgroups;
    std::cout << "Client:\n"
              << " Version:    " << version << "\n"
              << "\n"
              << "Server:\n"
              << " Containers: " << n.containers << "\n"
              << "  Running: " << n.running << "\n"
              << "  Stopped: " << n.stopped() << "\n"
              << " Images: " << n.images << "\n"
              << " Server Version: " << version << "\n"
              << " Storage Driver: overlay\n"
              << "  Backing Filesystem: " << (backing.empty() ? "unknown" : backing) << "\n"
              << "  Overlay Filesystem: " << overlay_text(h.overlay) << "\n"
              << " Cgroup Driver: " << cgroup_driver() << "\n"
              << " Cgroup Version: " << (cg.none() ? "none" : cgroup_version(cg)) << "\n"
              << " Cgroup Mode: " << cgroup_mode_text(cg) << "\n"
              << " Cgroup Controllers: " << (cg.controllers().empty() ? "none" : joined(cg.controllers())) << "\n"
              << " Kernel Version: " << h.kernel_version << "\n"
              << " Operating System: " << (h.operating_system.empty() ? "unknown" : h.operating_system) << "\n"
              << " OSType: linux\n"
              << " Architecture: " << h.architecture << "\n"
              << " CPUs: " << h.cpus << "\n"
              << " Total Memory: " << human_bytes(static_cast<double>(h.memory_total)) << "\n"
              << " Name: " << h.hostname << "\n"
              << " Kubik Root Dir: " << root.string() << "\n"
              << " Root Propagation: " << (h.root_propagation.empty() ? "unknown" : h.root_propagation) << "\n"
              << " User Namespaces: " << user_namespaces_text(h) << "\n"
              << " Security Options:\n"
              << "  seccomp\n"
              << "   Profile: builtin\n";
    if (rootless::inside()) std::cout << "  rootless\n";
}

int info(const std::string& version, const GlobalOptions& global, const InfoOptions& opts) {
    const auto root = global.root_path();
    Counts n;
    // Read-only: neither store creates anything until something is stored.
    for (const auto& c : ContainerStore(root).list()) {
        ++n.containers;
        if (c.running()) ++n.running;
    }
    std::vector<std::string> store_problems;
    try {
        n.images = ImageStore(root).list().size();
    } catch (const std::exception& e) {
        store_problems.push_back(std::string("WARNING: Cannot list the images: ") + e.what());
    }
    const auto host_info = host::detect();
    const auto backing = host::backing_filesystem(root);
    auto warnings = warnings_of(host_info);
    warnings.insert(warnings.end(), store_problems.begin(), store_problems.end());

    if (opts.format == "json") {
        std::cout << to_json(version, root, n, host_info, backing, warnings).dump() << "\n";
        return 0;
    }
    print_text(version, root, n, host_info, backing);
    std::cout.flush();
    // Docker prints the daemon's warnings after the report, on stderr.
    for (const auto& w : warnings) std::cerr << w << "\n";
    return 0;
}

// "json" and docker's "{{json .}}" (spaces inside the braces allowed).
bool is_json_format(std::string value) {
    if (value == "json") return true;
    value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
    return value == "{{json.}}";
}

} // namespace

void add_info_command(CLI::App& app, const GlobalOptions& global, Action& action, const std::string& version) {
    auto opts = std::make_shared<InfoOptions>();
    auto* cmd = app.add_subcommand("info", "Display system-wide information");
    cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*cmd, "kubik info [OPTIONS]");
    cmd->add_option("-f,--format", opts->format, "Format output: json (or '{{json .}}')")
        ->transform(CLI::Validator(
            [](std::string& value) -> std::string {
                if (is_json_format(value)) {
                    value = "json";
                    return "";
                }
                return "template parsing error: kubik info knows --format json and '{{json .}}', not '" + value + "'";
            },
            "json", "FORMAT"));
    cmd->callback([&global, &action, opts, version] {
        action = exit_one_on_error([&global, opts, version] { return info(version, global, *opts); });
    });
}

} // namespace kubik::cli
