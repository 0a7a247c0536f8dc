// docker's seccomp profile format and kubik's default profile, resolved by
// src (security/seccomp_profile.cpp): no filter is built or loaded here, so
// these run in the test process itself.
#include "security/seccomp_profile.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace kubik::test::seccomp_profile {
namespace {

namespace sec = kubik::security;
using Kind = sec::SeccompAction::Kind;
using Op = sec::SeccompArg::Op;

/// Docker's default capability set (a root container's bounding set).
const std::vector<int> kDockerCaps = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,           CAP_MKNOD,      CAP_NET_RAW,    CAP_SETGID,
    CAP_SETUID, CAP_SETFCAP,      CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,       CAP_AUDIT_WRITE,
};

std::vector<int> with(std::vector<int> caps, int cap) {
    caps.push_back(cap);
    return caps;
}

bool names(const sec::SeccompRule& rule, const std::string& name) {
    return std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end();
}

/// The rules that name `name`.
std::vector<sec::SeccompRule> rules_for(const sec::SeccompProfile& p, const std::string& name) {
    std::vector<sec::SeccompRule> out;
    for (const auto& r : p.syscalls)
        if (names(r, name)) out.push_back(r);
    return out;
}

/// Whether `name` is allowed whatever its arguments.
bool allows(const sec::SeccompProfile& p, const std::string& name) {
    for (const auto& r : rules_for(p, name))
        if (r.action.kind == Kind::Allow && r.args.empty()) return true;
    return false;
}

/// Whether any rule lets `name` through (with or without conditions).
bool mentions_allowed(const sec::SeccompProfile& p, const std::string& name) {
    for (const auto& r : rules_for(p, name))
        if (r.action.kind == Kind::Allow) return true;
    return false;
}

sec::SeccompProfile parse(const std::string& json, const std::vector<int>& caps = kDockerCaps) {
    return sec::parse_seccomp_profile(json, "profile.json", caps);
}

/// The message of the kubik::Error parsing `json` throws ("" if none).
std::string error_of(const std::string& json) {
    try {
        parse(json);
    } catch (const kubik::Error& e) {
        EXPECT_EQ(e.exit_code(), 125);
        return e.what();
    }
    return "";
}

std::pair<int, int> kernel() {
    utsname u{};
    ::uname(&u);
    int major = 0, minor = 0;
    std::sscanf(u.release, "%d.%d", &major, &minor);
    return {major, minor};
}

// --- the format -------------------------------------------------------------

TEST(SeccompProfile, DefaultActionAndItsErrno) {
    auto p = parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38})");
    EXPECT_EQ(p.default_action.kind, Kind::Errno);
    EXPECT_EQ(p.default_action.errno_value, 38);
    EXPECT_TRUE(p.syscalls.empty());
    // An ERRNO without its number is EPERM, as in docker.
    p = parse(R"({"defaultAction": "SCMP_ACT_ERRNO"})");
    EXPECT_EQ(p.default_action.errno_value, EPERM);
    p = parse(R"({"defaultAction": "SCMP_ACT_ALLOW"})");
    EXPECT_EQ(p.default_action.kind, Kind::Allow);
}

TEST(SeccompProfile, EveryAction) {
    const std::pair<const char*, Kind> actions[] = {
        {"SCMP_ACT_ALLOW", Kind::Allow},        {"SCMP_ACT_ERRNO", Kind::Errno},
        {"SCMP_ACT_KILL", Kind::KillThread},    {"SCMP_ACT_KILL_THREAD", Kind::KillThread},
        {"SCMP_ACT_KILL_PROCESS", Kind::KillProcess}, {"SCMP_ACT_TRAP", Kind::Trap},
        {"SCMP_ACT_LOG", Kind::Log},            {"SCMP_ACT_TRACE", Kind::Trace},
    };
    for (const auto& [name, kind] : actions) {
        const auto p = parse(std::string(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": ")") +
                             name + R"(", "errnoRet": 5}]})");
        ASSERT_EQ(p.syscalls.size(), 1u) << name;
        EXPECT_EQ(p.syscalls[0].action.kind, kind) << name;
        EXPECT_EQ(p.syscalls[0].names, std::vector<std::string>{"uname"});
        if (kind == Kind::Errno || kind == Kind::Trace) {
            EXPECT_EQ(p.syscalls[0].action.errno_value, 5) << name;
        }
    }
}

