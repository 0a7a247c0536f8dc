// Lesson 8's escape suite: the attacks of the last ten years of container
// history, made from inside a kubik container by kubik-probe (probe.cpp, put
// in read-only with -v), each expecting the errno docker gives with its
// default profile. Where an attempt could change the host, the host is also
// checked from outside (hostname, core_pattern, loaded modules, the clock, a
// host process's tracer). Then the harmless ones again with --privileged,
// printed as a table for the lesson text: what each wall was holding back.
// And ordinary work still runs behind the walls: a shell script, an HTTP
// server on the container's loopback, ping (NET_RAW).
//
// Every attempt is harmless even when it gets through (see probe.cpp): a
// missing wall is what the suite is for.
#include "lesson8.hpp"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <iostream>
#include <sstream>

#ifndef KUBIK_PROBE_BIN
#error "KUBIK_PROBE_BIN must be defined by tests/CMakeLists.txt"
#endif

namespace kubik::test::security8 {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string hostname() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

// Wall clock minus monotonic clock, in seconds: settimeofday that worked
// moves the one and not the other.
double clock_offset() {
    timespec real{}, mono{};
    ::clock_gettime(CLOCK_REALTIME, &real);
    ::clock_gettime(CLOCK_MONOTONIC, &mono);
    return static_cast<double>(real.tv_sec - mono.tv_sec) + static_cast<double>(real.tv_nsec - mono.tv_nsec) / 1e9;
}

// The lines of /proc/modules ("" when the kernel has no modules).
std::size_t module_count() { return lines_of(read_text("/proc/modules").value_or("")).size(); }

// What a host process's tracer is (TracerPid of /proc/PID/status).
std::string tracer_of(pid_t pid) {
    std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/status").value_or(""));
    for (std::string line; std::getline(in, line);)
        if (line.rfind("TracerPid:", 0) == 0) return line;
    return "";
}

// Entries of a host directory (0 when it is missing).
int entries_of(const fs::path& dir) {
    std::error_code ec;
    int n = 0;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
}

/// One escape attempt and what docker's default profile answers.
struct Attempt {
    std::string name;       ///< kubik-probe's ATTEMPT
    std::string expected;   ///< the probe's result with the default profile
    std::string wall;       ///< what stops it (for the messages)
    bool privileged_safe;   ///< harmless when it succeeds: tried with --privileged too
};

const std::vector<Attempt>& attempts() {
    static const std::vector<Attempt> all = {
        {"module", "EPERM", "seccomp (finit_module), no CAP_SYS_MODULE", false},
        {"mount", "EPERM", "seccomp (mount needs CAP_SYS_ADMIN), no CAP_SYS_ADMIN", true},
        {"unshare-user", "EPERM", "seccomp (unshare needs CAP_SYS_ADMIN)", true},
        {"keyctl", "EPERM", "seccomp (keyctl: the keyring isn't namespaced)", true},
        {"bpf", "EPERM", "seccomp (bpf needs CAP_SYS_ADMIN or CAP_BPF)", true},
        {"perf", "EPERM", "seccomp (perf_event_open needs CAP_SYS_ADMIN or CAP_PERFMON)", true},
        {"userfaultfd", "EPERM", "seccomp (userfaultfd)", true},
        {"io-uring", "EPERM", "seccomp (io_uring_setup, blocked since docker 25)", true},
        {"open-by-handle", "EPERM", "seccomp (open_by_handle_at needs CAP_DAC_READ_SEARCH)", true},
        {"reboot", "EPERM", "seccomp (reboot needs CAP_SYS_BOOT), no CAP_SYS_BOOT", false},
        {"kexec", "EPERM", "seccomp (kexec_file_load)", false},
        {"swapon", "EPERM", "seccomp (swapon needs CAP_SYS_ADMIN)", false},
        {"settimeofday", "EPERM", "seccomp (settimeofday needs CAP_SYS_TIME), no CAP_SYS_TIME", false},
        {"mknod-disk", "EPERM", "the device cgroup (mknod itself is allowed: CAP_MKNOD)", true},
        {"sysrq", "EROFS", "/proc/sysrq-trigger bound read-only", false},
        {"core-pattern", "EROFS", "/proc/sys bound read-only", false},
        {"kcore", "empty", "/proc/kcore masked (/dev/null bound over it)", true},
        {"firmware", "empty", "/sys/firmware masked (an empty read-only tmpfs)", true},
        {"cgroup-v1-release-agent", "EPERM", "seccomp (mount), no CAP_SYS_ADMIN", false},
        {"proc-exe", "", "PID 1 is the container's own program, never kubik's binary", true},
        {"leaked-fd", "none", "every descriptor >= 3 closed before the container starts", true},
        {"ptrace-outside", "ESRCH", "the PID namespace: no host pid exists inside", true},
    };
    return all;
}

class Escape : public Lesson8Test {
protected:
    void SetUp() override {
        Lesson8Test::SetUp();
        if (HasFatalFailure()) return;
        probe_dir_ = scratch_.path() / "probe";
        fs::create_directories(probe_dir_);
        fs::copy_file(KUBIK_PROBE_BIN, probe_dir_ / "kubik-probe");
        fs::permissions(scratch_.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                             fs::perms::others_read | fs::perms::others_exec);
        fs::permissions(probe_dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                        fs::perms::others_read | fs::perms::others_exec);
        sleeper_ = std::make_unique<Child>(std::vector<std::string>{"/bin/sleep", "60"});
    }
    void TearDown() override {
        sleeper_.reset();  // killed and reaped before the leak check
        Lesson8Test::TearDown();
    }

