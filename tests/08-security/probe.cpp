// kubik-probe: one escape attempt from inside a container, for lesson 8's
// escape suite (escape_test.cpp). Static, because the busybox image has no C
// library; put into the container read-only with `-v DIR:/probe:ro`.
//
//   kubik-probe ATTEMPT [ARG]
//
// prints one line "ATTEMPT RESULT" and exits 0 when it could make the
// attempt (2 when it could not even try: a usage error, a refused setup).
// RESULT is "ok" when the attempt got through (the wall is missing), else
// the errno's name (EPERM, EROFS, ESRCH, ...). A few attempts have a result
// of their own: kcore "empty" (0 bytes, masked) or "ok N"; firmware "empty"
// or "ok N"; leaked-fd "none" or "ok FD TARGET"; setuid-nnp "euid=N".
//
// Every attempt must be harmless even when it succeeds, because a missing
// wall is exactly what the suite is looking for: nothing here writes to a
// device, a /proc or /sys file, loads anything into the kernel or changes a
// setting. Where the call itself would act (reboot), the arguments are the
// ones the kernel refuses anyway (see each attempt).
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>

namespace {

// The errno names the suite expects; anything else is printed as ERRNO_N.
std::string errno_name(int e) {
    static const std::map<int, const char*> names = {
        {EPERM, "EPERM"},   {ENOENT, "ENOENT"},   {ESRCH, "ESRCH"},     {EIO, "EIO"},
        {ENXIO, "ENXIO"},   {EBADF, "EBADF"},     {EAGAIN, "EAGAIN"},   {ENOMEM, "ENOMEM"},
        {EACCES, "EACCES"}, {EFAULT, "EFAULT"},   {EBUSY, "EBUSY"},     {EEXIST, "EEXIST"},
        {ENODEV, "ENODEV"}, {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},   {EINVAL, "EINVAL"},
        {ETXTBSY, "ETXTBSY"}, {ENOSPC, "ENOSPC"}, {EROFS, "EROFS"},     {ENOSYS, "ENOSYS"},
        {ENOKEY, "ENOKEY"}, {ESTALE, "ESTALE"},   {EOPNOTSUPP, "EOPNOTSUPP"},
    };
    const auto it = names.find(e);
    return it != names.end() ? it->second : "ERRNO_" + std::to_string(e);
}

// "ok" for a call that returned >= 0 (closing a descriptor it made), else
// the errno's name.
std::string result_of(long r, bool is_fd = false) {
    if (r < 0) return errno_name(errno);
    if (is_fd) ::close(static_cast<int>(r));
    return "ok";
}

// The kernel's fixed inode number of the initial pid namespace
// (PROC_PID_INIT_INO): a probe that sees it is not in a container.
constexpr const char* kInitPidNs = "pid:[4026531836]";

bool in_own_pid_namespace() {
    char link[64] = {};
    const ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
    return n > 0 && std::string(link, static_cast<size_t>(n)) != kInitPidNs;
}

std::string attempt_module() {
    // A descriptor that can't exist: a kernel that lets the call through
    // answers EBADF and loads nothing.
    return result_of(::syscall(SYS_finit_module, -1, "", 0));
}

std::string attempt_mount() {
    const long r = ::mount("kubik-probe", "/mnt", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k");
    const std::string res = result_of(r);
    if (r == 0) ::umount2("/mnt", MNT_DETACH);  // the container's own mount namespace
    return res;
}

std::string attempt_unshare_user() { return result_of(::unshare(CLONE_NEWUSER)); }

std::string attempt_keyctl() {
    // create = 0: looks the session keyring up, makes none.
    return result_of(::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

std::string attempt_bpf() {
    // "r0 = 0; exit": a socket filter that drops everything, attached nowhere.
    struct bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
    insns[0].dst_reg = BPF_REG_0;
    insns[1].code = BPF_JMP | BPF_EXIT;
    static const char license[] = "GPL";
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    attr.insn_cnt = 2;
    attr.insns = reinterpret_cast<unsigned long>(insns);
    attr.license = reinterpret_cast<unsigned long>(license);
    return result_of(::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr), true);
}

std::string attempt_perf() {
    // A software clock of this process only, never enabled.
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return result_of(::syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0), true);
}

std::string attempt_userfaultfd() { return result_of(::syscall(SYS_userfaultfd, O_CLOEXEC), true); }

std::string attempt_io_uring() {
    io_uring_params params;
    std::memset(&params, 0, sizeof params);
    return result_of(::syscall(SYS_io_uring_setup, 1, &params), true);
}

std::string attempt_open_by_handle() {
    // The "shocker" call (2014): with CAP_DAC_READ_SEARCH a handle opens any
    // inode of the filesystem, outside the container's root. The handle here
    // is the one of our own "/" when the filesystem gives one, else garbage
    // that a kernel letting the call through refuses with ESTALE/EINVAL.
    alignas(file_handle) unsigned char storage[sizeof(file_handle) + MAX_HANDLE_SZ] = {};
    auto* fh = reinterpret_cast<file_handle*>(storage);
    fh->handle_bytes = MAX_HANDLE_SZ;
    int mount_id = 0;
    if (::name_to_handle_at(AT_FDCWD, "/", fh, &mount_id, 0) != 0) {
        fh->handle_bytes = 8;
        fh->handle_type = 1;
    }
    const int root = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return "setup-" + errno_name(errno);
    const std::string res = result_of(::open_by_handle_at(root, fh, O_RDONLY | O_CLOEXEC), true);
    ::close(root);
    return res;
}

std::string attempt_reboot() {
    // LINUX_REBOOT_CMD_CAD_OFF: in a pid namespace other than the initial
    // one the kernel answers EINVAL to everything but restart/halt/power
    // off (reboot_pid_ns), so it changes nothing even without a wall. On the
    // host it would switch Ctrl-Alt-Del off: refused outright there.
    if (!in_own_pid_namespace()) return "refused-not-in-a-pid-namespace";
    return result_of(::syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, nullptr));
}

std::string attempt_kexec() {
    // Descriptors that can't exist: EBADF if let through, nothing loaded.
    return result_of(::syscall(SYS_kexec_file_load, -1, -1, 0UL, nullptr, 0UL));
}

std::string attempt_swapon() { return result_of(::swapon("/nonexistent", 0)); }

std::string attempt_settimeofday() {
    // Neither time nor zone given: the kernel checks the permission and sets nothing.
    return result_of(::syscall(SYS_settimeofday, nullptr, nullptr));
}

std::string attempt_mknod_disk() {
    // Docker keeps CAP_MKNOD: making the node works; opening it is what the
    // device cgroup refuses (8:0 is the first SCSI/SATA disk). Opened
    // read-only and never read.
    const char* node = "/tmp/kubik-probe-sda";
    ::unlink(node);
    if (::mknod(node, S_IFBLK | 0600, makedev(8, 0)) != 0) return "mknod-" + errno_name(errno);
    const std::string res = result_of(::open(node, O_RDONLY | O_CLOEXEC), true);
    ::unlink(node);
    return res;
}

// Opens for writing and closes at once: never writes.
std::string open_for_writing(const char* path) { return result_of(::open(path, O_WRONLY | O_CLOEXEC), true); }

std::string attempt_kcore() {
    const int fd = ::open("/proc/kcore", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_name(errno);
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    const int e = errno;
    ::close(fd);
    if (n < 0) return errno_name(e);
    return n == 0 ? "empty" : "ok " + std::to_string(n);
}

std::string attempt_firmware() {
    DIR* d = ::opendir("/sys/firmware");
    if (!d) return errno_name(errno);
    int entries = 0;
    while (const dirent* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++entries;
    ::closedir(d);
    return entries == 0 ? "empty" : "ok " + std::to_string(entries);
}

std::string attempt_cgroup_release_agent() {
    // The first step of the release_agent escape (2019, CVE-2022-0492): a
    // v1 hierarchy of one's own, whose release_agent runs on the host. A
    // named hierarchy without controllers, unmounted at once; nothing written.
    const long r = ::mount("cgroup", "/mnt", "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "none,name=kubik-probe");
    const std::string res = result_of(r);
    if (r == 0) ::umount2("/mnt", MNT_DETACH);
    return res;
}

std::string attempt_proc_exe() {
    // CVE-2019-5736: runc, exec'd into the container, was PID 1's /proc/PID/exe
    // and a container could open it for writing. O_WRONLY without O_TRUNC,
    // closed at once: nothing written.
    return open_for_writing("/proc/1/exe");
}

struct DevIno {
    dev_t dev;
    ino_t ino;
    bool operator==(const DevIno&) const = default;
};
bool dev_ino_of(int fd, DevIno& out) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return false;
    out = {st.st_dev, st.st_ino};
    return true;
}

std::string attempt_leaked_fd() {
    // CVE-2024-21626: runc left a descriptor of the host's /sys/fs/cgroup
    // open into the container; `..` from it walks up the host's tree, since
    // the process's root only stops a walk that passes through it. So: from
    // every directory descriptor, go up until `..` is the directory itself;
    // if the walk never met our root, the descriptor is outside it.
    struct stat root_st;
    if (::stat("/", &root_st) != 0) return "setup-" + errno_name(errno);
    const DevIno root{root_st.st_dev, root_st.st_ino};
    DIR* fds = ::opendir("/proc/self/fd");
    if (!fds) return "setup-" + errno_name(errno);
    const int own = ::dirfd(fds);
    std::string found;
    while (const dirent* e = ::readdir(fds)) {
        if (e->d_name[0] == '.') continue;
        const int fd = std::atoi(e->d_name);
        if (fd == own) continue;
        struct stat st;
        if (::fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        int cur = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool met_root = false;
        for (int depth = 0; cur >= 0 && depth < 256; ++depth) {
            DevIno here{}, up{};
            const int parent = ::openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            const bool ok = parent >= 0 && dev_ino_of(cur, here) && dev_ino_of(parent, up);
            if (ok && here == root) met_root = true;
            ::close(cur);
            cur = parent;
            if (!ok || met_root || here == up) break;
        }
        if (cur >= 0) ::close(cur);
        if (!met_root) {
            char target[512] = {};
            const ssize_t n = ::readlink(("/proc/self/fd/" + std::string(e->d_name)).c_str(), target, sizeof target - 1);
            found += " " + std::string(e->d_name) + " " + (n > 0 ? std::string(target, static_cast<size_t>(n)) : "?");
        }
    }
    ::closedir(fds);
    return found.empty() ? "none" : "ok" + found;
}

std::string attempt_ptrace_outside(const char* arg) {
    // A host pid: in the container's pid namespace no such process exists.
    if (!arg) return "";
    const pid_t pid = static_cast<pid_t>(std::atoi(arg));
    if (pid <= 1) return "";
    const long r = ::ptrace(PTRACE_ATTACH, pid, nullptr, nullptr);
    if (r != 0) return errno_name(errno);
    // Got it (no wall): let it go at once, as it was.
    ::waitpid(pid, nullptr, __WALL);
    ::ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
    return "ok";
}

std::string attempt_setuid_nnp() { return "euid=" + std::to_string(::geteuid()); }

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: kubik-probe ATTEMPT [ARG]\n");
        return 2;
    }
    const std::string attempt = argv[1];
    const char* arg = argc > 2 ? argv[2] : nullptr;
    const std::map<std::string, std::function<std::string()>> attempts = {
        {"module", attempt_module},
        {"mount", attempt_mount},
        {"unshare-user", attempt_unshare_user},
        {"keyctl", attempt_keyctl},
        {"bpf", attempt_bpf},
        {"perf", attempt_perf},
        {"userfaultfd", attempt_userfaultfd},
        {"io-uring", attempt_io_uring},
        {"open-by-handle", attempt_open_by_handle},
        {"reboot", attempt_reboot},
        {"kexec", attempt_kexec},
        {"swapon", attempt_swapon},
        {"settimeofday", attempt_settimeofday},
        {"mknod-disk", attempt_mknod_disk},
        {"sysrq", [] { return open_for_writing("/proc/sysrq-trigger"); }},
        {"core-pattern", [] { return open_for_writing("/proc/sys/kernel/core_pattern"); }},
        {"kcore", attempt_kcore},
        {"firmware", attempt_firmware},
        {"cgroup-v1-release-agent", attempt_cgroup_release_agent},
        {"proc-exe", attempt_proc_exe},
        {"leaked-fd", attempt_leaked_fd},
        {"ptrace-outside", [arg] { return attempt_ptrace_outside(arg); }},
        {"setuid-nnp", attempt_setuid_nnp},
    };
    const auto it = attempts.find(attempt);
    if (it == attempts.end()) {
        std::fprintf(stderr, "kubik-probe: unknown attempt %s\n", attempt.c_str());
        return 2;
    }
    const std::string result = it->second();
    if (result.empty()) {
        std::fprintf(stderr, "kubik-probe: %s needs a pid > 1\n", attempt.c_str());
        return 2;
    }
    std::printf("%s %s\n", attempt.c_str(), result.c_str());
    return result.rfind("refused", 0) == 0 || result.rfind("setup-", 0) == 0 ? 2 : 0;
}