TEST(SeccompProfile, RuleFields) {
    const auto p = parse(R"({
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {"name": "personality", "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
        {"names": ["clone", "fork"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "comment": "ignored",
         "args": [{"index": 5, "value": 2114060288, "valueTwo": 7, "op": "SCMP_CMP_MASKED_EQ"},
                  {"index": 1, "value": 1, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 2, "op": "SCMP_CMP_LT"},
                  {"index": 1, "value": 3, "op": "SCMP_CMP_LE"}, {"index": 1, "value": 4, "op": "SCMP_CMP_GE"},
                  {"index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_GT"}]},
        {"names": ["uname"], "action": "SCMP_ACT_ERRNO"}
      ]})");
    ASSERT_EQ(p.syscalls.size(), 3u);
    EXPECT_EQ(p.syscalls[0].names, std::vector<std::string>{"personality"});  // "name", docker's old form
    ASSERT_EQ(p.syscalls[0].args.size(), 1u);
    EXPECT_EQ(p.syscalls[0].args[0].op, Op::Equal);
    EXPECT_EQ(p.syscalls[0].args[0].value, 8u);
    EXPECT_EQ(p.syscalls[1].names, (std::vector<std::string>{"clone", "fork"}));
    EXPECT_EQ(p.syscalls[1].action.errno_value, 38);
    const auto& a = p.syscalls[1].args;
    ASSERT_EQ(a.size(), 6u);
    EXPECT_EQ(a[0].index, 5u);
    EXPECT_EQ(a[0].op, Op::MaskedEqual);
    EXPECT_EQ(a[0].value, 2114060288u);
    EXPECT_EQ(a[0].value_two, 7u);
    EXPECT_EQ(a[1].op, Op::NotEqual);
    EXPECT_EQ(a[2].op, Op::LessThan);
    EXPECT_EQ(a[3].op, Op::LessOrEqual);
    EXPECT_EQ(a[4].op, Op::GreaterOrEqual);
    EXPECT_EQ(a[5].op, Op::GreaterThan);
    EXPECT_EQ(a[5].value, 18446744073709551615u);
    EXPECT_EQ(p.syscalls[2].action.errno_value, EPERM);
}

#if defined(__x86_64__) && !defined(__ILP32__)
TEST(SeccompProfile, ArchitecturesAndTheNativeArchMapEntry) {
    // The native architecture is in every filter; the profile lists the others.
    auto p = parse(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]})");
    EXPECT_EQ(p.architectures, std::vector<std::string>{"x86"});
    // archMap: only the entry of this machine's architecture counts.
    p = parse(R"({"defaultAction": "SCMP_ACT_ALLOW", "archMap": [
        {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
        {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}]})");
    EXPECT_EQ(p.architectures, (std::vector<std::string>{"x86", "x32"}));
    EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_VAX"]})"),
              "profile.json: unknown architecture \"SCMP_ARCH_VAX\"");
    EXPECT_NE(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"],
                          "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})")
                  .find("both \"architectures\" and \"archMap\""),
              std::string::npos);
}

