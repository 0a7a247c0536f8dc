// Lesson 3 — the cgroup code itself, called directly, without the kernel:
//
//   parse_layout()       on the mountinfo of a v2, a v1 and two hybrid hosts;
//   the v2 backend       (open_cgroup_v2) on a directory that imitates a cgroup2 mount;
//   the v1 backend       (open_cgroup_v1) on directories that imitate v1 hierarchies.
//
// A host has one kind of cgroups, so the gate tests in cgroups_test.cpp reach
// one backend only (v1 on this course's CI, v2 in the course VM); these reach
// both everywhere. Regular files stand in for the kernel's: after create()
// the test makes the files the kernel would show in a new group (empty, so
// that what the code writes is what the file then holds), and reads back what
// the code wrote. They can't tell what a real kernel would refuse — the gate
// tests do that.
#include "kubik_test.hpp"

#include "cgroup.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kubik::test {
namespace {

using cgroups::CgroupLayout;
using cgroups::CgroupLimits;
using cgroups::CgroupVersion;

constexpr int64_t MiB = 1024 * 1024;

/// Runs a call into the lesson's code; a thrown exception (a stub's "not
/// implemented yet", or a failed write) becomes a failure that says which call.
template <class Call>
bool attempt(const std::string& what, Call&& call) {
    try {
        call();
        return true;
    } catch (const std::exception& e) {
        ADD_FAILURE() << what << " threw: " << e.what();
        return false;
    }
}

std::string strip(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

/// A temporary directory (below test-roots/, so the leak check sees it if
/// it stays) with helpers to make and read files in it.
class FakeCgroupfs : public ::testing::Test {
protected:
    /// Creates `path` (and its directories) holding `content`.
    static void put(const fs::path& path, const std::string& content = "") {
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
    }
    /// The file's content without trailing newlines; "(missing)" if there is none.
    static std::string get(const fs::path& path) {
        auto text = read_text(path);
        return text ? strip(*text) : "(missing)";
    }

    ScratchDir scratch_;
    const fs::path dir_ = scratch_.path();
};

// ---------------------------------------------------------------------------
// parse_layout

// Debian 12, Ubuntu 22.04+, Fedora, the course VM: one cgroup2 tree.
const char* const kV2Host =
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "26 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "30 22 0:7 / /sys/kernel/debug rw,nosuid,nodev,noexec,relatime shared:13 - debugfs debugfs rw\n";

// CentOS 7: v1 only, cpu and cpuacct in one hierarchy, SELinux's seclabel.
const char* const kV1Host =
    "18 61 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw,seclabel\n"
    "24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,seclabel,mode=755\n"
    "25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup "
    "rw,seclabel,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
    "28 24 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup "
    "rw,seclabel,cpuacct,cpu\n"
    "29 24 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,seclabel,memory\n"
    "31 24 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,seclabel,pids\n"
    "33 24 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup "
    "rw,seclabel,net_prio,net_cls\n";

// Debian 10 / Ubuntu 20.04 with systemd's default: v1 controllers and a
// cgroup2 tree beside them that holds none.
const char* const kHybridHost =
    "25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:22 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate\n"
    "27 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,xattr,name=systemd\n"
    "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,cpu,cpuacct\n"
    "31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory\n"
    "33 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids\n";

// This course's CI machine: hybrid, every v1 controller in its own
// hierarchy, no optional fields.
const char* const kCiHost =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
    "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334524k,nr_inodes=3083631,mode=755\n"
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

std::string describe(const CgroupLayout& l) {
    std::string s = std::string("version ") + (l.version == CgroupVersion::V1 ? "V1" : "V2") +
                    ", hybrid " + (l.hybrid ? "true" : "false") + ", unified \"" + l.unified.string() + "\", v1 {";
    for (const auto& [c, m] : l.v1) s += " " + c + "=" + m.string();
    return s + " }";
}

// Controllers whose v1 mount the layout must name, and where.
void expect_v1_mounts(const CgroupLayout& l, const std::map<std::string, std::string>& expected) {
    for (const auto& [controller, mount] : expected) {
        auto it = l.v1.find(controller);
        if (it == l.v1.end()) {
            ADD_FAILURE() << "layout.v1 has no \"" << controller << "\" (expected " << mount << ")\n" << describe(l);
            continue;
        }
        EXPECT_EQ(it->second.string(), mount) << controller << "\n" << describe(l);
    }
    for (const auto& [name, mount] : l.v1)
        EXPECT_EQ(name.find('='), std::string::npos)
            << "\"" << name << "\" is an option with a value (name=systemd, release_agent=...), not a controller\n"
            << describe(l);
}

TEST(ParseLayout, V2Host) {
    CgroupLayout l;
    if (!attempt("parse_layout(mountinfo of a v2 host)", [&] { l = cgroups::parse_layout(kV2Host); })) return;
    EXPECT_EQ(l.version, CgroupVersion::V2) << describe(l);
    EXPECT_FALSE(l.hybrid) << describe(l);
    EXPECT_EQ(l.unified.string(), "/sys/fs/cgroup") << describe(l);
    EXPECT_TRUE(l.v1.empty()) << "no v1 hierarchy is mounted\n" << describe(l);
}

TEST(ParseLayout, V1Host) {
    CgroupLayout l;
    if (!attempt("parse_layout(mountinfo of a v1 host)", [&] { l = cgroups::parse_layout(kV1Host); })) return;
    EXPECT_EQ(l.version, CgroupVersion::V1) << describe(l);
    EXPECT_FALSE(l.hybrid) << "no cgroup2 is mounted\n" << describe(l);
    EXPECT_EQ(l.unified.string(), "") << describe(l);
    // "rw,seclabel,cpuacct,cpu": one hierarchy, two controllers.
    expect_v1_mounts(l, {{"memory", "/sys/fs/cgroup/memory"},
                         {"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                         {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
                         {"pids", "/sys/fs/cgroup/pids"},
                         {"net_cls", "/sys/fs/cgroup/net_cls,net_prio"}});
}

TEST(ParseLayout, HybridHost) {
    CgroupLayout l;
    if (!attempt("parse_layout(mountinfo of a hybrid host)", [&] { l = cgroups::parse_layout(kHybridHost); })) return;
    EXPECT_EQ(l.version, CgroupVersion::V1) << "the controllers are in v1: v1 it is\n" << describe(l);
    EXPECT_TRUE(l.hybrid) << describe(l);
    EXPECT_EQ(l.unified.string(), "/sys/fs/cgroup/unified") << describe(l);
    expect_v1_mounts(l, {{"memory", "/sys/fs/cgroup/memory"},
                         {"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                         {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
                         {"pids", "/sys/fs/cgroup/pids"}});
}

TEST(ParseLayout, HybridHostWithPidsButNoMemoryInV1) {
    // Booted with cgroup_disable=memory (or the memory hierarchy unmounted):
    // pids is still a v1 controller, so a pids limit has to go there. A
    // choice that looks at memory alone would pick v2 and find no pids.
    std::string text;
    std::istringstream lines(kHybridHost);
    for (std::string line; std::getline(lines, line);)
        if (line.find("/sys/fs/cgroup/memory ") == std::string::npos) text += line + "\n";
    CgroupLayout l;
    if (!attempt("parse_layout(mountinfo of a hybrid host without v1 memory)", [&] { l = cgroups::parse_layout(text); }))
        return;
    EXPECT_EQ(l.version, CgroupVersion::V1) << "pids is in v1: v1 it is\n" << describe(l);
    EXPECT_TRUE(l.hybrid) << describe(l);
    expect_v1_mounts(l, {{"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                         {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
                         {"pids", "/sys/fs/cgroup/pids"}});
}

TEST(ParseLayout, HybridHostOfThisCourseCi) {
    CgroupLayout l;
    if (!attempt("parse_layout(mountinfo of the CI host)", [&] { l = cgroups::parse_layout(kCiHost); })) return;
    EXPECT_EQ(l.version, CgroupVersion::V1) << describe(l);
    EXPECT_TRUE(l.hybrid) << describe(l);
    EXPECT_EQ(l.unified.string(), "/sys/fs/cgroup/unified") << describe(l);
    expect_v1_mounts(l, {{"memory", "/sys/fs/cgroup/memory"},
                         {"cpu", "/sys/fs/cgroup/cpu"},
                         {"cpuacct", "/sys/fs/cgroup/cpuacct"},
                         {"pids", "/sys/fs/cgroup/pids"},
                         {"cpuset", "/sys/fs/cgroup/cpuset"}});
}

TEST(ParseLayout, V2HostWithANamedV1Hierarchy) {
    // A v2 host that also mounts systemd's named v1 hierarchy (for old
    // systemd containers): it has no v1 controller, so it is still v2.
    std::string text = std::string(kV2Host) +
                       "40 26 0:40 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:20 - cgroup "
                       "cgroup rw,name=systemd\n";
    CgroupLayout l;
    if (!attempt("parse_layout(mountinfo of a v2 host with name=systemd)", [&] { l = cgroups::parse_layout(text); }))
        return;
    EXPECT_EQ(l.version, CgroupVersion::V2) << describe(l);
    EXPECT_FALSE(l.hybrid) << describe(l);
    EXPECT_EQ(l.unified.string(), "/sys/fs/cgroup") << describe(l);
    expect_v1_mounts(l, {});
}

TEST(ParseLayout, DetectLayoutAgreesWithTheHost) {
    CgroupLayout l;
    if (!attempt("detect_layout()", [&] { l = cgroups::detect_layout(); })) return;
    const auto host = cgroup_host();
    SCOPED_TRACE("the tests read this host as: " + host.describe());
    EXPECT_EQ(l.version == CgroupVersion::V1, host.v1) << describe(l);
    EXPECT_EQ(l.hybrid, host.hybrid) << describe(l);
    EXPECT_EQ(l.unified.string(), host.unified.string()) << describe(l);
    for (const char* c : {"memory", "cpu", "cpuacct", "pids"})
        if (host.v1_mounts.count(c)) {
            EXPECT_EQ(l.v1[c].string(), host.v1_mounts.at(c).string()) << c << "\n" << describe(l);
        }
}

// ---------------------------------------------------------------------------
// The v2 backend

class CgroupV2Backend : public FakeCgroupfs {
protected:
    /// A cgroup2 mount whose root offers `controllers`, with the parent
    /// group "kubik" already there (as after an earlier container).
    fs::path make_mount(const std::string& controllers) {
        fs::path mount = dir_ / "cgroup2";
        put(mount / "cgroup.controllers", controllers + "\n");
        put(mount / "cgroup.subtree_control");
        put(mount / "kubik" / "cgroup.controllers", controllers + "\n");
        put(mount / "kubik" / "cgroup.subtree_control");
        return mount;
    }
    /// The files the kernel shows in a new group with cpu, memory and pids.
    static void kernel_files(const fs::path& group, bool swap_accounting = true) {
        for (const char* f : {"cgroup.procs", "memory.max", "cpu.max", "pids.max"}) put(group / f);
        if (swap_accounting) put(group / "memory.swap.max");
    }
    /// open_cgroup_v2(mount, "kubik/abc"), create(), then the kernel's files.
    std::unique_ptr<cgroups::Cgroup> created(const fs::path& mount, bool swap_accounting = true) {
        auto cg = cgroups::open_cgroup_v2(mount, "kubik/abc");
        if (!attempt("CgroupV2::create()", [&] { cg->create(); })) return nullptr;
        kernel_files(mount / "kubik/abc", swap_accounting);
        return cg;
    }
};

TEST_F(CgroupV2Backend, CreateEnablesEachControllerInEveryAncestor) {
    // One controller at a time: each write lands in an empty file, so the
    // file shows exactly what was written.
    for (const std::string controller : {"cpu", "memory", "pids"}) {
        SCOPED_TRACE("the host offers only " + controller);
        fs::path mount = dir_ / controller;
        put(mount / "cgroup.controllers", controller + "\n");
        put(mount / "cgroup.subtree_control");
        put(mount / "kubik" / "cgroup.controllers", controller + "\n");
        put(mount / "kubik" / "cgroup.subtree_control");
        auto cg = cgroups::open_cgroup_v2(mount, "kubik/abc");
        if (!attempt("CgroupV2::create()", [&] { cg->create(); })) return;
        EXPECT_TRUE(fs::is_directory(mount / "kubik/abc")) << "create() must make the group's directory";
        EXPECT_EQ(get(mount / "cgroup.subtree_control"), "+" + controller)
            << "the root must enable " << controller << " for its children";
        EXPECT_EQ(get(mount / "kubik/cgroup.subtree_control"), "+" + controller)
            << "kubik/ (the parent) must enable " << controller << " for the container's group";
        EXPECT_FALSE(fs::exists(mount / "kubik/abc/cgroup.subtree_control"))
            << "the container's own group enables nothing (a v2 group with processes can't have children "
               "with controllers)";
    }
}

TEST_F(CgroupV2Backend, CreateLeavesTheGroupsOwnSubtreeControlAlone) {
    // The kernel makes cgroup.controllers and cgroup.subtree_control in every
    // new group at mkdir; the group's controllers are what its parent
    // enabled. Made here first, as the kernel would show them. Enabling a
    // controller in the container's own group would make it an inner node,
    // and the kernel then refuses its processes (EBUSY: "no internal
    // processes").
    fs::path mount = make_mount("cpu memory pids");
    put(mount / "kubik/abc/cgroup.controllers", "cpu memory pids\n");
    put(mount / "kubik/abc/cgroup.subtree_control");
    auto cg = cgroups::open_cgroup_v2(mount, "kubik/abc");
    if (!attempt("CgroupV2::create()", [&] { cg->create(); })) return;
    EXPECT_EQ(get(mount / "kubik/abc/cgroup.subtree_control"), "")
        << "create() wrote the container's own group's cgroup.subtree_control: only its ancestors enable "
           "controllers for their children";
    EXPECT_NE(get(mount / "kubik/cgroup.subtree_control"), "") << "the parent must still enable the controllers";
}

TEST_F(CgroupV2Backend, CreateEnablesOnlyWhatKubikNeeds) {
    fs::path mount = make_mount("cpuset cpu io memory hugetlb pids rdma misc");
    auto cg = cgroups::open_cgroup_v2(mount, "kubik/abc");
    if (!attempt("CgroupV2::create()", [&] { cg->create(); })) return;
    for (const fs::path& f : {mount / "cgroup.subtree_control", mount / "kubik/cgroup.subtree_control"}) {
        std::string written = get(f);
        EXPECT_EQ(written.rfind('+', 0), 0u) << f << " must be written (+controller): " << written;
        for (const char* other : {"+cpuset", "+io", "+hugetlb", "+rdma", "+misc"})
            EXPECT_EQ(written.find(other), std::string::npos) << f << ": kubik limits cpu, memory and pids only";
    }
}

TEST_F(CgroupV2Backend, CreateMakesMissingParents) {
    fs::path mount = dir_ / "cgroup2";
    put(mount / "cgroup.controllers", "cpu memory pids\n");
    put(mount / "cgroup.subtree_control");
    auto cg = cgroups::open_cgroup_v2(mount, "my-parent/abc");
    if (!attempt("CgroupV2::create()", [&] { cg->create(); })) return;
    EXPECT_TRUE(fs::is_directory(mount / "my-parent/abc")) << "create() must make the group and its parent";
    EXPECT_NE(get(mount / "cgroup.subtree_control"), "") << "the root must enable the controllers";
}

TEST_F(CgroupV2Backend, ApplyWritesTheLimits) {
    auto cg = created(make_mount("cpu memory pids"));
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    limits.cpus = 0.5;
    limits.pids = 50;
    if (!attempt("CgroupV2::apply(--memory 64m --cpus 0.5 --pids-limit 50)", [&] { cg->apply(limits); })) return;
    const fs::path group = dir_ / "cgroup2/kubik/abc";
    EXPECT_EQ(get(group / "memory.max"), "67108864") << "bytes";
    EXPECT_EQ(get(group / "memory.swap.max"), "67108864")
        << "docker: without --memory-swap, as much swap as memory (v2's swap.max is swap only)";
    EXPECT_EQ(get(group / "cpu.max"), "50000 100000") << "\"QUOTA PERIOD\" in microseconds";
    EXPECT_EQ(get(group / "pids.max"), "50");
    EXPECT_EQ(get(group / "cgroup.procs"), "") << "apply() moves no process";
}

TEST_F(CgroupV2Backend, ApplyMemorySwap) {
    auto cg = created(make_mount("cpu memory pids"));
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    limits.memory_swap = 96 * MiB;
    if (!attempt("CgroupV2::apply(--memory 64m --memory-swap 96m)", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/memory.swap.max"), "33554432")
        << "--memory-swap is memory + swap; memory.swap.max is the swap alone: 96m - 64m";
    EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/cpu.max"), "") << "no --cpus: cpu.max stays as it is";
    EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/pids.max"), "") << "no --pids-limit: pids.max stays as it is";
}

TEST_F(CgroupV2Backend, ApplyUnlimitedSwapAndPids) {
    auto cg = created(make_mount("cpu memory pids"));
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    limits.memory_swap = -1;
    limits.pids = -1;
    if (!attempt("CgroupV2::apply(--memory-swap -1 --pids-limit -1)", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/memory.swap.max"), "max") << "--memory-swap -1: unlimited swap";
    EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/pids.max"), "max") << "--pids-limit -1: unlimited";
}

TEST_F(CgroupV2Backend, ApplyCpusToQuota) {
    // 0.29 * 100000 is 28999.999... in binary floating point: rounded, not
    // truncated, as docker does (its NanoCPUs are rounded too).
    for (auto [cpus, expected] : {std::pair{1.5, "150000 100000"}, std::pair{0.01, "1000 100000"},
                                  std::pair{2.0, "200000 100000"}, std::pair{0.29, "29000 100000"},
                                  std::pair{0.57, "57000 100000"}}) {
        SCOPED_TRACE("--cpus " + std::to_string(cpus));
        fs::remove_all(dir_ / "cgroup2");
        auto cg = created(make_mount("cpu memory pids"));
        ASSERT_TRUE(cg);
        CgroupLimits limits;
        limits.cpus = cpus;
        if (!attempt("CgroupV2::apply(--cpus)", [&] { cg->apply(limits); })) return;
        EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/cpu.max"), expected);
    }
}

TEST_F(CgroupV2Backend, ApplyWithoutSwapAccounting) {
    // Kernels that don't account swap have no memory.swap.max: --memory
    // alone must still work, and nothing may create the file.
    auto cg = created(make_mount("cpu memory pids"), /*swap_accounting=*/false);
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    if (!attempt("CgroupV2::apply(--memory 64m) without memory.swap.max", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/memory.max"), "67108864");
    EXPECT_FALSE(fs::exists(dir_ / "cgroup2/kubik/abc/memory.swap.max"))
        << "check that memory.swap.max exists before writing it (cgroupfs can't create files)";
}

TEST_F(CgroupV2Backend, AddProcessWritesCgroupProcs) {
    auto cg = created(make_mount("cpu memory pids"));
    ASSERT_TRUE(cg);
    if (!attempt("CgroupV2::add_process(4242)", [&] { cg->add_process(4242); })) return;
    EXPECT_EQ(get(dir_ / "cgroup2/kubik/abc/cgroup.procs"), "4242");
    EXPECT_EQ(cg->processes(), std::vector<pid_t>{4242});
}

TEST_F(CgroupV2Backend, OomKilledReadsMemoryEvents) {
    auto cg = created(make_mount("cpu memory pids"));
    ASSERT_TRUE(cg);
    const fs::path events = dir_ / "cgroup2/kubik/abc/memory.events";
    put(events, "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
    bool killed = false;
    if (!attempt("CgroupV2::oom_killed()", [&] { killed = cg->oom_killed(); })) return;
    EXPECT_TRUE(killed) << "memory.events says oom_kill 1";

    put(events, "low 0\nhigh 0\nmax 30\noom 2\noom_kill 0\noom_group_kill 0\n");
    if (!attempt("CgroupV2::oom_killed()", [&] { killed = cg->oom_killed(); })) return;
    EXPECT_FALSE(killed) << "\"oom 2\" counts times the limit was hit; only oom_kill counts kills";
}

// ---------------------------------------------------------------------------
// The v1 backend

class CgroupV1Backend : public FakeCgroupfs {
protected:
    /// One directory per hierarchy: memory, cpu, cpuacct, pids; or with
    /// `comounted`, cpu and cpuacct sharing "cpu,cpuacct" as on most hosts.
    std::map<std::string, fs::path> make_mounts(bool comounted) {
        std::map<std::string, fs::path> mounts;
        mounts["memory"] = dir_ / "memory";
        mounts["pids"] = dir_ / "pids";
        mounts["cpu"] = dir_ / (comounted ? "cpu,cpuacct" : "cpu");
        mounts["cpuacct"] = dir_ / (comounted ? "cpu,cpuacct" : "cpuacct");
        for (const auto& [c, m] : mounts) fs::create_directories(m);
        return mounts;
    }
    /// open_cgroup_v1(mounts, "kubik/abc"), create(), then the kernel's files.
    std::unique_ptr<cgroups::Cgroup> created(const std::map<std::string, fs::path>& mounts,
                                             bool swap_accounting = true) {
        auto cg = cgroups::open_cgroup_v1(mounts, "kubik/abc");
        if (!attempt("CgroupV1::create()", [&] { cg->create(); })) return nullptr;
        for (const auto& [c, m] : mounts) {
            EXPECT_TRUE(fs::is_directory(m / "kubik/abc")) << "create() must make the group in the " << c
                                                          << " hierarchy";
            put(m / "kubik/abc/cgroup.procs");
        }
        const fs::path memory = mounts.at("memory") / "kubik/abc";
        put(memory / "memory.limit_in_bytes");
        put(memory / "memory.oom_control");
        if (swap_accounting) put(memory / "memory.memsw.limit_in_bytes");
        put(mounts.at("cpu") / "kubik/abc/cpu.cfs_period_us");
        put(mounts.at("cpu") / "kubik/abc/cpu.cfs_quota_us");
        put(mounts.at("pids") / "kubik/abc/pids.max");
        return cg;
    }
};

TEST_F(CgroupV1Backend, ApplyWritesTheLimits) {
    auto mounts = make_mounts(/*comounted=*/false);
    auto cg = created(mounts);
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    limits.cpus = 0.5;
    limits.pids = 50;
    if (!attempt("CgroupV1::apply(--memory 64m --cpus 0.5 --pids-limit 50)", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "memory/kubik/abc/memory.limit_in_bytes"), "67108864");
    EXPECT_EQ(get(dir_ / "memory/kubik/abc/memory.memsw.limit_in_bytes"), "134217728")
        << "docker: without --memory-swap, as much swap as memory; v1's memsw is memory + swap";
    EXPECT_EQ(get(dir_ / "cpu/kubik/abc/cpu.cfs_period_us"), "100000");
    EXPECT_EQ(get(dir_ / "cpu/kubik/abc/cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(get(dir_ / "pids/kubik/abc/pids.max"), "50");
}

TEST_F(CgroupV1Backend, ApplyMemorySwap) {
    auto cg = created(make_mounts(false));
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    limits.memory_swap = 96 * MiB;
    if (!attempt("CgroupV1::apply(--memory 64m --memory-swap 96m)", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "memory/kubik/abc/memory.memsw.limit_in_bytes"), "100663296")
        << "v1's memsw is memory + swap, which is what --memory-swap says";
    EXPECT_EQ(get(dir_ / "cpu/kubik/abc/cpu.cfs_quota_us"), "") << "no --cpus: no quota";
    EXPECT_EQ(get(dir_ / "pids/kubik/abc/pids.max"), "") << "no --pids-limit: pids.max stays as it is";
}

TEST_F(CgroupV1Backend, ApplyUnlimitedSwapAndPids) {
    auto cg = created(make_mounts(false));
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    limits.memory_swap = -1;
    limits.pids = 0;
    if (!attempt("CgroupV1::apply(--memory-swap -1 --pids-limit 0)", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "memory/kubik/abc/memory.memsw.limit_in_bytes"), "-1") << "v1 writes -1 for no limit";
    EXPECT_EQ(get(dir_ / "pids/kubik/abc/pids.max"), "max") << "--pids-limit 0 (or -1): unlimited";
}

TEST_F(CgroupV1Backend, ApplyWithoutSwapAccounting) {
    auto cg = created(make_mounts(false), /*swap_accounting=*/false);
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.memory = 64 * MiB;
    if (!attempt("CgroupV1::apply(--memory 64m) without memsw", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "memory/kubik/abc/memory.limit_in_bytes"), "67108864");
    EXPECT_FALSE(fs::exists(dir_ / "memory/kubik/abc/memory.memsw.limit_in_bytes"))
        << "without swap accounting (swapaccount=0) there is no memsw file; don't create one";
}

TEST_F(CgroupV1Backend, ApplyWithCoMountedCpuAndCpuacct) {
    auto cg = created(make_mounts(/*comounted=*/true));
    ASSERT_TRUE(cg);
    CgroupLimits limits;
    limits.cpus = 1.5;
    if (!attempt("CgroupV1::apply(--cpus 1.5)", [&] { cg->apply(limits); })) return;
    EXPECT_EQ(get(dir_ / "cpu,cpuacct/kubik/abc/cpu.cfs_period_us"), "100000");
    EXPECT_EQ(get(dir_ / "cpu,cpuacct/kubik/abc/cpu.cfs_quota_us"), "150000");
}

TEST_F(CgroupV1Backend, ApplyCpusToQuota) {
    // As on v2: the quota is rounded (0.29 * 100000 is 28999.999...).
    for (auto [cpus, expected] : {std::pair{0.29, "29000"}, std::pair{0.57, "57000"}, std::pair{0.01, "1000"}}) {
        SCOPED_TRACE("--cpus " + std::to_string(cpus));
        for (const char* h : {"memory", "pids", "cpu", "cpuacct"}) fs::remove_all(dir_ / h);
        auto cg = created(make_mounts(false));
        ASSERT_TRUE(cg);
        CgroupLimits limits;
        limits.cpus = cpus;
        if (!attempt("CgroupV1::apply(--cpus)", [&] { cg->apply(limits); })) return;
        EXPECT_EQ(get(dir_ / "cpu/kubik/abc/cpu.cfs_quota_us"), expected);
        EXPECT_EQ(get(dir_ / "cpu/kubik/abc/cpu.cfs_period_us"), "100000");
    }
}

TEST_F(CgroupV1Backend, AddProcessJoinsEveryHierarchy) {
    for (bool comounted : {false, true}) {
        SCOPED_TRACE(comounted ? "cpu,cpuacct in one hierarchy" : "every controller in its own hierarchy");
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto mounts = make_mounts(comounted);
        auto cg = created(mounts);
        ASSERT_TRUE(cg);
        if (!attempt("CgroupV1::add_process(4242)", [&] { cg->add_process(4242); })) return;
        for (const auto& [controller, mount] : mounts)
            EXPECT_EQ(get(mount / "kubik/abc/cgroup.procs"), "4242")
                << "the process must join the " << controller << " hierarchy too";
        EXPECT_EQ(cg->processes(), std::vector<pid_t>{4242});
    }
}

TEST_F(CgroupV1Backend, OomKilledReadsOomControl) {
    auto mounts = make_mounts(false);
    auto cg = created(mounts);
    ASSERT_TRUE(cg);
    const fs::path control = dir_ / "memory/kubik/abc/memory.oom_control";
    put(control, "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
    bool killed = false;
    if (!attempt("CgroupV1::oom_killed()", [&] { killed = cg->oom_killed(); })) return;
    EXPECT_TRUE(killed) << "memory.oom_control says oom_kill 1";

    put(control, "oom_kill_disable 0\nunder_oom 1\noom_kill 0\n");
    if (!attempt("CgroupV1::oom_killed()", [&] { killed = cg->oom_killed(); })) return;
    EXPECT_FALSE(killed) << "under_oom is not a kill; oom_kill 0";
}

}  // namespace
}  // namespace kubik::test
