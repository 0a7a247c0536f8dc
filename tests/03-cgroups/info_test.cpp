// `kubik info`: docker info for kubik. Every fact it prints is checked
// against the test's own reading of the kernel: the cgroup mounts
// (cgroup_host(), from /proc/self/mountinfo), the cgroup2 root's
// cgroup.controllers, uname(2), /proc/filesystems, /proc/meminfo,
// sched_getaffinity(2), /proc/sys/user/max_user_namespaces, the propagation
// of `/`; the container counts against containers the test starts and stops
// (their init checked in /proc). The WARNING lines are checked on a host that
// lacks things: a private mount namespace (unshare -m) whose cgroup mounts are
// unmounted and whose /proc/filesystems and max_user_namespaces are covered by
// files of the test; the host's own mounts are never touched.
#include "lesson3.hpp"

#include <sched.h>
#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

namespace kubik::test {
namespace {

std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::string shell_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The test's own reading of /proc/filesystems: "nodev\toverlay".
bool overlay_listed(const std::string& filesystems) {
    for (const auto& line : lines_of(filesystems)) {
        auto w = words_of(line);
        if (!w.empty() && w.back() == "overlay") return true;
    }
    return false;
}

struct utsname uname_of_host() {
    struct utsname u {};
    ::uname(&u);
    return u;
}

class Info : public Cgroups {
protected:
    /// `kubik info --format json` (or another format spelling): the object;
    /// an empty object after recording a failure.
    nlohmann::json info_json(const std::string& format = "json") {
        auto r = kubik({"info", "--format", format});
        auto doc = nlohmann::json::parse(r.out, nullptr, false);
        if (r.exit_code != 0 || doc.is_discarded() || !doc.is_object()) {
            ADD_FAILURE() << "`kubik info --format " << format << "` must print one JSON object and exit 0\n"
                          << r.describe();
            return nlohmann::json::object();
        }
        EXPECT_EQ(r.err, "") << "with --format, warnings go into the object's Warnings, not to stderr\n"
                             << r.describe();
        return doc;
    }

    std::vector<std::string> strings(const nlohmann::json& doc, const std::string& key) {
        std::vector<std::string> out;
        if (!doc.contains(key) || !doc[key].is_array()) {
            ADD_FAILURE() << key << " must be an array of strings: " << doc.dump(2);
            return out;
        }
        for (const auto& v : doc[key])
            if (v.is_string()) out.push_back(v.get<std::string>());
        return out;
    }

