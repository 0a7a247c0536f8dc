// Lesson 2 — namespaces: the container gets its own UTS, PID, mount, IPC and
// network namespaces; PID 1 (kubik-init) reaps zombies and forwards signals;
// /proc, /dev and /sys are the container's own; no mount leaks to the host.
//
// Most checks read the kernel's answer from the host: /proc/PID/ns/* inodes,
// NSpid, /proc/PID/net/dev, /proc/PID/mountinfo, the host's mount table.
#include "kubik_test.hpp"

#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace kubik::test {
namespace {

class Namespaces : public LessonTest {
protected:
    Namespaces() : LessonTest(2, "namespaces") {}

    RunResult krun(std::vector<std::string> args, const RunOptions& options = {}) {
        args.insert(args.begin(), "run");
        return kubik(args, options);
    }
};

// "  1 kubik-init" -> "1 kubik-init"
std::string squeeze(const std::string& line) {
    std::istringstream in(line);
    std::string out;
    for (std::string w; in >> w;) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::string joined(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

std::string hostname_of_host() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

// Interface names in a /proc/PID/net/dev (two header lines, then "name: ...").
std::vector<std::string> interfaces_in(const std::string& net_dev) {
    std::vector<std::string> out;
    auto lines = lines_of(net_dev);
    for (size_t i = 2; i < lines.size(); ++i) {
        auto colon = lines[i].find(':');
        if (colon != std::string::npos) out.push_back(squeeze(lines[i].substr(0, colon)));
    }
    return out;
}

TEST_F(Namespaces, ContainerProcessesLiveInTheirOwnNamespaces) {
    // --network none: the namespace as lesson 2 makes it (lesson 6's default
    // network adds eth0 to it).
    Child run(kubik_argv({"run", "--rm", "--network", "none", "busybox", "sleep", "30"}));
    // kubik -> kubik-init (PID 1 inside) -> sleep (PID 2 inside)
    auto init = wait_for_child(run.pid(), "kubik-init");
    ASSERT_TRUE(init) << "kubik (pid " << run.pid()
                      << ") has no child named kubik-init; children: " << [&] {
                             std::vector<std::string> c;
                             for (const auto& p : children_of(run.pid())) c.push_back(p.comm);
                             return joined(c);
                         }();
    auto command = wait_for_child(init->pid, "sleep");
    ASSERT_TRUE(command) << "kubik-init (pid " << init->pid << ") has no child named sleep";

    const pid_t self = ::getpid();
    for (const char* ns : {"uts", "pid", "mnt", "ipc", "net"}) {
        const std::string host = namespace_of(self, ns);
        EXPECT_NE(namespace_of(init->pid, ns), host) << "kubik-init shares the host's " << ns
                                                     << " namespace (" << host << ")";
        EXPECT_EQ(namespace_of(command->pid, ns), namespace_of(init->pid, ns))
            << "the command must be in the same " << ns << " namespace as kubik-init";
        EXPECT_EQ(namespace_of(run.pid(), ns), host)
            << "the kubik process itself stays in the host's " << ns << " namespace";
    }
    // Lessons 0-2 don't create these; a later lesson that does changes this.
    for (const char* ns : {"cgroup", "user"})
        EXPECT_EQ(namespace_of(init->pid, ns), namespace_of(self, ns)) << ns << " namespace changed";

    auto init_ids = nspid_of(init->pid), command_ids = nspid_of(command->pid);
    ASSERT_EQ(init_ids.size(), 2u) << "kubik-init must be one pid namespace below the host";
    EXPECT_EQ(init_ids.back(), 1) << "kubik-init is PID 1 in the container";
    ASSERT_EQ(command_ids.size(), 2u);
    EXPECT_EQ(command_ids.back(), 2) << "the command is PID 2 in the container";

    auto net_dev = read_text("/proc/" + std::to_string(command->pid) + "/net/dev");
    ASSERT_TRUE(net_dev);
    EXPECT_EQ(joined(interfaces_in(*net_dev)), "lo") << "a new network namespace has only lo";

    const std::string pid_ns = namespace_of(init->pid, "pid");
    ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
    auto r = run.finish(10s);
    EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.describe();
    EXPECT_FALSE(is_alive(*init)) << "kubik-init outlived kubik";
    EXPECT_FALSE(is_alive(*command)) << "the command outlived kubik";
    EXPECT_EQ(processes_in_namespace("pid", pid_ns).size(), 0u)
        << "processes of the container's pid namespace remain";
    expect_no_container_state("after SIGTERM");
}

TEST_F(Namespaces, HostnameFlagSetsTheHostname) {
    const std::string host_before = hostname_of_host();
    auto r = krun({"--rm", "--hostname", "box", "busybox", "sh", "-c", "hostname; uname -n"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "box\nbox\n") << r.describe();
    EXPECT_EQ(hostname_of_host(), host_before) << "the host's hostname changed!";
}

TEST_F(Namespaces, DefaultHostnameIsTheShortContainerId) {
    auto r = krun({"busybox", "hostname"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    ASSERT_TRUE(std::regex_match(r.out, std::regex("[0-9a-f]{12}\n")))
        << "docker's default hostname is the first 12 hex digits of the container id\n" << r.describe();
    auto ids = container_dirs();
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(ids[0].rfind(r.out.substr(0, 12), 0), 0u)
        << "hostname " << r.out.substr(0, 12) << " is not the start of the container id " << ids[0];
}

TEST_F(Namespaces, Pid1IsKubikInit) {
    auto r = krun({"--rm", "busybox", "cat", "/proc/1/comm"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "kubik-init\n") << r.describe();
}

TEST_F(Namespaces, PsSeesOnlyTheContainer) {
    auto r = krun({"--rm", "busybox", "ps", "-o", "pid,comm"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    std::vector<std::string> procs;
    for (size_t i = 1; i < lines.size(); ++i) procs.push_back(squeeze(lines[i]));
    EXPECT_EQ(joined(procs, "; "), "1 kubik-init; 2 ps") << r.describe();
}

TEST_F(Namespaces, ProcIsAFreshProcOfTheContainer) {
    // A proc mounted in the new pid namespace lists that namespace only:
    // kubik-init (1) and `ls` itself (2).
    auto r = krun({"--rm", "busybox", "ls", "-1", "/proc"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    std::vector<std::string> pids;
    for (const auto& line : lines_of(r.out))
        if (std::regex_match(line, std::regex("[0-9]+"))) pids.push_back(line);
    EXPECT_EQ(joined(pids), "1, 2") << "/proc must show the container's processes only\n"
                                    << r.describe();
}

TEST_F(Namespaces, NetworkHasOnlyLoopbackAndItIsUp) {
    // --network none: lesson 2's namespace as it is. The default network
    // adds eth0 once lesson 6 is written; without lesson 6 the two are the same.
    auto r = krun({"--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/flags"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << "expected exactly `lo` and its flags\n" << r.describe();
    EXPECT_EQ(lines[0], "lo") << r.describe();
    unsigned long flags = std::stoul(lines[1], nullptr, 16);
    EXPECT_TRUE(flags & 0x1) << "lo must be up (IFF_UP); flags " << lines[1];
}

TEST_F(Namespaces, SysIsReadOnly) {
    auto r = krun({"--rm", "busybox", "sh", "-c",
                   "cat /proc/self/mountinfo; echo ---; touch /sys/kubik-probe; echo rc=$?"});
    auto parts = r.out.find("---\n");
    ASSERT_NE(parts, std::string::npos) << r.describe();
    bool found = false;
    for (const auto& m : parse_mountinfo(r.out.substr(0, parts))) {
        if (m.mount_point != "/sys") continue;
        found = true;
        EXPECT_EQ(m.fs_type, "sysfs") << m.line;
        EXPECT_EQ(("," + m.options + ",").find(",ro,"), 0u) << "/sys must be mounted ro: " << m.line;
    }
    EXPECT_TRUE(found) << "no mount on /sys in the container\n" << r.describe();
    EXPECT_NE(r.out.find("rc=1"), std::string::npos) << "writing to /sys must fail\n" << r.describe();
    EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.describe();
}

TEST_F(Namespaces, DevHasExactlyTheDockerDevices) {
    auto r = krun({"--rm", "busybox", "sh", "-c",
                   "cd /dev && for f in $(ls -1A); do "
                   "if [ -L \"$f\" ]; then echo \"$f link $(readlink \"$f\")\"; "
                   "elif [ -c \"$f\" ]; then echo \"$f char $(stat -c '%t:%T %a' \"$f\")\"; "
                   "elif [ -d \"$f\" ]; then echo \"$f dir\"; "
                   "else echo \"$f other\"; fi; done; echo ---; cat /proc/self/mountinfo"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto sep = r.out.find("---\n");
    ASSERT_NE(sep, std::string::npos) << r.describe();

    std::map<std::string, std::string> seen;
    for (const auto& line : lines_of(r.out.substr(0, sep))) {
        auto space = line.find(' ');
        seen[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
    }
    // docker's default /dev (majors/minors in hex, as stat %t:%T prints
    // them, then the mode: 666, every user may use them — mknod alone
    // would leave the umask's 644)
    const std::map<std::string, std::set<std::string>> expected{
        {"null", {"char 1:3 666"}},
        {"zero", {"char 1:5 666"}},
        {"full", {"char 1:7 666"}},
        {"random", {"char 1:8 666"}},
        {"urandom", {"char 1:9 666"}},
        {"tty", {"char 5:0 666"}},
        {"ptmx", {"link pts/ptmx", "char 5:2 666"}},
        {"pts", {"dir"}},
        {"shm", {"dir"}},
        {"mqueue", {"dir"}},
        {"fd", {"link /proc/self/fd"}},
        {"stdin", {"link /proc/self/fd/0"}},
        {"stdout", {"link /proc/self/fd/1"}},
        {"stderr", {"link /proc/self/fd/2"}},
    };
    for (const auto& [name, allowed] : expected) {
        auto it = seen.find(name);
        if (it == seen.end()) {
            ADD_FAILURE() << "/dev/" << name << " is missing";
            continue;
        }
        EXPECT_TRUE(allowed.count(it->second)) << "/dev/" << name << " is `" << it->second << "`";
    }
    // runc makes /dev/core only when the host has /proc/kcore (a kernel
    // without CONFIG_PROC_KCORE has none, and the link would dangle).
    std::error_code ec;
    const bool host_has_kcore = fs::exists("/proc/kcore", ec);
    if (auto core = seen.find("core"); core != seen.end()) {
        EXPECT_TRUE(host_has_kcore) << "/dev/core (" << core->second
                                    << ") exists, but the host has no /proc/kcore for it to point to";
        EXPECT_EQ(core->second, "link /proc/kcore") << "/dev/core";
    } else {
        EXPECT_FALSE(host_has_kcore) << "/dev/core is missing: the host has /proc/kcore, so docker's /dev has it";
    }
    for (const auto& [name, what] : seen)
        if (!expected.count(name) && name != "core")
            ADD_FAILURE() << "/dev/" << name << " (" << what << ") is not in docker's default /dev";

    std::map<std::string, std::string> fs_at;
    for (const auto& m : parse_mountinfo(r.out.substr(sep + 4))) fs_at[m.mount_point] = m.fs_type;
    EXPECT_EQ(fs_at["/dev"], "tmpfs");
    EXPECT_EQ(fs_at["/dev/pts"], "devpts");
    EXPECT_EQ(fs_at["/dev/shm"], "tmpfs");
    EXPECT_EQ(fs_at["/dev/mqueue"], "mqueue");
}

TEST_F(Namespaces, FilesystemsAreMountedWithDockersFlags) {
    // The per-mount flags docker (runc) gives each filesystem: no set-uid
    // programs, device files or executables where none belong. /dev is the
    // exception that must keep its devices: a nodev /dev makes /dev/null
    // unusable.
    auto r = krun({"--rm", "busybox", "sh", "-c", "cat /proc/self/mountinfo; echo ---; stat -c '%n %a' /dev /dev/shm"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    const auto sep = r.out.find("---\n");
    ASSERT_NE(sep, std::string::npos) << r.describe();
    // tmpfs shows no mode= for its default 1777: the directory's own mode says it.
    EXPECT_EQ(r.out.substr(sep + 4), "/dev 755\n/dev/shm 1777\n") << "the modes of /dev and /dev/shm\n" << r.describe();
    struct Want {
        std::vector<std::string> with, without, super;
    };
    const std::map<std::string, Want> expected{
        {"/proc", {{"nosuid", "nodev", "noexec"}, {}, {}}},
        {"/dev", {{"nosuid"}, {"nodev"}, {"mode=755"}}},
        {"/dev/pts", {{"nosuid", "noexec"}, {}, {"mode=620", "ptmxmode=666", "gid=5"}}},
        {"/dev/shm", {{"nosuid", "nodev", "noexec"}, {}, {"size=65536k"}}},
        {"/dev/mqueue", {{"nosuid", "nodev", "noexec"}, {}, {}}},
        {"/sys", {{"ro", "nosuid", "nodev", "noexec"}, {}, {}}},
    };
    std::map<std::string, Mount> found;
    for (const auto& m : parse_mountinfo(r.out.substr(0, sep))) found[m.mount_point] = m;
    for (const auto& [point, want] : expected) {
        auto it = found.find(point);
        if (it == found.end()) {
            ADD_FAILURE() << "nothing is mounted on " << point << " in the container\n" << r.describe();
            continue;
        }
        const std::string options = "," + it->second.options + ",";
        // The super options are the line's last field ("rw,mode=620,ptmxmode=666,gid=5").
        const std::string& line = it->second.line;
        const std::string super = "," + line.substr(line.find_last_of(' ') + 1) + ",";
        for (const auto& flag : want.with)
            EXPECT_NE(options.find("," + flag + ","), std::string::npos)
                << point << " must be mounted " << flag << ": " << line;
        for (const auto& flag : want.without)
            EXPECT_EQ(options.find("," + flag + ","), std::string::npos)
                << point << " must not be mounted " << flag << " (its device nodes would stop working): " << line;
        for (const auto& option : want.super)
            EXPECT_NE(super.find("," + option + ","), std::string::npos)
                << point << " needs the option " << option << ": " << line;
    }
}

TEST_F(Namespaces, DevNullAndDevZeroWork) {
    auto r = krun({"--rm", "busybox", "sh", "-c", "echo hi > /dev/null && echo ok; head -c 16 /dev/zero"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "ok\n" + std::string(16, '\0')) << r.describe();
}

TEST_F(Namespaces, CommandExitEndsTheContainerAtOnce) {
    // The shell exits while its background child still runs: the container
    // ends with the command (docker does), init's exit takes the rest down.
    RunOptions o;
    o.timeout = 20s;
    auto r = krun({"--rm", "busybox", "sh", "-c", "readlink /proc/self/ns/pid; sleep 100 & exit 3"}, o);
    EXPECT_EQ(r.exit_code, 3) << r.describe();
    // Start-up included, so generous for a loaded host: a kubik that waits
    // for the background sleep takes 100 s (and is killed at 20).
    EXPECT_LT(r.elapsed.count(), 10000) << "the container must end when its command exits\n" << r.describe();
    EXPECT_FALSE(r.pipes_held_open) << "a container process still holds kubik's stdout\n" << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.describe();
    ASSERT_TRUE(std::regex_match(lines[0], std::regex("pid:\\[[0-9]+\\]"))) << r.describe();
    EXPECT_NE(lines[0], namespace_of(::getpid(), "pid")) << "the command ran in the host's pid namespace";
    EXPECT_EQ(processes_in_namespace("pid", lines[0]).size(), 0u)
        << "processes of the container's pid namespace (" << lines[0] << ") outlived it";
    expect_no_container_state("after the command exited");
}

TEST_F(Namespaces, InitReapsOrphanedZombies) {
    // The subshell of $(...) starts a sleep in the background, prints its pid
    // and exits: the sleep is orphaned, re-parented to PID 1, which must
    // wait() for it when it exits. Only then does /proc/$p go away; a zombie
    // nobody reaps stays there for good. So the container polls (up to ~5 s)
    // until it is gone, and says which way it ended.
    const std::string script =
        "p=$(sleep 0.2 </dev/null >/dev/null 2>&1 & echo $!); echo \"orphan $p\"; "
        "i=0; while [ -e /proc/$p ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; "
        "if [ -e /proc/$p ]; then echo \"left $(cat /proc/$p/stat)\"; else echo reaped; fi; "
        "echo ---; cat /proc/[0-9]*/stat";
    RunOptions o;
    o.timeout = 20s;
    auto r = krun({"--rm", "busybox", "sh", "-c", script}, o);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_GE(lines.size(), 3u) << r.describe();
    ASSERT_TRUE(std::regex_match(lines[0], std::regex("orphan [0-9]+"))) << "the orphan's pid\n" << r.describe();
    EXPECT_EQ(lines[1], "reaped") << "the orphaned sleep (" << lines[0]
                                  << ") exited but is still in /proc after 5 s: PID 1 doesn't reap orphans\n"
                                  << r.describe();
    std::vector<std::string> zombies;
    for (size_t i = 2; i < lines.size(); ++i) {
        const auto& line = lines[i];
        auto close = line.rfind(')');
        if (close == std::string::npos || close + 2 >= line.size()) continue;
        if (line[close + 2] == 'Z') zombies.push_back(line.substr(0, close + 1));
    }
    EXPECT_EQ(joined(zombies), "") << "zombies in the container: PID 1 doesn't reap orphans\n"
                                   << r.describe();
    EXPECT_NE(r.out.find("(kubik-init)"), std::string::npos) << r.describe();
}

TEST_F(Namespaces, InitReapsManyOrphansThatExitAtOnce) {
    // Twenty orphans that exit together: the kernel has one pending SIGCHLD
    // for all of them (signals of one kind don't queue), so PID 1 must reap
    // until waitpid() finds nothing more, not one child per signal.
    const std::string script =
        "for i in $(seq 20); do (sleep 0.5 </dev/null >/dev/null 2>&1 &); done; "
        "sleep 2; echo ---; cat /proc/[0-9]*/stat";
    RunOptions o;
    o.timeout = 20s;
    auto r = krun({"--rm", "busybox", "sh", "-c", script}, o);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto sep = r.out.find("---\n");
    ASSERT_NE(sep, std::string::npos) << r.describe();
    std::vector<std::string> zombies;
    for (const auto& line : lines_of(r.out.substr(sep + 4))) {
        auto close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z')
            zombies.push_back(line.substr(0, close + 1));
    }
    EXPECT_EQ(zombies.size(), 0u) << zombies.size() << " of 20 orphans that exited together are zombies 1.5 s "
                                  << "later: PID 1 reaps one child per SIGCHLD instead of all of them\n"
                                  << joined(zombies);
}

TEST_F(Namespaces, InitForwardsEverySignalKubikPassesOn) {
    // kubik passes SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1 and SIGUSR2 on
    // to the container's PID 1, which must hand each one to the command
    // (`docker kill -s HUP` is how many servers are told to reload), also
    // after it has reaped an orphan.
    // An orphan that exits first: PID 1 reaps it and must then go back to
    // waiting for signals, not sit in a waitpid() that blocks until the
    // next child exits.
    const std::string script =
        "(sleep 0.1 </dev/null >/dev/null 2>&1 &); "
        "for s in HUP INT QUIT USR1 USR2; do trap \"echo got $s\" $s; done; trap 'echo got TERM; exit 0' TERM; "
        "while :; do sleep 0.05; done";
    // mount needs CAP_SYS_ADMIN, which lesson 8 takes away (as docker
    // does); before lesson 8 the command has it anyway.
    Child run(kubik_argv({"run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", script}));
    auto init = wait_for_child(run.pid(), "kubik-init");
    ASSERT_TRUE(init) << "no kubik-init below kubik (pid " << run.pid() << ")";
    auto shell = wait_for_child(init->pid, "sh");
    ASSERT_TRUE(shell) << "the container's command didn't start";
    // A sleep below the shell means its traps are set.
    ASSERT_TRUE(wait_for_child(shell->pid, "sleep")) << "the shell never got to its loop";
    std::this_thread::sleep_for(300ms);  // the orphan's 0.1 s are over
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2}) {
        ASSERT_EQ(::kill(run.pid(), sig), 0);
        // One at a time: the shell runs a trap once per pending signal.
        std::this_thread::sleep_for(200ms);
    }
    ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
    auto r = run.finish(10s);
    EXPECT_EQ(r.exit_code, 0) << "the command's TERM trap exits 0\n" << r.describe();
    for (const char* name : {"HUP", "INT", "QUIT", "USR1", "USR2", "TERM"})
        EXPECT_TRUE(has_line(r.out, std::string("got ") + name))
            << "SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM were sent to kubik; the command never got SIG"
            << name << "\n" << r.describe();
    expect_no_container_state("after the signals");
}

TEST_F(Namespaces, MountsStayInsideTheContainer) {
    const auto before = mount_table();
    std::random_device rd;
    const std::string tag = "kubik-test-tmpfs-" + std::to_string(rd());
    // mount needs CAP_SYS_ADMIN, which lesson 8 takes away (as docker
    // does); before lesson 8 the command has it anyway.
    Child run(kubik_argv({"run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c",
                          "mkdir -p /kubik-mnt && mount -t tmpfs " + tag + " /kubik-mnt && exec sleep 30"}));
    auto init = wait_for_child(run.pid(), "kubik-init");
    ASSERT_TRUE(init);
    auto command = wait_for_child(init->pid, "sleep");
    ASSERT_TRUE(command) << "the container's command didn't get to `sleep` (mount failed?)";

    // The container sees its mount...
    bool inside = false;
    for (const auto& m : mounts_of(std::to_string(command->pid)))
        inside = inside || m.source == tag;
    EXPECT_TRUE(inside) << "the tmpfs is not in the container's own mount table";
    // ...the host doesn't, anywhere.
    for (const auto& m : mounts_of("self"))
        EXPECT_NE(m.source, tag) << "a container's mount propagated to the host: " << m.line;
    // The overlay root, /proc, /dev, /sys of the container: none on the host.
    const auto during = mount_table();
    for (const auto& l : during)
        EXPECT_TRUE(before.count(l)) << "the host's mount table grew while the container ran: " << l;

    ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
    auto r = run.finish(10s);
    EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.describe();
    EXPECT_TRUE(mount_table() == before) << "the host's mount table changed after the run";
    expect_no_container_state("after the run");
}

TEST_F(Namespaces, CommandStartsWithNoBlockedOrIgnoredSignals) {
    // Lesson 0's reset_signals(), checked here because it needs /proc: a mask
    // or an ignored signal inherited from kubik survives exec.
    auto r = krun({"--rm", "busybox", "grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n") << r.describe();
}

TEST_F(Namespaces, TtyIsOnTheContainersOwnDevpts) {
    auto r = run_in_pty(kubik_argv({"run", "--rm", "-t", "busybox", "tty"}), 24, 80, 20s);
    std::string out;
    for (char c : r.output)
        if (c != '\r') out += c;
    EXPECT_EQ(r.exit_code, 0) << out;
    // Lesson 3's steps may still be stubs whose notices share the terminal.
    EXPECT_EQ(without_skip_notices(out), "/dev/pts/0\n") << "a fresh devpts instance in the container starts at 0";
    expect_no_container_state("after -t");
}

// ---------------------------------------------------------------------------
// The working directory can't lead out of the container (runc's
// CVE-2024-21626). Once /proc is the container's own, /proc/self/fd/N is any
// descriptor the process holds, and a directory of the host's among them is
// a way out of every root: chdir() follows the link to the host's directory
// itself. The caller of kubik holds one here (a shell's `exec 7</dir`); each
// test takes one route to it as the working directory, and kubik must refuse
// to start the command (125, naming the directory) instead of starting it
// with the host's directory as its cwd. Five routes, one check of kubik's
// result: lifecycle_test.cpp has the fifth, `kubik exec -w` (lesson 3).

class WorkingDirectory : public Namespaces {
protected:
    /// kubik refused the working directory `dir`, and the command never saw
    /// the held directory: its marker is nowhere in the output.
    void expect_refused(const RunResult& r, const HeldDirectory& held, const std::string& dir) {
        EXPECT_EQ(r.out.find(held.marker()), std::string::npos)
            << "the container read a file of the host's through " << dir << "\n" << r.describe();
        EXPECT_EQ(r.exit_code, 125) << "a working directory outside the container is kubik's error\n"
                                    << r.describe();
        EXPECT_NE(without_skip_notices(r.err).find("\"" + dir + "\""), std::string::npos)
            << "the error names the working directory\n" << r.describe();
        expect_no_container_state("after a refused working directory");
    }

    /// What the command runs: prints the marker if it is in the host's directory.
    static std::vector<std::string> probe() { return {"sh", "-c", "cat marker; ls ../../.."}; }
};

TEST_F(WorkingDirectory, ProcSelfFdOfTheCallerIsRefused) {
    HeldDirectory held(root_ / "hostdir");
    auto args = std::vector<std::string>{"--rm", "-w", held.fd_path(), "busybox"};
    for (const auto& a : probe()) args.push_back(a);
    expect_refused(krun(args, held.passed_on()), held, held.fd_path());
}

TEST_F(WorkingDirectory, DevFdOfTheCallerIsRefused) {
    // /dev/fd is the symlink to /proc/self/fd that mount_dev() makes.
    HeldDirectory held(root_ / "hostdir");
    const std::string dir = held.fd_path("/dev/fd/");
    auto args = std::vector<std::string>{"--rm", "-w", dir, "busybox"};
    for (const auto& a : probe()) args.push_back(a);
    expect_refused(krun(args, held.passed_on()), held, dir);
}

TEST_F(WorkingDirectory, ImageSymlinkToProcSelfFdIsRefused) {
    // The image, not the user, points the way: /escape -> /proc/self/fd/N.
    HeldDirectory held(root_ / "hostdir");
    fs::create_symlink(held.fd_path(), image_rootfs() / "escape");
    auto args = std::vector<std::string>{"--rm", "-w", "/escape", "busybox"};
    for (const auto& a : probe()) args.push_back(a);
    expect_refused(krun(args, held.passed_on()), held, "/escape");
}

TEST_F(WorkingDirectory, ImageWorkingDirToProcSelfFdIsRefused) {
    // The image config's WorkingDir (a Dockerfile's WORKDIR), no -w at all.
    HeldDirectory held(root_ / "hostdir");
    auto doc = image_config();
    ASSERT_TRUE(doc.contains("config")) << doc.dump();
    doc["config"]["WorkingDir"] = held.fd_path();
    set_image_config("busybox", doc);
    auto args = std::vector<std::string>{"--rm", "busybox"};
    for (const auto& a : probe()) args.push_back(a);
    expect_refused(krun(args, held.passed_on()), held, held.fd_path());
}

}  // namespace
}  // namespace kubik::test
