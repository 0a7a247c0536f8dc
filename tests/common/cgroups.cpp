// The host's cgroup filesystems as the tests see them, and the removal of a
// test's own cgroup parent. Read straight from /proc/self/mountinfo and
// /proc/PID/cgroup (cgroups(7)), never through lesson 3's code.
#include "kubik_test.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <thread>

namespace kubik::test {
namespace {

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string part; std::getline(in, part, sep);) out.push_back(part);
    return out;
}

// The super options of a mountinfo line: the third field after " - ".
std::string super_options(const std::string& line) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) return "";
    std::istringstream tail(line.substr(dash + 3));
    std::string type, source, options;
    tail >> type >> source >> options;
    return options;
}

}  // namespace

std::vector<CgroupMount> cgroup_mounts() {
    std::vector<CgroupMount> out;
    for (const auto& m : mounts_of("self")) {
        if (m.fs_type != "cgroup" && m.fs_type != "cgroup2") continue;
        CgroupMount c;
        c.mount_point = m.mount_point;
        c.v2 = m.fs_type == "cgroup2";
        if (!c.v2)
            for (const auto& opt : split(super_options(m.line), ','))
                if (opt != "rw" && opt != "ro" && opt.find('=') == std::string::npos) c.controllers.insert(opt);
        out.push_back(c);
    }
    return out;
}

CgroupHost cgroup_host() {
    CgroupHost host;
    for (const auto& m : cgroup_mounts()) {
        if (m.v2) {
            if (host.unified.empty()) host.unified = m.mount_point;
            continue;
        }
        for (const auto& c : m.controllers)
            if (!host.v1_mounts.count(c)) host.v1_mounts[c] = m.mount_point;
    }
    host.v1 = host.v1_mounts.count("memory") || host.v1_mounts.count("pids");
    host.hybrid = host.v1 && !host.unified.empty();
    return host;
}

fs::path CgroupHost::dir(const std::string& controller, const fs::path& relative) const {
    if (!v1) return unified / relative;
    auto it = v1_mounts.find(controller);
    return it == v1_mounts.end() ? fs::path() : it->second / relative;
}

std::vector<fs::path> CgroupHost::dirs(const fs::path& relative) const {
    std::vector<fs::path> out;
    for (const char* c : {"memory", "cpu", "cpuacct", "pids"}) {
        fs::path d = dir(c, relative);
        if (!d.empty() && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    }
    return out;
}

std::string CgroupHost::describe() const {
    std::string s = v1 ? (hybrid ? "cgroup v1 (hybrid host, cgroup2 at " + unified.string() + ")" : "cgroup v1")
                       : "cgroup v2 at " + unified.string();
    if (v1) {
        s += ":";
        for (const auto& [c, m] : v1_mounts) s += " " + c + "=" + m.string();
    }
    return s;
}

std::string cgroup_of(pid_t pid, const std::string& controller) {
    auto text = read_text("/proc/" + std::to_string(pid) + "/cgroup");
    if (!text) return "";
    const bool v1 = cgroup_host().v1;
    // "4:memory:/kubik/ID" (v1), "0::/kubik/ID" (v2)
    for (const auto& line : split(*text, '\n')) {
        auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        auto controllers = split(line.substr(first + 1, second - first - 1), ',');
        bool match = v1 ? std::find(controllers.begin(), controllers.end(), controller) != controllers.end()
                        : line.substr(0, first) == "0" && controllers.empty();
        if (match) return line.substr(second + 1);
    }
    return "";
}

std::vector<fs::path> cgroups_below(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec)) out.push_back(it->path());
    // Deepest first: a cgroup can only be removed once its children are gone.
    std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
        return a.native().size() > b.native().size();
    });
    return out;
}

std::vector<pid_t> pids_in_cgroup_tree(const fs::path& dir) {
    std::vector<pid_t> out;
    auto dirs = cgroups_below(dir);
    dirs.push_back(dir);
    for (const auto& d : dirs) {
        std::istringstream procs(read_text(d / "cgroup.procs").value_or(""));
        for (long pid; procs >> pid;) out.push_back(static_cast<pid_t>(pid));
    }
    return out;
}

std::vector<std::string> destroy_cgroup_tree(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return {};
    // A cgroup holding processes can't be removed: kill them, collect the
    // ones that were re-parented to us, and try again for up to 5 s.
    for (int round = 0; round < 250; ++round) {
        for (pid_t pid : pids_in_cgroup_tree(dir))
            if (pid != ::getpid()) ::kill(pid, SIGKILL);
        reap_zombie_children();
        auto dirs = cgroups_below(dir);
        dirs.push_back(dir);
        for (const auto& d : dirs) ::rmdir(d.c_str());
        if (!fs::exists(dir, ec)) return {};
        std::this_thread::sleep_for(20ms);
    }
    std::vector<std::string> left;
    auto dirs = cgroups_below(dir);
    dirs.push_back(dir);
    for (const auto& d : dirs) {
        if (::rmdir(d.c_str()) == 0 || errno == ENOENT) continue;
        std::string why = std::strerror(errno);
        std::string pids;
        std::istringstream procs(read_text(d / "cgroup.procs").value_or(""));
        for (std::string pid; procs >> pid;) pids += " " + pid;
        left.push_back("could not remove cgroup " + d.string() + ": " + why +
                       (pids.empty() ? "" : " (processes still in it:" + pids + ")"));
    }
    return left;
}

std::string test_cgroup_prefix() {
    // kubik-course (check/status/watch/grade) gives each run a prefix of its
    // own, so it can remove the cgroups of a test it had to kill.
    if (const char* given = std::getenv("KUBIK_TEST_CGROUP_PREFIX"); given && *given) {
        const std::string prefix = given;
        const bool safe = prefix.starts_with("kubik-") && prefix.size() < 64 &&
                          prefix.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
        if (safe) return prefix;
    }
    return "kubik-test-" + build_tag() + "-";
}

std::string build_tag() {
    // FNV-1a of the test-roots path: stable for one build, distinct between builds.
    uint32_t hash = 2166136261u;
    for (unsigned char c : test_roots_dir().string()) hash = (hash ^ c) * 16777619u;
    char tag[16];
    std::snprintf(tag, sizeof tag, "%08x", hash);
    return tag;
}

}  // namespace kubik::test
