#include "runtime/etc_files.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"
#include "volumes.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

namespace kubik {
namespace fs = std::filesystem;
namespace {

using HostLines = std::vector<std::pair<std::string, std::string>>;

// libnetwork's defaultContent, in its order.
constexpr const char* kLocalhostLines =
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "ff00::0\tip6-mcastprefix\n"
    "ff02::1\tip6-allnodes\n"
    "ff02::2\tip6-allrouters\n";

// "--add-host NAME:IP" as (ip, name). Docker's "host-gateway" is the
// gateway of the container's network; without one the line is left out.
HostLines extra_hosts_of(const ContainerSpec& spec) {
    HostLines lines;
    for (const auto& entry : spec.extra_hosts) {
        auto colon = entry.find(':');
        if (colon == std::string::npos) continue; // checked by `run`
        std::string ip = entry.substr(colon + 1);
        if (ip == "host-gateway") {
            if (!spec.lease) continue;
            ip = spec.lease->gateway.str();
        }
        lines.emplace_back(ip, entry.substr(0, colon));
    }
    return lines;
}

std::string own_ip(const ContainerSpec& spec) {
    return spec.network_mode == NetworkMode::Bridge && spec.lease ? spec.lease->address.address.str() : "";
}

bool is_loopback_nameserver(const std::string& address) {
    return address.starts_with("127.") || address == "::1";
}

// The value after "nameserver", or "" for any other line.
std::string nameserver_of(const std::string& line) {
    std::istringstream in(line);
    std::string word, address;
    if (!(in >> word) || word != "nameserver" || !(in >> address)) return "";
    return address;
}

// Writes `data` over the file at `path` in place: same inode, so that a
// bind mount of it sees the new text. A missing file is left missing.
void rewrite_in_place(const fs::path& path, const std::string& data) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return;
        throw_errno("open " + path.string());
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd.get(), data.data() + done, data.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("write " + path.string());
        done += static_cast<size_t>(n);
    }
    if (::ftruncate(fd.get(), static_cast<off_t>(data.size())) != 0) throw_errno("truncate " + path.string());
}

fs::path network_hosts_dir(const fs::path& root, const std::string& network) {
    return root / "networks" / network / "hosts";
}

// The network's hosts directory, made if missing and locked (flock) while
// this object lives: joins and leaves of one network never interleave.
class HostsLock {
public:
    explicit HostsLock(const fs::path& dir) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        fd_.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd_) throw_errno("open " + dir.string());
        while (::flock(fd_.get(), LOCK_EX) != 0)
            if (errno != EINTR) throw_errno("lock " + dir.string());
    }

private:
    UniqueFd fd_;
};

struct Member {
    std::string id, ip, name;
};

// The network's members, by name: one "IP NAME ID12" line per file.
std::vector<Member> read_members(const fs::path& dir) {
    std::vector<Member> members;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        Member m;
        m.id = entry.path().filename().string();
        try {
            std::istringstream in(read_file(entry.path()));
            if (!(in >> m.ip >> m.name)) continue;
        } catch (const std::exception&) {
            continue; // removed meanwhile by a sweep
        }
        members.push_back(std::move(m));
    }
    std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.name < b.name; });
    return members;
}

// Every member's hosts file: its own first part (hosts.base), then every
// member's "IP\tNAME". Call with the network's hosts directory locked.
void rewrite_members(const fs::path& root, const fs::path& dir) {
    const auto members = read_members(dir);
    std::string lines;
    for (const auto& m : members) lines += m.ip + "\t" + m.name + "\n";
    for (const auto& m : members) {
        const fs::path container = root / "containers" / m.id;
        std::string base;
        try {
            base = read_file(container / "hosts.base");
        } catch (const std::exception&) {
            continue; // gone, or never started
        }
        rewrite_in_place(container / "hosts", base + lines);
    }
}

// An O_PATH descriptor of `target` inside `root`, for when lesson 5's
// open_mount_target() is a stub: only an existing regular file of the image,
// found with every symlink resolved inside the root, never on /proc.
UniqueFd find_existing_file(int root, const std::string& target) {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root, target.c_str(), &how, sizeof how)));
    if (!fd) return fd;
    struct stat st {};
    struct statfs sfs {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || ::fstatfs(fd.get(), &sfs) != 0 ||
        sfs.f_type == PROC_SUPER_MAGIC)
        fd.reset();
    return fd;
}