    /// `kubik run --rm -v PROBE:/probe:ro FLAGS... busybox /probe/kubik-probe
    /// ATTEMPT [ARG]`, with a held directory of the host passed on to kubik
    /// (the descriptor a leaky runtime would carry into the container).
    RunResult probe(const std::string& attempt, const std::vector<std::string>& flags = {}) {
        std::vector<std::string> argv{"run", "--rm", "-v", probe_dir_.string() + ":/probe:ro"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        argv.insert(argv.end(), {"busybox", "/probe/kubik-probe", attempt});
        if (attempt == "ptrace-outside") argv.push_back(std::to_string(sleeper_->pid()));
        return kubik(argv, held_.passed_on());
    }

    /// The probe's result ("EPERM", "ok", ...), "" with a failure when it
    /// couldn't try.
    std::string result_of(const std::string& attempt, const RunResult& r) {
        EXPECT_FALSE(contains(r.out + r.err, held_.marker())) << "the held host directory's marker leaked\n"
                                                             << r.describe();
        const std::string prefix = attempt + " ";
        for (const auto& line : lines_of(r.out))
            if (line.rfind(prefix, 0) == 0) {
                EXPECT_EQ(r.exit_code, 0) << r.describe();
                return line.substr(prefix.size());
            }
        ADD_FAILURE() << "the probe made no attempt " << attempt << "\n" << r.describe();
        return "";
    }

    /// Why an attempt can't be judged on this host ("" when it can).
    std::string unjudgeable(const std::string& attempt) const {
        if (attempt == "kcore" && !fs::exists("/proc/kcore"))
            return "this kernel has no /proc/kcore (CONFIG_PROC_KCORE): nothing to mask";
        if (attempt == "sysrq" && !fs::exists("/proc/sysrq-trigger"))
            return "this kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ): nothing to bind read-only";
        if (attempt == "firmware" && entries_of("/sys/firmware") == 0)
            return "the host's /sys/firmware is empty: masking it can't be seen";
        return "";
    }

    ScratchDir scratch_;
    fs::path probe_dir_;
    HeldDirectory held_{scratch_.path() / "held"};
    std::unique_ptr<Child> sleeper_;
};

// What the attempt printed is what docker's errno is; anything else either
// means a missing wall (ok) or a broken attempt (ENOENT of the probe).
void expect_default(const Attempt& a, const std::string& got) {
    if (a.name == "proc-exe") {
        // The errno depends on what PID 1 is (ETXTBSY: it runs; EROFS: the
        // probe's read-only volume); what matters is that it fails, and not
        // because /proc/1/exe is missing.
        EXPECT_NE(got, "ok") << "a container opened PID 1's executable for writing (CVE-2019-5736's path)";
        EXPECT_NE(got, "ENOENT") << "no /proc/1/exe in the container: the attempt didn't run";
        return;
    }
    EXPECT_EQ(got, a.expected) << a.name << ": docker answers " << a.expected << " (" << a.wall << ")";
}

TEST_F(Escape, EveryAttemptFailsAsWithDockersDefaultProfile) {
    const std::string host_name = hostname();
    const auto core_pattern = read_text("/proc/sys/kernel/core_pattern");
    const std::size_t modules = module_count();
    const double offset = clock_offset();
    std::ostringstream table;
    table << "attempt | default profile (docker) | wall\n";
    for (const auto& a : attempts()) {
        SCOPED_TRACE(a.name);
        const std::string skip = unjudgeable(a.name);
        if (!skip.empty()) {
            table << a.name << " | skipped: " << skip << "\n";
            continue;
        }
        const std::string got = result_of(a.name, probe(a.name));
        table << a.name << " | " << got << " (" << (a.expected.empty() ? "fails" : a.expected) << ") | " << a.wall
              << "\n";
        expect_default(a, got);
        // The host, from outside: nothing an attempt could have changed changed.
        EXPECT_EQ(hostname(), host_name);
        EXPECT_EQ(read_text("/proc/sys/kernel/core_pattern"), core_pattern);
        EXPECT_EQ(module_count(), modules);
        EXPECT_NEAR(clock_offset(), offset, 1.0) << "the host's clock moved";
        EXPECT_EQ(tracer_of(sleeper_->pid()), "TracerPid:\t0") << "a container traced a host process";
    }
    std::cout << table.str();
    RecordProperty("default_profile", table.str());
}

// --privileged takes every wall down but the namespaces: the attempts
// harmless when they succeed show what each wall held back. Printed for the
// lesson; checked only where docker is certain: the namespaces still hold
// (no host pid, no leaked descriptor, PID 1 still the container's), and the
// walls are really gone (mount works, /sys/firmware is the host's).
TEST_F(Escape, PrivilegedLetsThroughWhatTheWallsHeld) {
    std::ostringstream table;
    table << "attempt | default (docker) | --privileged\n";
    for (const auto& a : attempts()) {
        if (!a.privileged_safe) continue;
        SCOPED_TRACE(a.name);
        if (const std::string skip = unjudgeable(a.name); !skip.empty()) {
            table << a.name << " | skipped: " << skip << "\n";
            continue;
        }
        const std::string got = result_of(a.name, probe(a.name, {"--privileged"}));
        table << a.name << " | " << (a.expected.empty() ? "fails" : a.expected) << " | " << got << "\n";
        if (a.name == "ptrace-outside") {
            EXPECT_EQ(got, "ESRCH");
        } else if (a.name == "leaked-fd") {
            EXPECT_EQ(got, "none");
        } else if (a.name == "proc-exe") {
            EXPECT_NE(got, "ok");
        } else if (a.name == "mount" || a.name == "unshare-user") {
            EXPECT_EQ(got, "ok") << "--privileged keeps CAP_SYS_ADMIN and loads no filter";
        } else if (a.name == "firmware" && entries_of("/sys/firmware") > 0) {
            EXPECT_EQ(got.rfind("ok", 0), 0u) << "--privileged masks nothing";
        }
    }
    std::cout << table.str();
    RecordProperty("privileged", table.str());
}

// A setuid-root program in a volume of the test's own, run as user 1000:
// the kernel makes its euid 0, unless no_new_privs is set (docker's
// --security-opt no-new-privileges), then the setuid bit is ignored.
TEST_F(Escape, SetuidRootWorksOnlyWithoutNoNewPrivileges) {
    const fs::path dir = scratch_.path() / "suid";
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    const fs::path copy = dir / "kubik-probe";
    fs::copy_file(KUBIK_PROBE_BIN, copy);
    ASSERT_EQ(::chown(copy.c_str(), 0, 0), 0);
    ASSERT_EQ(::chmod(copy.c_str(), 04755), 0);
    struct stat st {};
    ASSERT_EQ(::stat(copy.c_str(), &st), 0);
    ASSERT_TRUE(st.st_mode & S_ISUID) << "the host's filesystem dropped the setuid bit";
    const std::string volume = dir.string() + ":/suid";

    auto r = kubik({"run", "--rm", "--user", "1000", "-v", volume, "busybox", "/suid/kubik-probe", "setuid-nnp"});
    EXPECT_EQ(result_of("setuid-nnp", r), "euid=0") << "without no-new-privileges a setuid-root program gets euid 0";

    r = kubik({"run", "--rm", "--user", "1000", "--security-opt", "no-new-privileges", "-v", volume, "busybox",
               "/suid/kubik-probe", "setuid-nnp"});
    EXPECT_EQ(result_of("setuid-nnp", r), "euid=1000") << "no-new-privileges: the setuid bit is ignored";
}

// Ordinary work behind the default walls. Each run also prints its own
// Seccomp and CapEff lines, so a pass means "worked with the walls up", not
// "worked because there were none".
class OrdinaryWork : public Lesson8Test {
protected:
    RunResult sh(const std::string& script) {
        return kubik({"run", "--rm", "busybox", "sh", "-c",
                      script + "; r=$?; grep -E '^(Seccomp|CapEff):' /proc/self/status; exit $r"});
    }
    void expect_walls_up(const RunResult& r) {
        EXPECT_TRUE(has_line(r.out, "Seccomp:\t2")) << "no seccomp filter in the container\n" << r.describe();
        // docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID
        // SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD
        // AUDIT_WRITE SETFCAP.
        EXPECT_TRUE(has_line(r.out, "CapEff:\t00000000a80425fb")) << r.describe();
    }
};

TEST_F(OrdinaryWork, AShellScriptRuns) {
    auto r = sh("cd /tmp && for i in 1 2 3; do echo line $i >> f; done && wc -l < f && rm f && ls /tmp | wc -l");
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    const auto lines = lines_of(r.out);
    ASSERT_GE(lines.size(), 2u) << r.describe();
    EXPECT_EQ(lines[0], "3") << r.describe();
    EXPECT_EQ(lines[1], "0") << r.describe();
    expect_walls_up(r);
}

TEST_F(OrdinaryWork, AnHttpServerAnswersOnTheContainersLoopback) {
    // busybox wget looks the "http" service up through NSS, which the image
    // hasn't got (see lesson 6): HTTP is spoken with nc.
    auto r = sh("mkdir -p /tmp/www && echo hello-from-httpd > /tmp/www/index.html && "
                "httpd -f -p 127.0.0.1:8080 -h /tmp/www & "
                "for i in $(seq 50); do "
                "  out=$(printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080 2>/dev/null); "
                "  case \"$out\" in *hello-from-httpd*) break;; esac; sleep 0.1; done; "
                "kill %1; echo \"$out\" | tail -n1 | tr -d '\\r'");
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "hello-from-httpd")) << r.describe();
    expect_walls_up(r);
}

TEST_F(OrdinaryWork, PingOfLoopbackUsesNetRaw) {
    auto r = sh("ping -c1 -W2 127.0.0.1");
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.out, "1 packets received")) << r.describe();
    expect_walls_up(r);
    // Without NET_RAW busybox's ping has no raw socket: the capability is
    // what made it work (unless the host lets every group ping by ICMP
    // datagram sockets, net.ipv4.ping_group_range).
    const auto range = read_text("/proc/sys/net/ipv4/ping_group_range").value_or("");
    if (contains(range, "1\t0")) {
        r = kubik({"run", "--rm", "--cap-drop", "NET_RAW", "busybox", "ping", "-c1", "-W2", "127.0.0.1"});
        EXPECT_NE(r.exit_code, 0) << "ping worked without NET_RAW\n" << r.describe();
    }
}

} // namespace
} // namespace kubik::test::security8