TEST(SeccompProfile, IncludesAndExcludesByArchitecture) {
    const auto p = parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
        {"names": ["set_tls"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm", "arm64"]}},
        {"names": ["uname"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
        {"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["s390x"]}}]})");
    EXPECT_TRUE(allows(p, "arch_prctl"));
    EXPECT_FALSE(allows(p, "set_tls"));
    EXPECT_FALSE(allows(p, "uname"));
    EXPECT_TRUE(allows(p, "getpid"));
}
#endif

TEST(SeccompProfile, IncludesAndExcludesByCapability) {
    const std::string json = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN", "CAP_SYS_BOOT"]}},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_CHROOT"]}}]})";
    auto p = parse(json);
    EXPECT_FALSE(allows(p, "mount"));
    EXPECT_FALSE(allows(p, "reboot"));
    EXPECT_TRUE(allows(p, "clone"));
    EXPECT_TRUE(allows(p, "chroot"));
    p = parse(json, with(kDockerCaps, CAP_SYS_ADMIN));
    EXPECT_TRUE(allows(p, "mount"));
    EXPECT_FALSE(allows(p, "reboot"));  // every cap of includes, not any
    EXPECT_FALSE(allows(p, "clone"));
    p = parse(json, with(with(kDockerCaps, CAP_SYS_ADMIN), CAP_SYS_BOOT));
    EXPECT_TRUE(allows(p, "reboot"));
    p = parse(json, {});
    EXPECT_FALSE(allows(p, "chroot"));
    EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_FLY"]}}]})"),
              "profile.json: unknown capability \"CAP_FLY\"");
}

TEST(SeccompProfile, IncludesAndExcludesByKernelVersion) {
    const auto [major, minor] = kernel();
    const std::string now = std::to_string(major) + "." + std::to_string(minor);
    const std::string next = std::to_string(major) + "." + std::to_string(minor + 1);
    const auto p = parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["a_old"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "3.10"}},
        {"names": ["a_now"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": ")" + now + R"("}},
        {"names": ["a_next"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": ")" + next + R"("}},
        {"names": ["x_old"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "3.10"}},
        {"names": ["x_next"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": ")" + next + R"("}}]})");
    EXPECT_TRUE(allows(p, "a_old"));
    EXPECT_TRUE(allows(p, "a_now"));
    EXPECT_FALSE(allows(p, "a_next"));
    EXPECT_FALSE(allows(p, "x_old"));
    EXPECT_TRUE(allows(p, "x_next"));
}

TEST(SeccompProfile, ErrorsNameTheFileAndTheProblem) {
    EXPECT_EQ(error_of("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [,]\n}").rfind(
                  "profile.json: invalid JSON at line 3: ", 0),
              0u)
        << error_of("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [,]\n}");
    EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_NOPE"})"), "profile.json: unknown action \"SCMP_ACT_NOPE\"");
    EXPECT_EQ(error_of(R"({"syscalls": []})"), "profile.json: the profile has no \"defaultAction\"");
    EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO",
                          "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]})"),
              "profile.json: unknown operator \"SCMP_CMP_ABOUT\"");
    EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO",
                          "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
              "profile.json: arg index 6 is out of range (0 to 5)");
    EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"]}]})"),
              "profile.json: a rule without \"action\"");
    EXPECT_NE(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "a", "names": ["b"],
                          "action": "SCMP_ACT_ALLOW"}]})")
                  .find("both \"name\" and \"names\""),
              std::string::npos);
    EXPECT_EQ(error_of("[1, 2]"), "profile.json: a seccomp profile must be a JSON object");
    EXPECT_EQ(error_of("").rfind("profile.json: invalid JSON at line 1", 0), 0u);
}

// --- kubik's default profile -----------------------------------------------

TEST(DefaultSeccompProfile, RefusesWithEpermByDefault) {
    const auto p = sec::default_seccomp_profile(kDockerCaps);
    EXPECT_EQ(p.default_action.kind, Kind::Errno);
    EXPECT_EQ(p.default_action.errno_value, EPERM);
    EXPECT_GT(p.syscalls.size(), 5u);
#if defined(__x86_64__) && !defined(__ILP32__)
    EXPECT_EQ(p.architectures, (std::vector<std::string>{"x86", "x32"}));
#endif
}