// A plain bind of one file, for when lesson 5's bind_mount() is a stub.
void bind_file(int source, int target, const std::string& what) {
    UniqueFd tree(static_cast<int>(
        ::syscall(SYS_open_tree, source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)));
    if (!tree) throw_errno("bind " + what);
    if (::move_mount(tree.get(), "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw_errno("bind " + what);
}

// `under_user_mount`: the file would be in the user's volume or bind (-v
// data:/etc): only a file that is there already is covered, none is made
// in the user's data.
void mount_one_file(int root, const fs::path& source_path, const std::string& target_path, bool under_user_mount) {
    UniqueFd source(::open(source_path.c_str(), O_PATH | O_CLOEXEC));
    if (!source) {
        if (errno == ENOENT) return; // the host has none (no /etc/hosts): nothing to give
        throw_errno("open " + source_path.string());
    }
    UniqueFd target;
    if (under_user_mount) {
        target = find_existing_file(root, target_path);
        if (!target) return;
    } else {
        try {
            target = volumes::open_mount_target(root, target_path, /*directory=*/false);
        } catch (const NotImplemented&) {
            target = find_existing_file(root, target_path);
            if (!target) return;
        }
    }
    try {
        volumes::bind_mount(source.get(), target.get(), /*readonly=*/false, volumes::Propagation::RPrivate);
    } catch (const NotImplemented&) {
        bind_file(source.get(), target.get(), source_path.string() + " on " + target_path);
    }
}

} // namespace

std::string hosts_content(const std::string& ip, const std::string& hostname, const HostLines& extra,
                          const HostLines& members) {
    std::string text = kLocalhostLines;
    for (const auto& [address, names] : extra) text += address + "\t" + names + "\n";
    if (!ip.empty()) {
        // A dotted hostname is also known by its first label, as docker writes it.
        auto dot = hostname.find('.');
        text += ip + "\t" + hostname + (dot == std::string::npos ? "" : " " + hostname.substr(0, dot)) + "\n";
    }
    for (const auto& [address, names] : members) text += address + "\t" + names + "\n";
    return text;
}

std::string container_resolv_conf(const std::string& host) {
    std::string out;
    bool has_nameserver = false;
    std::istringstream in(host);
    for (std::string line; std::getline(in, line);) {
        const std::string address = nameserver_of(line);
        if (!address.empty()) {
            // The host's own resolver (systemd-resolved, dnsmasq) listens on
            // its loopback, which is not the container's; no IPv6 inside.
            if (is_loopback_nameserver(address) || address.find(':') != std::string::npos) continue;
            has_nameserver = true;
        }
        out += line + "\n";
    }
    if (!has_nameserver) out += "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
    return out;
}

std::string host_resolv_conf() {
    std::string text;
    try {
        text = read_file("/etc/resolv.conf");
    } catch (const std::exception&) {
        return "";
    }
    // Only systemd-resolved's stub: its real upstream servers are in its own file.
    bool only_stub = false;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const std::string address = nameserver_of(line);
        if (address.empty()) continue;
        if (address != "127.0.0.53") return text;
        only_stub = true;
    }
    if (only_stub) {
        try {
            return read_file("/run/systemd/resolve/resolv.conf");
        } catch (const std::exception&) {
        }
    }
    return text;
}

void write_etc_files(const ContainerSpec& spec, const fs::path& dir) {
    if (spec.network_mode == NetworkMode::Container) return;
    write_file(dir / "hostname", spec.hostname + "\n");
    if (spec.network_mode == NetworkMode::Host) return;
    const std::string hosts = hosts_content(own_ip(spec), spec.hostname, extra_hosts_of(spec));
    write_file(dir / "hosts", hosts);
    if (spec.lease && spec.network != "bridge") write_file(dir / "hosts.base", hosts);
    write_file(dir / "resolv.conf", container_resolv_conf(host_resolv_conf()));
}

void join_network_hosts(const fs::path& root, const ContainerSpec& spec) {
    if (spec.network_mode != NetworkMode::Bridge || !spec.lease || spec.network == "bridge") return;
    const fs::path dir = network_hosts_dir(root, spec.network);
    HostsLock lock(dir);
    write_file(dir / spec.id, spec.lease->address.address.str() + " " + spec.name + " " + spec.id.substr(0, 12) + "\n");
    rewrite_members(root, dir);
}

void leave_network_hosts(const fs::path& root, const std::string& network, const std::string& id) noexcept {
    if (network.empty() || network == "bridge") return;
    try {
        const fs::path dir = network_hosts_dir(root, network);
        if (!fs::exists(dir)) return;
        HostsLock lock(dir);
        if (::unlink((dir / id).c_str()) != 0 && errno == ENOENT) return; // left already
        rewrite_members(root, dir);
    } catch (const std::exception&) {
        // Best effort: the others keep a stale line until the next change.
    }
}

void mount_etc_files(const ContainerSpec& spec, const fs::path& container_dir, const fs::path& rootfs) {
    fs::path hosts = container_dir / "hosts", hostname = container_dir / "hostname",
             resolv = container_dir / "resolv.conf";
    switch (spec.network_mode) {
    case NetworkMode::Bridge:
    case NetworkMode::None: break;
    case NetworkMode::Host:
        hosts = "/etc/hosts";
        resolv = "/etc/resolv.conf";
        break;
    case NetworkMode::Container: {
        // Docker: a container that joins another's network shares its files too.
        const fs::path other = container_dir.parent_path() / spec.network;
        hosts = other / "hosts";
        hostname = other / "hostname";
        resolv = other / "resolv.conf";
        break;
    }
    }
    const UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open the container's root " + rootfs.string());
    const std::pair<const fs::path*, const char*> binds[] = {
        {&hosts, "/etc/hosts"}, {&hostname, "/etc/hostname"}, {&resolv, "/etc/resolv.conf"}};
    const bool etc_mounted = std::any_of(spec.mounts.begin(), spec.mounts.end(),
                                         [](const ContainerMount& m) { return m.mount.target == "/etc"; });
    for (const auto& [source, target] : binds) {
        const std::string path = target;
        // The user's -v on the same path wins, as in docker.
        const bool user_mounted = std::any_of(spec.mounts.begin(), spec.mounts.end(),
                                              [&](const ContainerMount& m) { return m.mount.target == path; });
        if (!user_mounted) mount_one_file(root.get(), *source, path, etc_mounted);
    }
}

} // namespace kubik
