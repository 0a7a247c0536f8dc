// Lesson 8 end to end: `kubik run` with docker's walls, checked from the
// host in what the kernel holds for the container's processes —
// /proc/PID/status (the capability sets, Seccomp, NoNewPrivs, the ids) and
// /proc/PID/mountinfo (the masked and read-only paths) — and in inspect's
// HostConfig. The same walls hold for `kubik exec`.
#include "lesson8.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace kubik::test::security8 {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class Walls : public Lesson8Test {
protected:
    /// `run -d ARGS busybox sleep 60`: the container's init's command (PID 2
    /// in its namespace) as a host pid, or 0 on failure.
    pid_t start(std::vector<std::string> args, const std::string& name) {
        std::vector<std::string> argv{"run", "-d", "--name", name};
        argv.insert(argv.end(), args.begin(), args.end());
        for (const char* a : {"busybox", "sleep", "60"}) argv.push_back(a);
        auto r = kubik(argv);
        if (r.exit_code != 0) {
            ADD_FAILURE() << r.describe();
            return 0;
        }
        names_.push_back(name);
        const pid_t init = inspect(name).at("State").value("Pid", 0);
        // The command is init's only child.
        for (int i = 0; i < 100; ++i) {
            const std::string children =
                read_text("/proc/" + std::to_string(init) + "/task/" + std::to_string(init) + "/children").value_or("");
            if (!children.empty()) return std::stoi(children);
            ::usleep(20000);
        }
        ADD_FAILURE() << "the container's init " << init << " has no child";
        return 0;
    }

    nlohmann::json inspect(const std::string& name) {
        auto r = KubikTest::kubik({"inspect", name});
        if (r.exit_code != 0) return nlohmann::json::object();
        return nlohmann::json::parse(r.out).at(0);
    }

    static std::string status(pid_t pid, const std::string& key) {
        std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/status").value_or(""));
        for (std::string line; std::getline(in, line);)
            if (line.starts_with(key + ":")) {
                auto value = line.substr(key.size() + 1);
                value.erase(0, value.find_first_not_of(" \t"));
                return value;
            }
        return "(no " + key + ")";
    }

    /// The mount options of the mount at `target` in the process's view
    /// ("" when nothing is mounted there), and its filesystem type.
    static std::string mount_at(pid_t pid, const std::string& target) {
        std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/mountinfo").value_or(""));
        std::string found;
        for (std::string line; std::getline(in, line);) {
            std::istringstream f(line);
            std::string id, parent, dev, root, point, options;
            f >> id >> parent >> dev >> root >> point >> options;
            if (point != target) continue;
            const auto dash = line.find(" - ");
            std::istringstream rest(line.substr(dash + 3));
            std::string type;
            rest >> type;
            found = type + " " + options;  // the last one mounted there is what is seen
        }
        return found;
    }

    void TearDown() override {
        for (const auto& name : names_) KubikTest::kubik({"rm", "-f", name});
        Lesson8Test::TearDown();
    }

    std::vector<std::string> names_;
};

TEST_F(Walls, ADefaultContainerHasDockersCapabilitiesAndSeccompFilter) {
    const pid_t pid = start({}, "plain");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(status(pid, "CapBnd"), "00000000a80425fb") << "docker's 14 capabilities bound";
    EXPECT_EQ(status(pid, "CapEff"), "00000000a80425fb");
    EXPECT_EQ(status(pid, "CapPrm"), "00000000a80425fb");
    EXPECT_EQ(status(pid, "CapInh"), "0000000000000000");
    EXPECT_EQ(status(pid, "CapAmb"), "0000000000000000");
    EXPECT_EQ(status(pid, "Seccomp"), "2") << "a seccomp filter (mode 2) must be loaded";
    EXPECT_EQ(status(pid, "NoNewPrivs"), "0") << "seccomp_load must not set no_new_privs on its own";
}