TEST(DefaultSeccompProfile, AllowsWhatProgramsNeed) {
    const auto p = sec::default_seccomp_profile(kDockerCaps);
    for (const char* name : {"read", "write", "openat", "close", "execve", "exit_group", "mmap", "brk", "futex",
                             "rt_sigaction", "wait4", "fork", "vfork", "setuid", "capset", "chroot", "seccomp",
                             "prctl", "statx", "getrandom", "rseq", "clock_gettime", "pidfd_open", "landlock_create_ruleset"})
        EXPECT_TRUE(allows(p, name)) << name;
#if defined(__x86_64__)
    EXPECT_TRUE(allows(p, "arch_prctl"));
    EXPECT_TRUE(allows(p, "modify_ldt"));
#endif
    // ptrace: allowed since 4.8, where the kernel checks a call again after a tracer changed it.
    EXPECT_EQ(allows(p, "ptrace"), kernel() >= std::make_pair(4, 8));
}

TEST(DefaultSeccompProfile, RefusesWhatReachesBeyondTheContainer) {
    const auto p = sec::default_seccomp_profile(kDockerCaps);
    for (const char* name : {"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
                             "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at",
                             "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
                             "swapon", "swapoff", "settimeofday", "clock_settime", "stime", "mount", "umount2",
                             "unshare", "setns", "reboot", "acct", "quotactl", "lookup_dcookie", "vm86", "nfsservctl",
                             "iopl", "ioperm", "syslog", "pivot_root", "move_mount", "fsopen", "kcmp", "mbind",
                             "sethostname", "setdomainname", "vhangup", "uselib"})
        EXPECT_FALSE(mentions_allowed(p, name)) << name;
}

TEST(DefaultSeccompProfile, CloneWithoutNamespaceFlagsClone3WithEnosys) {
    const auto p = sec::default_seccomp_profile(kDockerCaps);
    const auto clone = rules_for(p, "clone");
    ASSERT_EQ(clone.size(), 1u);
    EXPECT_EQ(clone[0].action.kind, Kind::Allow);
    ASSERT_EQ(clone[0].args.size(), 1u);
#if !defined(__s390x__)
    EXPECT_EQ(clone[0].args[0].index, 0u);
#endif
    EXPECT_EQ(clone[0].args[0].op, Op::MaskedEqual);
    EXPECT_EQ(clone[0].args[0].value, 2114060288u);  // CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP
    EXPECT_EQ(clone[0].args[0].value_two, 0u);
    const auto clone3 = rules_for(p, "clone3");
    ASSERT_EQ(clone3.size(), 1u);
    EXPECT_EQ(clone3[0].action.kind, Kind::Errno);
    EXPECT_EQ(clone3[0].action.errno_value, ENOSYS);
}

TEST(DefaultSeccompProfile, PersonalityAndSocketByArgument) {
    const auto p = sec::default_seccomp_profile(kDockerCaps);
    EXPECT_FALSE(allows(p, "personality"));
    std::vector<std::uint64_t> personas;
    for (const auto& r : rules_for(p, "personality"))
        for (const auto& a : r.args) {
            EXPECT_EQ(a.index, 0u);
            EXPECT_EQ(a.op, Op::Equal);
            personas.push_back(a.value);
        }
    std::sort(personas.begin(), personas.end());
    EXPECT_EQ(personas, (std::vector<std::uint64_t>{0x0, 0x8, 0x20000, 0x20008, 0xffffffff}));
    const auto socket = rules_for(p, "socket");
    ASSERT_EQ(socket.size(), 1u);
    ASSERT_EQ(socket[0].args.size(), 1u);
    EXPECT_EQ(socket[0].args[0].op, Op::NotEqual);
    EXPECT_EQ(socket[0].args[0].value, 40u);  // AF_VSOCK
}

