#include "cgroup_sweep.hpp"

#include "tree_ops.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

// Every cgroup below `dir`, deepest first: the order rmdir needs, because a
// cgroup with children can't be removed.
std::vector<fs::path> cgroups_below(const fs::path& dir) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec)) found.push_back(it->path());
    }
    std::sort(found.begin(), found.end(),
              [](const fs::path& a, const fs::path& b) { return a.native().size() > b.native().size(); });
    return found;
}

std::vector<pid_t> pids_in(const fs::path& dir) {
    std::vector<pid_t> pids;
    std::ifstream procs(dir / "cgroup.procs");
    for (long pid; procs >> pid;) pids.push_back(static_cast<pid_t>(pid));
    return pids;
}

// Removes one cgroup tree, killing what is in it. A killed process leaves
// its cgroup only once it is reaped: the ones that are our children (orphans
// re-parented to us while we are a subreaper) are reaped here, by pid, so a
// sibling thread's own child is never taken; others by their parents. Tries
// for up to 5 s.
std::vector<std::string> destroy(const fs::path& top) {
    std::error_code ec;
    for (int round = 0; round < 250; ++round) {
        auto dirs = cgroups_below(top);
        dirs.push_back(top);
        for (const auto& dir : dirs) {
            for (const pid_t pid : pids_in(dir)) {
                if (pid == getpid()) continue;
                kill(pid, SIGKILL);
                waitpid(pid, nullptr, WNOHANG);
            }
        }
        for (const auto& dir : dirs) rmdir(dir.c_str());
        if (!fs::exists(top, ec)) return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::vector<std::string> left;
    auto dirs = cgroups_below(top);
    dirs.push_back(top);
    for (const auto& dir : dirs) {
        if (rmdir(dir.c_str()) == 0 || errno == ENOENT) continue;
        const std::string why = std::strerror(errno);
        std::string pids;
        for (const pid_t pid : pids_in(dir)) pids.append(" ").append(std::to_string(pid));
        left.push_back("could not remove cgroup " + dir.string() + ": " + why +
                       (pids.empty() ? "" : " (processes still in it:" + pids + ")"));
    }
    return left;
}

} // namespace

std::string fresh_cgroup_prefix() {
    std::random_device random;
    char tag[16];
    std::snprintf(tag, sizeof tag, "%08x", random());
    return std::string("kubik-run-") + tag + "-";
}

std::vector<fs::path> cgroup_roots() {
    std::vector<fs::path> roots;
    for (const auto& mount : read_mountinfo()) {
        if (mount.type != "cgroup" && mount.type != "cgroup2") continue;
        if (std::find(roots.begin(), roots.end(), mount.point) == roots.end()) roots.push_back(mount.point);
    }
    return roots;
}

std::vector<std::string> remove_cgroups_with_prefix(const std::string& prefix, const std::vector<fs::path>& roots) {
    if (!prefix.starts_with("kubik-") || prefix.size() < 12 || prefix.find('/') != std::string::npos) {
        throw std::invalid_argument("refusing to sweep cgroups with the prefix \"" + prefix + "\"");
    }
    std::vector<std::string> left;
    for (const auto& root : roots) {
        std::error_code ec;
        for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
            if (!it->is_directory(ec) || !it->path().filename().string().starts_with(prefix)) continue;
            const auto problems = destroy(it->path());
            left.insert(left.end(), problems.begin(), problems.end());
        }
    }
    return left;
}

} // namespace kubik::course
