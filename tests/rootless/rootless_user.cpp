#include "rootless_user.hpp"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

namespace kubik::test {
namespace {

void must(const RunResult& r) {
    if (r.exit_code != 0) throw std::runtime_error(r.describe());
}

// Whether every directory above `path` lets others through, and `path`
// itself lets them read and run it: can the user run it where it is?
bool reachable_by_others(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 05) != 05) return false;
    for (fs::path p = path.parent_path(); !p.empty(); p = p.parent_path()) {
        if (::stat(p.c_str(), &st) != 0 || (st.st_mode & 01) == 0) return false;
        if (p == p.parent_path()) break;
    }
    return true;
}

// Ranges already given in `file`, as [first, end).
std::vector<std::pair<unsigned long, unsigned long>> taken_ranges(const char* file) {
    std::vector<std::pair<unsigned long, unsigned long>> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        std::string name, first, count;
        if (std::getline(f, name, ':') && std::getline(f, first, ':') && std::getline(f, count))
            try {
                out.emplace_back(std::stoul(first), std::stoul(first) + std::stoul(count));
            } catch (const std::exception&) {
            }
    }
    return out;
}

// A range of 65536 ids no user has: far above the usual 100000+, chosen by
// pid so that tests running at once don't pick the same one.
unsigned long free_range() {
    auto taken = taken_ranges("/etc/subuid");
    auto more = taken_ranges("/etc/subgid");
    taken.insert(taken.end(), more.begin(), more.end());
    for (unsigned long slot = static_cast<unsigned long>(::getpid()) % 30000;; slot = (slot + 1) % 30000) {
        const unsigned long first = 2147483648UL + slot * 65536UL, end = first + 65536UL;
        bool overlaps = false;
        for (const auto& [a, b] : taken) overlaps = overlaps || (first < b && a < end);
        if (!overlaps) return first;
    }
}

bool unified_cgroups() {
    struct statfs st {};
    return ::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

void chown_path(const fs::path& p, uid_t uid) {
    if (::chown(p.c_str(), uid, uid) != 0) throw std::runtime_error("chown " + p.string());
}

} // namespace