TEST(DefaultSeccompProfile, CapabilitiesOpenTheirCalls) {
    const std::pair<int, std::vector<const char*>> groups[] = {
        {CAP_SYS_ADMIN, {"mount", "umount2", "unshare", "setns", "bpf", "perf_event_open", "sethostname", "fsopen",
                         "move_mount", "open_tree", "quotactl", "syslog"}},
        {CAP_SYS_BOOT, {"reboot"}},
        {CAP_SYS_MODULE, {"init_module", "finit_module", "delete_module"}},
        {CAP_SYS_PTRACE, {"kcmp", "pidfd_getfd", "process_vm_readv", "process_vm_writev", "ptrace"}},
        {CAP_SYS_TIME, {"settimeofday", "clock_settime"}},
        {CAP_SYS_NICE, {"mbind", "set_mempolicy", "get_mempolicy"}},
        {CAP_SYS_PACCT, {"acct"}},
        {CAP_SYS_RAWIO, {"iopl", "ioperm"}},
        {CAP_SYSLOG, {"syslog"}},
        {CAP_BPF, {"bpf"}},
        {CAP_PERFMON, {"perf_event_open"}},
        {CAP_DAC_READ_SEARCH, {"open_by_handle_at"}},
        {CAP_SYS_TTY_CONFIG, {"vhangup"}},
    };
    const auto without = sec::default_seccomp_profile(kDockerCaps);
    for (const auto& [cap, calls] : groups) {
        const auto p = sec::default_seccomp_profile(with(kDockerCaps, cap));
        for (const char* name : calls) {
            EXPECT_TRUE(allows(p, name)) << name << " with capability " << cap;
            if (std::string(name) != "ptrace" && std::string(name) != "process_vm_readv" &&
                std::string(name) != "process_vm_writev") {
                EXPECT_FALSE(mentions_allowed(without, name)) << name << " without capability " << cap;
            }
        }
    }
    // With CAP_SYS_ADMIN clone and clone3 are plain calls again.
    const auto admin = sec::default_seccomp_profile(with(kDockerCaps, CAP_SYS_ADMIN));
    EXPECT_TRUE(allows(admin, "clone"));
    EXPECT_TRUE(allows(admin, "clone3"));
    for (const auto& r : rules_for(admin, "clone")) EXPECT_TRUE(r.args.empty());
    for (const auto& r : rules_for(admin, "clone3")) EXPECT_EQ(r.action.kind, Kind::Allow);
    // No capability: chroot goes (docker ties it to CAP_SYS_CHROOT).
    EXPECT_FALSE(mentions_allowed(sec::default_seccomp_profile({}), "chroot"));
}

TEST(DefaultSeccompProfile, NamesAreCallsLibseccompKnows) {
    // A typo in the JSON would be skipped silently at build time, like a call
    // of another architecture: every name must be one libseccomp knows on
    // some architecture (x86_64's table, or the arch-specific groups).
    const auto p = sec::default_seccomp_profile(with(with(kDockerCaps, CAP_SYS_ADMIN), CAP_SYS_PTRACE));
    const char* const other_arch[] = {"x86", "x32", "aarch64", "arm", "ppc64le", "s390x", "riscv64"};
    // Calls newer than libseccomp 2.5 (Linux 6.8-6.10): skipped by this
    // libseccomp, allowed by one that knows them.
    const std::vector<std::string> newer = {"listmount", "statmount", "mseal"};
    for (const auto& r : p.syscalls)
        for (const auto& name : r.names) {
            if (std::find(newer.begin(), newer.end(), name) != newer.end()) continue;
            bool known = seccomp_syscall_resolve_name(name.c_str()) != __NR_SCMP_ERROR;
            for (const char* arch : other_arch)
                known = known || seccomp_syscall_resolve_name_arch(seccomp_arch_resolve_name(arch), name.c_str()) !=
                                     __NR_SCMP_ERROR;
            EXPECT_TRUE(known) << name;
        }
}

} // namespace
} // namespace kubik::test::seccomp_profile