TEST_F(Walls, ADefaultContainerSeesProcAndSysMaskedAndReadOnly) {
    const pid_t pid = start({}, "plain");
    ASSERT_GT(pid, 0);
    // /proc/kcore is in every kernel with /proc/kcore support; sysrq-trigger likewise.
    if (fs::exists("/proc/kcore")) {
        EXPECT_TRUE(contains(mount_at(pid, "/proc/kcore"), "devtmpfs") ||
                    contains(mount_at(pid, "/proc/kcore"), "tmpfs"))
            << "/proc/kcore must have /dev/null bound over it: " << mount_at(pid, "/proc/kcore");
    }
    if (fs::exists("/proc/keys")) {
        EXPECT_FALSE(mount_at(pid, "/proc/keys").empty()) << "/proc/keys must be masked";
    }
    EXPECT_TRUE(mount_at(pid, "/sys/firmware").starts_with("tmpfs ro")) << mount_at(pid, "/sys/firmware");
    for (const char* ro : {"/proc/sys", "/proc/sysrq-trigger", "/proc/bus", "/proc/fs", "/proc/irq"}) {
        if (!fs::exists(ro)) continue;
        const std::string m = mount_at(pid, ro);
        EXPECT_TRUE(m.starts_with("proc ro,")) << ro << " must be a read-only proc mount: \"" << m << "\"";
        EXPECT_TRUE(contains(m, "nosuid") && contains(m, "nodev") && contains(m, "noexec"))
            << ro << " must keep /proc's nosuid,nodev,noexec: " << m;
    }
    // domainname: in every kernel, and the container's own (UTS) if the
    // write got through.
    auto r = kubik({"exec", "plain", "sh", "-c", "echo kubik > /proc/sys/kernel/domainname"});
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.err, "Read-only file system")) << r.describe();
    r = kubik({"exec", "plain", "umount", "/proc/kcore"});
    EXPECT_NE(r.exit_code, 0) << "the command must not be able to take a mask off\n" << r.describe();
    EXPECT_FALSE(mount_at(pid, "/proc/kcore").empty() && fs::exists("/proc/kcore"));
}

TEST_F(Walls, CapDropAllCapAddOneAndExecGetsTheSame) {
    const pid_t pid = start({"--cap-drop", "ALL", "--cap-add", "net_bind_service"}, "few");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(status(pid, "CapBnd"), "0000000000000400");
    EXPECT_EQ(status(pid, "CapEff"), "0000000000000400");
    auto r = kubik({"exec", "few", "grep", "-E", "^(CapBnd|CapEff|Seccomp):", "/proc/self/status"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.out, "CapBnd:\t0000000000000400")) << "exec must keep the container's capabilities\n" << r.out;
    EXPECT_TRUE(contains(r.out, "CapEff:\t0000000000000400")) << r.out;
    EXPECT_TRUE(contains(r.out, "Seccomp:\t2")) << "exec must load the container's filter\n" << r.out;
    const auto host = inspect("few").at("HostConfig");
    EXPECT_EQ(host.at("CapDrop"), nlohmann::json::array({"ALL"}));
    EXPECT_EQ(host.at("CapAdd"), nlohmann::json::array({"NET_BIND_SERVICE"}));
    EXPECT_EQ(host.at("Privileged"), false);
}

TEST_F(Walls, PrivilegedHasEveryCapabilityNoFilterAndNothingMasked) {
    const pid_t pid = start({"--privileged"}, "priv");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(status(pid, "CapBnd"), status(::getpid(), "CapBnd")) << "every capability the host's root has";
    EXPECT_EQ(status(pid, "Seccomp"), "0");
    EXPECT_EQ(mount_at(pid, "/sys/firmware"), "") << "--privileged masks nothing";
    EXPECT_EQ(mount_at(pid, "/proc/sys"), "");
    EXPECT_EQ(inspect("priv").at("HostConfig").at("Privileged"), true);
}