RootlessUser::RootlessUser(bool with_ranges) {
    // kubik-hostports and kubik-rootless are nobody's children (kubik forks
    // twice): as a subreaper the test gets them back and reaps them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    name = "kbrl-" + std::to_string(::getpid());
    must(run({"/usr/sbin/useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin",
              // no range of login.defs's choosing: the test gives (or withholds) its own
              "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name}));
    auto id = run({"/usr/bin/id", "-u", name});
    must(id);
    uid = static_cast<uid_t>(std::stoul(id.out));
    try {
        if (with_ranges) {
            first = free_range();
            count = 65536;
            const std::string range = std::to_string(first) + "-" + std::to_string(first + count - 1);
            must(run({"/usr/sbin/usermod", "--add-subuids", range, "--add-subgids", range, name}));
        }
        // Below the test roots when the user can get there, else in /tmp.
        fs::path base = reachable_by_others(test_roots_dir()) ? test_roots_dir() : fs::path("/tmp");
        fs::create_directories(base);
        std::string templ = (base / "rootless-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp " + templ);
        dir_ = templ;
        ::chmod(dir_.c_str(), 0755);
        home = dir_ / "home";
        run_dir = dir_ / "run";
        for (const auto& d : {home, run_dir}) {
            fs::create_directory(d);
            ::chmod(d.c_str(), 0700);
            chown_path(d, uid);
        }
        state_root = home / ".local/share/kubik";
        // kubik, kubik-monitor and kubik-nft side by side, where the user
        // can run them: the build tree itself, or links to it.
        kubik_ = kubik_binary();
        if (!reachable_by_others(kubik_)) {
            fs::create_directory(dir_ / "bin");
            for (const char* tool : {"kubik", "kubik-monitor", "kubik-nft"}) {
                const fs::path from = fs::path(kubik_binary()).parent_path() / tool, to = dir_ / "bin" / tool;
                std::error_code ec;
                fs::create_hard_link(from, to, ec);
                if (ec) fs::copy_file(from, to);
            }
            kubik_ = dir_ / "bin/kubik";
        }
        if (unified_cgroups()) {
            // What systemd does for user@UID.service: a group of the
            // user's own, with the controllers enabled above it; the user's
            // commands run in a leaf below it ("session").
            delegated = test_cgroup_prefix() + "rootless-" + std::to_string(::getpid());
            const fs::path d = fs::path("/sys/fs/cgroup") / delegated;
            std::ofstream("/sys/fs/cgroup/cgroup.subtree_control") << "+memory +pids +cpu";
            fs::create_directory(d);
            fs::create_directory(d / "session");
            for (const fs::path& p : {d, d / "cgroup.procs", d / "cgroup.subtree_control", d / "cgroup.threads",
                                      d / "session", d / "session/cgroup.procs"})
                chown_path(p, uid);
        }
    } catch (...) {
        remove_everything();
        throw;
    }
}

RootlessUser::~RootlessUser() { remove_everything(); }

void RootlessUser::give_tun_device() {
    tun_ = dir_ / "tun";
    if (::mknod(tun_.c_str(), S_IFCHR | 0666, makedev(10, 200)) != 0 || ::chmod(tun_.c_str(), 0666) != 0)
        throw std::runtime_error("mknod " + tun_.string());
}

RunResult RootlessUser::kubik(const std::vector<std::string>& args, const RunOptions& options) const {
    std::string setup;
    // Into the session leaf first, as a login shell of the user would be.
    if (!delegated.empty()) setup += "echo $$ > /sys/fs/cgroup/" + delegated + "/session/cgroup.procs && ";
    if (!tun_.empty()) setup += "mount --bind " + tun_.string() + " /dev/net/tun && ";
    std::vector<std::string> argv;
    if (!tun_.empty()) argv = {"/usr/bin/unshare", "--mount", "--propagation", "private"};
    if (!setup.empty()) {
        argv.insert(argv.end(), {"/bin/sh", "-c", setup + "exec \"$@\"", "sh"});
    }
    for (const std::string& a : {std::string("/usr/sbin/runuser"), std::string("-u"), name, std::string("--"),
                                 std::string("/usr/bin/env"), std::string("-u"), std::string("XDG_DATA_HOME"),
                                 std::string("-u"), std::string("KUBIK_ROOT"), "HOME=" + home.string(),
                                 "XDG_RUNTIME_DIR=" + run_dir.string(), kubik_.string()})
        argv.push_back(a);
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, options);
}

pid_t RootlessUser::holder() const {
    auto text = read_text(run_dir / "kubik/rootless.pid");
    return text ? static_cast<pid_t>(std::atoi(text->c_str())) : 0;
}

void RootlessUser::remove_everything() noexcept {
    try {
        if (!dir_.empty() && holder() != 0) {
            auto ids = kubik({"ps", "-aq"});
            for (const auto& cid : lines_of(ids.out)) kubik({"rm", "-f", cid});
        }
    } catch (...) {
    }
    // Every process of the user and of its id range: kubik-hostports,
    // kubik-rootless, slirp4netns, containers, whatever they left.
    for (int round = 0; round < 50; ++round) {
        bool any = false;
        for (const auto& p : list_processes()) {
            struct stat st {};
            const std::string dir = "/proc/" + std::to_string(p.pid);
            if (::stat(dir.c_str(), &st) != 0) continue;
            const bool ours = st.st_uid == uid || (count != 0 && st.st_uid >= first && st.st_uid < first + count);
            if (uid != 0 && ours) {
                ::kill(p.pid, SIGKILL);
                any = true;
            }
        }
        reap_zombie_children();
        if (!any) break;
        ::usleep(20000);
    }
    if (!delegated.empty()) destroy_cgroup_tree(fs::path("/sys/fs/cgroup") / delegated);
    if (uid != 0) {
        run({"/usr/sbin/userdel", name}); // its group, and its /etc/subuid and /etc/subgid lines, go too
    }
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

} // namespace kubik::test