    /// The controllers of the hierarchy kubik uses, as the host has them:
    /// the v1 mounts on a v1 or hybrid host, else the cgroup2 root's
    /// cgroup.controllers.
    std::vector<std::string> host_controllers() const {
        std::vector<std::string> out;
        if (host_.v1) {
            for (const auto& [c, mount] : host_.v1_mounts) out.push_back(c);
        } else if (!host_.unified.empty()) {
            out = words_of(read_text(host_.unified / "cgroup.controllers").value_or(""));
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    std::string host_mode() const {
        if (host_.hybrid) return "hybrid";
        if (host_.v1) return "v1";
        return host_.unified.empty() ? "none" : "v2";
    }

    /// Containers, ContainersRunning, ContainersStopped.
    void expect_counts(const nlohmann::json& doc, int total, int running, const std::string& context) {
        EXPECT_EQ(doc.value("Containers", -1), total) << context << "\n" << doc.dump(2);
        EXPECT_EQ(doc.value("ContainersRunning", -1), running) << context << "\n" << doc.dump(2);
        EXPECT_EQ(doc.value("ContainersStopped", -1), total - running) << context << "\n" << doc.dump(2);
    }

    /// `kubik ARGS` in a private mount namespace (util-linux's unshare -m,
    /// every mount made private first) after the shell commands `setup`
    /// (umount, mount --bind) have changed that namespace's mounts. The
    /// namespace, and what `setup` did in it, ends with the process; the
    /// host's mounts are never touched.
    RunResult kubik_with_private_mounts(const std::string& setup, const std::vector<std::string>& args) {
        std::string script = "set -e\n" + setup + "exec";
        for (const auto& a : kubik_argv(args)) script += " " + shell_quoted(a);
        // The test helper's run() does no PATH search.
        std::string unshare = fs::exists("/usr/bin/unshare") ? "/usr/bin/unshare" : "/bin/unshare";
        return run({unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", script});
    }

    /// Lines of `warnings` that start with "WARNING: " + `what`.
    static bool warned(const std::vector<std::string>& warnings, const std::string& what) {
        return std::any_of(warnings.begin(), warnings.end(),
                           [&](const std::string& w) { return w.rfind("WARNING: " + what, 0) == 0; });
    }

    /// kubik's version as `kubik --version` prints it ("kubik version 0.2.0").
    std::string version() {
        auto r = run({kubik_binary(), "--version"});
        auto text = trimmed(r.out);
        const std::string prefix = "kubik version ";
        EXPECT_EQ(text.rfind(prefix, 0), 0u) << r.describe();
        return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
    }
};

// ---------------------------------------------------------------------------

TEST_F(Info, JsonCgroupFactsAreTheHosts) {
    auto doc = info_json();
    EXPECT_EQ(doc.value("CgroupVersion", "?"), host_.v1 ? "1" : "2") << host_.describe();
    EXPECT_EQ(doc.value("CgroupMode", "?"), host_mode()) << host_.describe();
    EXPECT_EQ(doc.value("CgroupDriver", "?"), "cgroupfs");
    EXPECT_EQ(doc.value("CgroupUnifiedMount", "?"), host_.unified.string()) << host_.describe();

    auto controllers = strings(doc, "Controllers");
    for (const auto& c : host_controllers())
        EXPECT_TRUE(contains(controllers, c)) << "controller " << c << " is mounted (" << host_.describe()
                                              << ") but not in Controllers: " << doc["Controllers"].dump();
    EXPECT_EQ(controllers, host_controllers()) << host_.describe();
    if (host_.v1) {
        auto mounts = doc.value("CgroupV1Mounts", nlohmann::json::object());
        for (const auto& [c, mount] : host_.v1_mounts)
            EXPECT_EQ(mounts.value(c, ""), mount.string()) << "CgroupV1Mounts." << c << ": " << mounts.dump(2);
    }

    // What the hierarchy can limit, from the kernel's files.
    auto has = [&](const std::string& c) { return contains(host_controllers(), c); };
    EXPECT_EQ(doc.value("MemoryLimit", !has("memory")), has("memory"));
    EXPECT_EQ(doc.value("PidsLimit", !has("pids")), has("pids"));
    bool cfs = has("cpu") && (!host_.v1 || fs::exists(host_.v1_mounts.at("cpu") / "cpu.cfs_quota_us"));
    EXPECT_EQ(doc.value("CpuCfsQuota", !cfs), cfs);
    if (host_.v1 && has("memory")) {
        bool memsw = fs::exists(host_.v1_mounts.at("memory") / "memory.memsw.limit_in_bytes");
        EXPECT_EQ(doc["SwapLimit"], nlohmann::json(memsw)) << doc.dump(2);
    } else if (!host_.v1 && has("memory")) {
        // The gate's container (--memory) made our cgroup parent, where kubik
        // enabled the memory controller: its files say whether swap is accounted.
        fs::path parent = host_.unified / cgroup_parent();
        if (fs::exists(parent / "memory.max")) {
            EXPECT_EQ(doc["SwapLimit"], nlohmann::json(fs::exists(parent / "memory.swap.max"))) << doc.dump(2);
        }
    }
}

TEST_F(Info, JsonHostFactsAreTheKernels) {
    auto doc = info_json();
    auto u = uname_of_host();
    EXPECT_EQ(doc.value("KernelVersion", "?"), u.release);
    EXPECT_EQ(doc.value("Architecture", "?"), u.machine);
    EXPECT_EQ(doc.value("Name", "?"), u.nodename);
    EXPECT_EQ(doc.value("OSType", "?"), "linux");
    EXPECT_EQ(doc.value("KubikRootDir", "?"), root_.string()) << "the state root is the --root kubik was given";

    bool overlay = overlay_listed(read_text("/proc/filesystems").value_or(""));
    EXPECT_EQ(doc.value("OverlayFilesystem", "?") == "loaded", overlay)
        << "/proc/filesystems " << (overlay ? "lists" : "doesn't list") << " overlay\n" << doc.dump(2);
    EXPECT_EQ(doc.value("Driver", "?"), "overlay");

    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(::sched_getaffinity(0, sizeof set, &set), 0);
    EXPECT_EQ(doc.value("NCPU", -1), CPU_COUNT(&set));
    for (const auto& line : lines_of(read_text("/proc/meminfo").value_or("")))
        if (line.rfind("MemTotal:", 0) == 0) {
            EXPECT_EQ(doc.value("MemTotal", int64_t{-1}), std::stoll(line.substr(9)) * 1024) << line;
        }

    if (auto max = read_text("/proc/sys/user/max_user_namespaces")) {
        EXPECT_EQ(doc["MaxUserNamespaces"], nlohmann::json(std::stol(*max)));
        EXPECT_EQ(doc.value("UserNamespaces", false), std::stol(*max) > 0);
    }

    // The propagation of `/` in our mount namespace (the last "/" is on top).
    std::string propagation = "?";
    for (const auto& m : mounts_of("self")) {
        if (m.mount_point != "/") continue;
        auto head = m.line.substr(0, m.line.find(" - "));
        bool shared = head.find(" shared:") != std::string::npos, slave = head.find(" master:") != std::string::npos;
        propagation = shared && slave ? "shared,slave" : shared ? "shared" : slave ? "slave" : "private";
        if (head.find(" unbindable") != std::string::npos) propagation = "unbindable";
    }
    EXPECT_EQ(doc.value("RootPropagation", "?"), propagation);

    for (const auto& line : lines_of(read_text("/etc/os-release").value_or("")))
        if (line.rfind("PRETTY_NAME=", 0) == 0) {
            std::string name = line.substr(12);
            if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
            EXPECT_EQ(doc.value("OperatingSystem", "?"), name);
        }

    EXPECT_EQ(doc.value("ServerVersion", "?"), version());
    EXPECT_EQ(doc.value("ClientInfo", nlohmann::json::object()).value("Version", "?"), version());
    EXPECT_EQ(doc.value("Images", -1), 1) << "the fixture made one image, busybox";
    expect_counts(doc, 0, 0, "the gate's container was --rm");
}

// A warning for exactly what this host lacks, judged from the kernel's files.
TEST_F(Info, WarningsNameWhatTheHostLacks) {
    auto doc = info_json();
    const auto warnings = strings(doc, "Warnings");
    auto warned = [&](const std::string& what) { return Info::warned(warnings, what); };
    auto has = [&](const std::string& c) { return contains(host_controllers(), c); };
    EXPECT_EQ(warned("No memory limit support"), !has("memory")) << doc["Warnings"].dump(2);
    EXPECT_EQ(warned("No pids limit support"), !has("pids")) << doc["Warnings"].dump(2);
    bool cfs = has("cpu") && (!host_.v1 || fs::exists(host_.v1_mounts.at("cpu") / "cpu.cfs_quota_us"));
    EXPECT_EQ(warned("No cpu cfs quota support"), !cfs) << doc["Warnings"].dump(2);
    if (host_.v1 && has("memory")) {
        EXPECT_EQ(warned("No swap limit support"),
                  !fs::exists(host_.v1_mounts.at("memory") / "memory.memsw.limit_in_bytes"))
            << doc["Warnings"].dump(2);
    }
    if (overlay_listed(read_text("/proc/filesystems").value_or(""))) {
        EXPECT_FALSE(warned("No overlay filesystem support")) << doc["Warnings"].dump(2);
    }
    if (read_text("/proc/sys/user/max_user_namespaces").value_or("0") != "0\n") {
        EXPECT_FALSE(warned("User namespaces are disabled")) << doc["Warnings"].dump(2);
    }

    // Text: the same warnings, after the report, on stderr (as docker prints them).
    auto r = kubik({"info"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(lines_of(r.err), warnings) << r.describe();
    EXPECT_EQ(r.out.find("WARNING"), std::string::npos) << r.describe();
}

TEST_F(Info, TextShowsTheSameFacts) {
    auto doc = info_json();
    auto r = kubik({"info"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    auto u = uname_of_host();
    const std::vector<std::string> expected_lines{
         std::string("Client:"), std::string("Server:"), " Containers: 0", "  Running: 0", "  Stopped: 0",
          " Images: 1", " Server Version: " + version(), " Storage Driver: overlay", " Cgroup Driver: cgroupfs",
          " Cgroup Version: " + std::string(host_.v1 ? "1" : "2"), " Kernel Version: " + std::string(u.release),
          " Architecture: " + std::string(u.machine), " Kubik Root Dir: " + root_.string(),
          " CPUs: " + std::to_string(doc.value("NCPU", -1)),
          " Root Propagation: " + doc.value("RootPropagation", "?")};
    for (const auto& expected : expected_lines)
        EXPECT_TRUE(contains(lines, expected)) << "no line \"" << expected << "\"\n" << r.describe();

    auto line_starting = [&](const std::string& prefix) {
        for (const auto& l : lines)
            if (l.rfind(prefix, 0) == 0) return l.substr(prefix.size());
        ADD_FAILURE() << "no line starting with \"" << prefix << "\"\n" << r.describe();
        return std::string();
    };
    EXPECT_EQ(line_starting(" Cgroup Mode: ").rfind(host_mode(), 0), 0u) << host_.describe();
    EXPECT_EQ(words_of(line_starting(" Cgroup Controllers: ")), host_controllers()) << host_.describe();
}

TEST_F(Info, ContainerCountsFollowTheContainers) {
    auto id = start({"busybox", "sleep", "30"});
    ASSERT_FALSE(id.empty());
    pid_t init = init_pid(id);
    ASSERT_GT(init, 0);
    auto init_info = process_info(init);
    ASSERT_TRUE(init_info) << "State.Pid " << init << " is not a process";
    expect_counts(info_json(), 1, 1, "after run -d");

    auto r = krun({"--name", "done", "busybox", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    expect_counts(info_json(), 2, 1, "after a foreground run (exited, kept)");

    r = kubik({"stop", "-t", "1", id});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    ASSERT_TRUE(wait_until_exited(id)) << "the stopped container must be recorded as exited";
    reap_zombie_children();
    EXPECT_FALSE(is_alive(*init_info)) << "stop must end the container's init";
    expect_counts(info_json(), 2, 0, "after stop");
    r = kubik({"info"});
    EXPECT_TRUE(contains(lines_of(r.out), " Containers: 2")) << r.describe();
    EXPECT_TRUE(contains(lines_of(r.out), "  Stopped: 2")) << r.describe();

    r = kubik({"rm", id, "done"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    expect_counts(info_json(), 0, 0, "after rm");
    expect_no_container_state("after rm");
}

TEST_F(Info, DockerTemplateJsonIsTheSameObject) {
    auto a = info_json("json");
    auto b = info_json("{{json .}}");
    auto c = info_json("{{ json . }}");
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, c);
}

TEST_F(Info, AnUnknownFormatIsRejected) {
    for (const std::string format : {"table", "{{.Containers}}", "yaml"}) {
        auto r = kubik({"info", "--format", format});
        EXPECT_EQ(r.exit_code, 125) << r.describe();
        EXPECT_EQ(r.out, "") << r.describe();
        EXPECT_NE(r.err.find("template parsing error"), std::string::npos) << r.describe();
    }
}

TEST_F(Info, ReadsAMissingStateRootWithoutMakingIt) {
    fs::path fresh = root_ / "fresh";
    auto r = run({kubik_binary(), "--root", fresh.string(), "info", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << r.describe();
    EXPECT_EQ(doc.value("KubikRootDir", "?"), fresh.string());
    EXPECT_EQ(doc.value("Images", -1), 0);
    expect_counts(doc, 0, 0, "an empty state root");
    EXPECT_FALSE(fs::exists(fresh)) << "info must not create the state root";
}

// A host without cgroups, overlayfs and user namespaces, made in a private
// mount namespace: the cgroup mounts unmounted there, /proc/filesystems and
// /proc/sys/user/max_user_namespaces covered by the test's own files.
TEST_F(Info, AHostWithoutCgroupsOverlayAndUserNamespacesIsWarnedAbout) {
    std::string filesystems;
    for (const auto& line : lines_of(read_text("/proc/filesystems").value_or("")))
        if (!overlay_listed(line)) filesystems += line + "\n";
    fs::path fake_filesystems = root_ / "filesystems", fake_max = root_ / "max_user_namespaces";
    std::ofstream(fake_filesystems) << filesystems;
    std::ofstream(fake_max) << "0\n";

    std::vector<fs::path> cgroup_points;
    for (const auto& m : cgroup_mounts()) cgroup_points.push_back(m.mount_point);
    std::sort(cgroup_points.begin(), cgroup_points.end(),
              [](const fs::path& a, const fs::path& b) { return a.native().size() > b.native().size(); });
    std::string setup;
    for (const auto& p : cgroup_points) setup += "umount -l " + shell_quoted(p.string()) + "\n";
    setup += "mount --bind " + shell_quoted(fake_filesystems.string()) + " /proc/filesystems\n";
    if (fs::exists("/proc/sys/user/max_user_namespaces"))
        setup += "mount --bind " + shell_quoted(fake_max.string()) + " /proc/sys/user/max_user_namespaces\n";

    auto r = kubik_with_private_mounts(setup, {"info", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << r.describe();
    EXPECT_EQ(doc.value("CgroupMode", "?"), "none") << doc.dump(2);
    EXPECT_EQ(doc.value("CgroupVersion", "?"), "") << doc.dump(2);
    EXPECT_EQ(doc["Controllers"], nlohmann::json::array()) << doc.dump(2);
    EXPECT_EQ(doc.value("UserNamespaces", true), false) << doc.dump(2);

    // Without overlay in /proc/filesystems, a module for this kernel would
    // still be loaded on first mount: then it is no reason to warn.
    auto u = uname_of_host();
    bool module = false;
    for (const char* name : {"overlay.ko", "overlay.ko.xz", "overlay.ko.zst", "overlay.ko.gz"})
        module = module || fs::exists(fs::path("/lib/modules") / u.release / "kernel/fs/overlayfs" / name);
    EXPECT_EQ(doc.value("OverlayFilesystem", "?"), module ? "module" : "missing") << doc.dump(2);

    std::vector<std::string> expected{"No cgroup filesystem is mounted", "User namespaces are disabled"};
    if (!module) expected.push_back("No overlay filesystem support");
    auto warnings = strings(doc, "Warnings");
    for (const auto& w : expected)
        EXPECT_TRUE(warned(warnings, w)) << "no warning \"WARNING: " << w << "...\"\n" << doc.dump(2);

    r = kubik_with_private_mounts(setup, {"info"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(lines_of(r.err), warnings) << "text mode prints the same warnings on stderr\n" << r.describe();
    EXPECT_TRUE(contains(lines_of(r.out), " Cgroup Version: none")) << r.describe();
    EXPECT_EQ(r.out.find("WARNING"), std::string::npos) << r.describe();
}

// Controllers and limit files the hierarchy lacks, made so in a private
// mount namespace. v1: the pids hierarchy unmounted, an empty directory
// over the memory and cpu hierarchies (no memory.memsw.*, no
// cpu.cfs_quota_us: what a kernel without swap accounting or CFS bandwidth
// shows). v2: a cgroup.controllers of the cgroup2 root that lists only cpu.
TEST_F(Info, LimitsTheHierarchyLacksAreWarnedAbout) {
    fs::path empty = root_ / "empty";
    fs::create_directories(empty);
    std::string setup;
    std::map<std::string, bool> expect_flag;  // JSON key -> value
    std::vector<std::string> expect_warned, expect_not_warned;
    if (host_.v1 && host_.v1_mounts.count("memory") && host_.v1_mounts.count("cpu") && host_.v1_mounts.count("pids") &&
        host_.v1_mounts.at("pids") != host_.v1_mounts.at("memory")) {
        setup += "umount -l " + shell_quoted(host_.v1_mounts.at("pids").string()) + "\n";
        for (const char* c : {"memory", "cpu"})
            setup += "mount --bind " + shell_quoted(empty.string()) + " " + shell_quoted(host_.v1_mounts.at(c).string()) + "\n";
        expect_flag = {{"MemoryLimit", true}, {"SwapLimit", false}, {"CpuCfsQuota", false}, {"PidsLimit", false}};
        expect_warned = {"No swap limit support", "No cpu cfs quota support", "No pids limit support"};
        expect_not_warned = {"No memory limit support"};
    } else if (!host_.v1 && !host_.unified.empty()) {
        fs::path controllers = root_ / "cgroup.controllers";
        std::ofstream(controllers) << "cpu\n";
        setup += "mount --bind " + shell_quoted(controllers.string()) + " " +
                 shell_quoted((host_.unified / "cgroup.controllers").string()) + "\n";
        expect_flag = {{"MemoryLimit", false}, {"SwapLimit", false}, {"CpuCfsQuota", true}, {"PidsLimit", false}};
        expect_warned = {"No memory limit support", "No pids limit support"};
        expect_not_warned = {"No cpu cfs quota support"};
    } else {
        // A v1 host without the usual memory, cpu and pids hierarchies: the
        // other tests of this file already judge it as it is.
        std::cout << "[ NOTE     ] " << host_.describe() << ": nothing to take away here\n";
        return;
    }

    auto r = kubik_with_private_mounts(setup, {"info", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << r.describe();
    EXPECT_EQ(doc.value("CgroupVersion", "?"), host_.v1 ? "1" : "2") << doc.dump(2);
    for (const auto& [key, value] : expect_flag) EXPECT_EQ(doc[key], nlohmann::json(value)) << key << "\n" << doc.dump(2);
    auto warnings = strings(doc, "Warnings");
    for (const auto& w : expect_warned) EXPECT_TRUE(warned(warnings, w)) << w << "\n" << doc.dump(2);
    for (const auto& w : expect_not_warned) EXPECT_FALSE(warned(warnings, w)) << w << "\n" << doc.dump(2);

    r = kubik_with_private_mounts(setup, {"info"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(lines_of(r.err), warnings) << "text mode prints the same warnings on stderr\n" << r.describe();
}

}  // namespace
}  // namespace kubik::test