TEST_F(Walls, NoNewPrivilegesAndUnconfinedSeccomp) {
    const pid_t nnp = start({"--security-opt", "no-new-privileges"}, "nnp");
    ASSERT_GT(nnp, 0);
    EXPECT_EQ(status(nnp, "NoNewPrivs"), "1");
    EXPECT_EQ(status(nnp, "Seccomp"), "2") << "with no_new_privs the filter is loaded last, but loaded";
    const pid_t open = start({"--security-opt", "seccomp=unconfined"}, "open");
    ASSERT_GT(open, 0);
    EXPECT_EQ(status(open, "Seccomp"), "0");
    EXPECT_EQ(status(open, "CapBnd"), "00000000a80425fb") << "unconfined lifts the filter, not the capabilities";
    EXPECT_EQ(inspect("open").at("HostConfig").at("SecurityOpt"), nlohmann::json::array({"seccomp=unconfined"}));
}

TEST_F(Walls, ASeccompProfileFileIsObeyed) {
    // Docker's format: everything allowed but mkdir and mkdirat, which get EACCES.
    const fs::path profile = root_ / "profile.json";
    std::ofstream(profile) << R"({"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]})";
    auto r = kubik({"run", "--rm", "--security-opt", "seccomp=" + profile.string(), "busybox", "sh", "-c",
                    "mkdir /x; echo rc=$?"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.err, "Permission denied")) << r.describe();
    EXPECT_TRUE(contains(r.out, "rc=1")) << r.describe();
    r = kubik({"run", "--rm", "busybox", "sh", "-c", "mkdir /x && echo made"});
    EXPECT_TRUE(contains(r.out, "made")) << "the default profile allows mkdir\n" << r.describe();
}

TEST_F(Walls, ABadSecurityOptIs125WithNothingMade) {
    const fs::path broken = root_ / "broken.json";
    std::ofstream(broken) << R"({"defaultAction": "SCMP_ACT_NOPE"})";
    struct Case {
        std::vector<std::string> args;
        std::string error;
    };
    for (const Case& c : std::vector<Case>{
             {{"--security-opt", "seccomp=" + (root_ / "missing.json").string()}, "opening seccomp profile"},
             {{"--security-opt", "seccomp=" + broken.string()}, broken.string()},
             {{"--security-opt", "apparmor-is-not-here"}, "Invalid --security-opt: \"apparmor-is-not-here\""},
             {{"--cap-add", "CAP_NOPE"}, "invalid CapAdd: unknown capability: \"CAP_NOPE\""},
         }) {
        std::vector<std::string> argv{"run", "--rm"};
        argv.insert(argv.end(), c.args.begin(), c.args.end());
        argv.insert(argv.end(), {"busybox", "true"});
        auto r = kubik(argv);
        EXPECT_EQ(r.exit_code, 125) << r.describe();
        EXPECT_TRUE(contains(r.err, c.error)) << "expected \"" << c.error << "\"\n" << r.describe();
        expect_no_container_state(c.args.back());
    }
}

TEST_F(Walls, ReadOnlyRootKeepsVolumesAndTmpfsWritable) {
    auto r = kubik({"run", "--rm", "--read-only", "--tmpfs", "/scratch", "busybox", "sh", "-c",
                    "touch /x; echo root=$?; touch /scratch/x && echo tmpfs=$?; grep ' / ' /proc/self/mountinfo"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.err, "Read-only file system")) << r.describe();
    EXPECT_TRUE(contains(r.out, "root=1")) << r.describe();
    EXPECT_TRUE(contains(r.out, "tmpfs=0")) << "--tmpfs stays writable on a --read-only root\n" << r.describe();
    EXPECT_TRUE(contains(r.out, " / ro,")) << "the root's mount must be read-only\n" << r.describe();
    const pid_t pid = start({"--read-only"}, "ro");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(inspect("ro").at("HostConfig").at("ReadonlyRootfs"), true);
}

