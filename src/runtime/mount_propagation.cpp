#include "runtime/mount_propagation.hpp"

#include "core/error.hpp"
#include "runtime/host_info.hpp"
#include "runtime/rootfs_mount.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <set>

namespace kubik {
namespace {

using volumes::MountType;
using volumes::Propagation;

bool asks(const ContainerMount& m, std::initializer_list<Propagation> kinds) {
    return m.mount.type == MountType::Bind &&
           std::find(kinds.begin(), kinds.end(), m.mount.propagation) != kinds.end();
}

// `path` is `dir` or below it, comparing whole components.
bool is_within(const std::filesystem::path& path, const std::string& dir) {
    const std::string p = path.lexically_normal().string();
    if (dir == "/") return true;
    return p == dir || (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/');
}

// The mount that holds `path`: the last (topmost) of those with the longest
// mount point above it. mountinfo lists a mount after the one it covers.
std::size_t holding_mount(const std::vector<host::MountInfo>& mounts, const std::filesystem::path& path) {
    std::size_t best = mounts.size(), best_length = 0;
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        const auto& mp = mounts[i].mount_point;
        if (is_within(path, mp) && (best == mounts.size() || mp.size() >= best_length))
            best = i, best_length = mp.size();
    }
    return best;
}

std::vector<host::MountInfo> own_mounts() {
    std::ifstream in("/proc/self/mountinfo");
    if (!in) throw_errno("read /proc/self/mountinfo");
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    return host::parse_mountinfo(text);
}

void make_shared_sources_peers(const ContainerSpec& spec, const std::filesystem::path& rootfs) {
    const auto mounts = own_mounts();
    std::set<std::size_t> kept;
    for (const auto& m : spec.mounts) {
        if (!asks(m, {Propagation::Shared, Propagation::RShared})) continue;
        const std::size_t holder = holding_mount(mounts, m.host_path);
        if (holder == mounts.size()) throw Error("no mount holds " + m.host_path.string(), kExitRuntimeError);
        if (host::propagation_of(mounts[holder]).find("shared") == std::string::npos)
            throw Error("path " + m.host_path.string() + " is mounted on " + mounts[holder].mount_point +
                            " but it is not a shared mount",
                        kExitRuntimeError);
        // The root's parent mount never stays shared: see the header.
        if (!is_within(rootfs, mounts[holder].mount_point)) kept.insert(holder);
        if (m.mount.propagation != Propagation::RShared) continue;
        for (std::size_t i = 0; i < mounts.size(); ++i)
            if (is_within(mounts[i].mount_point, m.host_path.string()) && !is_within(rootfs, mounts[i].mount_point))
                kept.insert(i);
    }
    // One mount at a time (no MS_REC), so the kept ones stay peers of the
    // host's. A mount hidden under another at the same mount point can't be
    // named by a path and keeps its type; nothing is mounted onto it.
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        if (kept.count(i)) continue;
        const auto& mp = mounts[i].mount_point;
        if (::mount(nullptr, mp.c_str(), nullptr, MS_SLAVE, nullptr) != 0 && errno != ENOENT)
            throw_errno("make " + mp + " a slave mount");
    }
}

} // namespace

void set_mount_propagation(const ContainerSpec& spec, const std::filesystem::path& rootfs) {
    const bool shared = std::any_of(spec.mounts.begin(), spec.mounts.end(), [](const ContainerMount& m) {
        return asks(m, {Propagation::Shared, Propagation::RShared});
    });
    const bool slave = std::any_of(spec.mounts.begin(), spec.mounts.end(), [](const ContainerMount& m) {
        return asks(m, {Propagation::Slave, Propagation::RSlave});
    });
    if (shared) make_shared_sources_peers(spec, rootfs);
    else if (slave) make_mounts_slave();
    else make_mounts_private();
}

} // namespace kubik