TEST_F(Walls, OnlyDockersDeviceNodesCanBeOpened) {
    // CAP_MKNOD stays (images make /dev nodes), so the node can be made; the
    // device cgroup refuses to open it. /dev/kmsg (c 1:11) is harmless to
    // read, and not on docker's list.
    const std::string script = "mknod /tmp/kmsg c 1 11 && echo made; head -c1 /tmp/kmsg >/dev/null && echo read; "
                               "head -c1 /dev/urandom >/dev/null && echo urandom";
    auto r = kubik({"run", "--rm", "busybox", "sh", "-c", script});
    EXPECT_TRUE(contains(r.out, "made")) << "mknod stays allowed (docker's \"c *:* m\")\n" << r.describe();
    EXPECT_FALSE(contains(r.out, "read")) << "/dev/kmsg must not be readable\n" << r.describe();
    EXPECT_TRUE(contains(r.err, "Operation not permitted")) << r.describe();
    EXPECT_TRUE(contains(r.out, "urandom")) << "/dev/urandom is on docker's list\n" << r.describe();
    r = kubik({"run", "--rm", "--privileged", "busybox", "sh", "-c", script});
    EXPECT_TRUE(contains(r.out, "read")) << "--privileged allows every device\n" << r.describe();

    // On cgroup v1, the rules are the devices controller's own list.
    const pid_t pid = start({}, "dev");
    ASSERT_GT(pid, 0);
    std::istringstream groups(read_text("/proc/" + std::to_string(pid) + "/cgroup").value_or(""));
    for (std::string line; std::getline(groups, line);) {
        // "4:devices:/kubik-test-.../ID"
        const auto first = line.find(':'), second = line.find(':', first + 1);
        if (line.substr(first + 1, second - first - 1) != "devices") continue;
        const fs::path dir = fs::path("/sys/fs/cgroup/devices") / line.substr(second + 2);
        const std::string list = read_text(dir / "devices.list").value_or("(unreadable)");
        EXPECT_TRUE(contains(list, "c 1:3 rwm") && contains(list, "c 136:* rwm")) << dir << ":\n" << list;
        EXPECT_FALSE(contains(list, "a *:* rwm")) << "the container's devices cgroup allows everything:\n" << list;
    }
}

TEST_F(Walls, AUserWithGroupAddHoldsNoCapabilities) {
    const pid_t pid = start({"--user", "1000:1000", "--group-add", "27", "--group-add", "daemon"}, "user");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(status(pid, "Uid"), "1000\t1000\t1000\t1000");
    EXPECT_EQ(status(pid, "Gid"), "1000\t1000\t1000\t1000");
    // The image's /etc/group says daemon is 1 (the host's is never read);
    // the kernel keeps the list sorted.
    EXPECT_EQ(status(pid, "Groups"), "1 27 ");
    EXPECT_EQ(status(pid, "CapEff"), "0000000000000000") << "a user other than root holds no capabilities";
    EXPECT_EQ(status(pid, "CapBnd"), "00000000a80425fb") << "but its bounding set is still docker's";
    EXPECT_EQ(inspect("user").at("HostConfig").at("GroupAdd"), nlohmann::json::array({"27", "daemon"}));
    // Root keeps the image's groups for root (busybox's /etc/group lists no
    // member, so its primary group only) and gets the added one.
    auto root = kubik({"run", "--rm", "--group-add", "27", "busybox", "sh", "-c", "grep -E '^(Uid|Groups):' /proc/self/status"});
    EXPECT_EQ(root.exit_code, 0) << root.describe();
    EXPECT_TRUE(contains(root.out, "Uid:\t0\t0\t0\t0")) << root.describe();
    EXPECT_TRUE(contains(root.out, "Groups:\t27 \n")) << root.describe();
    auto r = kubik({"run", "--rm", "--group-add", "no-such-group", "busybox", "true"});
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.err, "unable to find group no-such-group")) << r.describe();
}

} // namespace
} // namespace kubik::test::security8
