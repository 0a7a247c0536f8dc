#include "network/network_store.hpp"

#include "container/container_state.hpp"
#include "container/container_store.hpp"
#include "container/naming.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/unique_fd.hpp"
#include "net/nft.hpp"
#include "network/bridge.hpp"
#include "network/subnet_pool.hpp"
#include "rootless/rootless_mode.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace kubik {
namespace {

// One lock for every state root of the host: two roots choosing a subnet at
// once would both see it free.
constexpr const char* kMetadata = "network.json";
constexpr std::string_view kNewPrefix = ".new-";
constexpr std::string_view kGonePrefix = ".gone-";
constexpr std::string_view kTempPrefix = ".tmp-";

void make_dirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("create " + dir.string() + ": " + ec.message());
}

// flock(2) held while the object lives; the kernel lets go on kill -9.
class FileLock {
public:
    FileLock(const fs::path& path, int operation) {
        fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        if (!fd_) throw_errno("open " + path.string());
        while (::flock(fd_.get(), operation) != 0)
            if (errno != EINTR) throw_errno("lock " + path.string());
    }

private:
    UniqueFd fd_;
};

FileLock global_lock() {
    // /run/kubik, or a rootless user's own directory: their networks live
    // in their own network namespace, out of root's way.
    const fs::path dir = rootless::locks_dir();
    make_dirs(dir);
    return FileLock(dir / "network.lock", LOCK_EX);
}

// Undoes a step of a creation unless dismissed: nothing half-made is left.
class Undo {
public:
    explicit Undo(std::function<void()> undo) : undo_(std::move(undo)) {}
    Undo(const Undo&) = delete;
    Undo& operator=(const Undo&) = delete;
    ~Undo() {
        if (!undo_) return;
        try {
            undo_();
        } catch (const std::exception&) {
        }
    }
    void dismiss() { undo_ = nullptr; }

private:
    std::function<void()> undo_;
};

std::string unique_suffix() { return std::to_string(::getpid()) + "-" + generate_container_id().substr(0, 8); }

nlohmann::json to_json(const Network& network) {
    return {{"Name", network.name},
            {"Id", network.id},
            {"Driver", "bridge"},
            {"Subnet", network.subnet.str()},
            {"Gateway", network.gateway.str()},
            {"Bridge", network.bridge},
            {"MTU", network.mtu},
            {"Created", network.created},
            {"Labels", network.labels}};
}

std::optional<Network> read_network(const fs::path& dir) {
    std::string text;
    try {
        text = read_file(dir / kMetadata);
    } catch (const Error&) {
        return std::nullopt;
    }
    try {
        auto doc = nlohmann::json::parse(text);
        Network network;
        network.name = doc.at("Name").get<std::string>();
        network.id = doc.at("Id").get<std::string>();
        network.bridge = doc.at("Bridge").get<std::string>();
        auto subnet = net::Ipv4Prefix::parse(doc.at("Subnet").get<std::string>());
        auto gateway = net::Ipv4Address::parse(doc.at("Gateway").get<std::string>());
        if (!subnet || !gateway) return std::nullopt;
        network.subnet = *subnet;
        network.gateway = *gateway;
        network.mtu = doc.value("MTU", 1500u);
        network.created = doc.value("Created", "");
        network.labels = doc.value("Labels", std::map<std::string, std::string>{});
        return network;
    } catch (const std::exception&) {
        return std::nullopt; // a bad edit: not a network kubik can use
    }
}

// A lease file: the container's id, then the pid and start time of the
// process that took it (a `run` still starting its container).
struct LeaseFile {
    std::string container_id;
    pid_t pid = 0;
    std::uint64_t start_time = 0;
};

std::string lease_text(const std::string& container_id) {
    const pid_t self = ::getpid();
    return container_id + "\n" + std::to_string(self) + " " + std::to_string(process_start_time(self)) + "\n";
}

std::optional<LeaseFile> read_lease(const fs::path& path) {
    std::string text;
    try {
        text = read_file(path);
    } catch (const Error&) {
        return std::nullopt;
    }
    std::istringstream in(text);
    LeaseFile lease;
    if (!std::getline(in, lease.container_id) || lease.container_id.empty()) return std::nullopt;
    in >> lease.pid >> lease.start_time;
    return lease;
}

bool allocator_alive(const LeaseFile& lease) {
    return lease.pid > 0 && lease.start_time != 0 && process_start_time(lease.pid) == lease.start_time;
}

// The leases of the network in `dir`: file name (the address) -> its content.
std::map<std::string, LeaseFile> read_leases(const fs::path& dir) {
    std::map<std::string, LeaseFile> leases;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir / "leases", ec)) {
        const std::string name = entry.path().filename().string();
        if (!net::Ipv4Address::parse(name)) continue;
        if (auto lease = read_lease(entry.path())) leases.emplace(name, std::move(*lease));
    }
    return leases;
}

void remove_hosts_entries(const fs::path& network_dir, const std::string& id_prefix) noexcept {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(network_dir / "hosts", ec))
        if (!id_prefix.empty() && entry.path().filename().string().starts_with(id_prefix))
            fs::remove(entry.path(), ec);
}

// The pid in a temp entry's name ("….new-NAME-PID-RAND", ".tmp-PID-RAND").
pid_t maker_of(const std::string& entry) {
    const auto last = entry.rfind('-');
    if (last == std::string::npos || last == 0) return 0;
    const auto before = entry.rfind('-', last - 1);
    if (before == std::string::npos) return 0;
    try {
        return static_cast<pid_t>(std::stol(entry.substr(before + 1, last - before - 1)));
    } catch (const std::exception&) {
        return 0;
    }
}

bool maker_alive(const std::string& entry) {
    const pid_t pid = maker_of(entry);
    return pid > 0 && process_start_time(pid) != 0;
}

} // namespace

NetworkStore::NetworkStore(fs::path root) : root_(std::move(root)) {}

bool NetworkStore::valid_name(const std::string& name) {
    if (name.empty() || name.size() > 128) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
    }
    return true;
}

std::string NetworkStore::mac_address(net::Ipv4Address address) {
    char text[18];
    std::snprintf(text, sizeof text, "02:42:%02x:%02x:%02x:%02x", (address.value >> 24) & 0xff,
                  (address.value >> 16) & 0xff, (address.value >> 8) & 0xff, address.value & 0xff);
    return text;
}

std::optional<Network> NetworkStore::find(const std::string& name_or_id) const {
    if (name_or_id.empty()) return std::nullopt;
    if (valid_name(name_or_id))
        if (auto network = read_network(dir(name_or_id))) return network;
    std::vector<Network> matches;
    for (auto& network : list()) {
        if (network.id == name_or_id) return network;
        if (network.id.starts_with(name_or_id)) matches.push_back(std::move(network));
    }
    if (matches.size() > 1)
        throw Error("network " + name_or_id + " is ambiguous (" + std::to_string(matches.size()) +
                        " matches found based on ID prefix)",
                    kExitGeneric);
    if (matches.empty()) return std::nullopt;
    return matches.front();
}

std::vector<Network> NetworkStore::list() const {
    std::vector<Network> all;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "networks", ec)) {
        if (!valid_name(entry.path().filename().string())) continue;
        if (auto network = read_network(entry.path())) all.push_back(std::move(*network));
    }
    std::sort(all.begin(), all.end(), [](const Network& a, const Network& b) {
        if (a.is_default() != b.is_default()) return a.is_default();
        return a.name < b.name;
    });
    return all;
}

// Makes the network's directory, bridge and rules, all or nothing. Called
// with the global lock and the store's lock (exclusive) held.
static void materialise(const NetworkStore& store, const net::RouteSocket& sock, const Network& network) {
    const fs::path networks = store.root() / "networks";
    const fs::path building = networks / (std::string(kNewPrefix) + network.name + "-" + unique_suffix());
    make_dirs(building / "leases");
    make_dirs(building / "hosts");
    Undo discard([&] { remove_tree_quietly(building); });
    write_file(building / kMetadata, to_json(network).dump(2) + "\n", /*durable=*/true);

    bridge::create(sock, network);
    Undo unplug([&] { bridge::remove(sock, network.bridge); });
    const std::string table = nft::table_name(store.root());
    nft::apply(bridge::rules(network, table));
    Undo unrule([&] { nft::remove_owner(table, bridge::rules_owner(network)); });

    if (::rename(building.c_str(), store.dir(network.name).c_str()) != 0)
        throw_errno("create network " + network.name);
    unrule.dismiss();
    unplug.dismiss();
    discard.dismiss();
}

// The subnets in use: the host's routes and addresses, and this root's
// networks (their bridges may be gone).
static std::vector<net::Ipv4Prefix> used_prefixes(const NetworkStore& store, const net::RouteSocket& sock) {
    auto used = subnet_pool::host_prefixes(sock);
    for (const auto& network : store.list()) used.push_back(network.subnet);
    return used;
}

Network NetworkStore::create(const std::string& name, const NetworkOptions& options) {
    if (name == "bridge" || name == "host" || name == "none")
        throw Error("operation is not permitted on predefined " + name + " network", kExitGeneric);
    if (!valid_name(name))
        throw Error("invalid network name \"" + name + "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
                    kExitGeneric);
    if (options.gateway && !options.subnet)
        throw Error("every ip-range or gateway must have a corresponding subnet", kExitGeneric);
    std::optional<net::Ipv4Prefix> subnet = options.subnet;
    if (subnet) {
        subnet->address = subnet->network();
        if (subnet->length > 30) throw Error("invalid subnet " + subnet->str() + ": no room for containers", kExitGeneric);
    }
    if (options.gateway) {
        const auto gw = *options.gateway;
        if (!subnet->contains(gw) || gw == subnet->network() || gw == subnet->broadcast())
            throw Error("no matching subnet for gateway " + gw.str(), kExitGeneric);
    }

    auto global = global_lock();
    make_dirs(root_ / "networks");
    FileLock store_lock(root_ / "networks" / ".lock", LOCK_EX);
    if (read_network(dir(name))) throw Error("network with name " + name + " already exists", kExitGeneric);

    net::RouteSocket sock;
    const auto used = used_prefixes(*this, sock);
    if (subnet) {
        if (subnet_pool::overlaps_any(*subnet, used))
            throw Error("Pool overlaps with other one on this address space", kExitGeneric);
    } else {
        subnet = subnet_pool::choose(used);
        if (!subnet)
            throw Error("could not find an available, non-overlapping IPv4 address pool among the defaults to "
                        "assign to the network",
                        kExitGeneric);
    }
    Network network;
    network.name = name;
    network.id = generate_container_id();
    network.bridge = bridge::user_name(network.id);
    network.subnet = *subnet;
    network.gateway = options.gateway ? *options.gateway : net::Ipv4Address{subnet->network().value + 1};
    network.mtu = subnet_pool::host_mtu(sock);
    network.created = now_rfc3339();
    network.labels = options.labels;
    materialise(*this, sock, network);
    return network;
}

Network NetworkStore::ensure_default() {
    if (auto network = read_network(dir("bridge"))) {
        ensure_bridge(*network);
        return *network;
    }
    auto global = global_lock();
    make_dirs(root_ / "networks");
    FileLock store_lock(root_ / "networks" / ".lock", LOCK_EX);
    net::RouteSocket sock;
    if (auto network = read_network(dir("bridge"))) {
        if (!bridge::exists(sock, network->bridge)) {
            bridge::create(sock, *network);
            const std::string table = nft::table_name(root_);
            nft::remove_owner(table, bridge::rules_owner(*network));
            nft::apply(bridge::rules(*network, table));
        }
        return *network;
    }
    Network network;
    network.name = "bridge";
    network.bridge = bridge::default_name(root_);
    // A bridge by our name without its network.json: what a removed state
    // root left. It is kubik's by its name; made again from scratch.
    if (bridge::remove(sock, network.bridge))
        nft::remove_owner(nft::table_name(root_), bridge::rules_owner(network));
    auto subnet = subnet_pool::choose(used_prefixes(*this, sock));
    if (!subnet)
        throw Error("could not find an available, non-overlapping IPv4 address pool among the defaults to assign "
                    "to the network");
    network.id = generate_container_id();
    network.subnet = *subnet;
    network.gateway = {subnet->network().value + 1};
    network.mtu = subnet_pool::host_mtu(sock);
    network.created = now_rfc3339();
    materialise(*this, sock, network);
    return network;
}

void NetworkStore::ensure_bridge(const Network& network) {
    net::RouteSocket sock;
    if (bridge::exists(sock, network.bridge)) return; // the common case: one request
    auto global = global_lock();
    auto current = read_network(dir(network.name));
    if (!current || current->id != network.id) throw Error("network " + network.name + " not found");
    if (bridge::exists(sock, current->bridge)) return; // made meanwhile
    bridge::create(sock, *current);
    Undo unplug([&] { bridge::remove(sock, current->bridge); });
    const std::string table = nft::table_name(root_);
    nft::remove_owner(table, bridge::rules_owner(*current)); // whatever a lost bridge left
    nft::apply(bridge::rules(*current, table));
    unplug.dismiss();
}

void NetworkStore::remove(const std::string& name_or_id) {
    if (name_or_id == "bridge" || name_or_id == "host" || name_or_id == "none")
        throw Error(name_or_id + " is a pre-defined network and cannot be removed", kExitGeneric);
    auto found = find(name_or_id);
    if (!found) throw Error("network " + name_or_id + " not found", kExitGeneric);
    if (found->is_default())
        throw Error(found->name + " is a pre-defined network and cannot be removed", kExitGeneric);
    sweep();
    auto global = global_lock();
    FileLock store_lock(root_ / "networks" / ".lock", LOCK_EX);
    auto network = read_network(dir(found->name));
    if (!network || network->id != found->id) throw Error("network " + name_or_id + " not found", kExitGeneric);
    if (!read_leases(dir(network->name)).empty())
        throw Error("error while removing network: network " + network->name + " id " + network->id +
                        " has active endpoints",
                    kExitGeneric);
    const std::string table = nft::table_name(root_);
    nft::remove_owner(table, bridge::rules_owner(*network));
    net::RouteSocket sock;
    bridge::remove(sock, network->bridge);
    const fs::path gone = root_ / "networks" / (std::string(kGonePrefix) + network->name + "-" + unique_suffix());
    if (::rename(dir(network->name).c_str(), gone.c_str()) != 0) throw_errno("remove network " + network->name);
    remove_tree_quietly(gone);
    try {
        nft::remove_table_if_empty(table);
    } catch (const std::exception&) {
        // The network is gone; an empty table left is harmless.
    }
}

void NetworkStore::remove_all() noexcept {
    try {
        const auto networks = list();
        if (networks.empty()) return; // nothing made: no lock, no helper started
        auto global = global_lock();
        net::RouteSocket sock;
        const std::string table = nft::table_name(root_);
        for (const auto& network : networks) {
            try {
                nft::remove_owner(table, bridge::rules_owner(network));
            } catch (const std::exception&) {
            }
            try {
                bridge::remove(sock, network.bridge);
            } catch (const std::exception&) {
            }
            remove_tree_quietly(dir(network.name));
        }
        nft::remove_table_if_empty(table);
    } catch (const std::exception&) {
    }
}

NetworkLease NetworkStore::allocate(const Network& network, const std::string& container_id) {
    make_dirs(root_ / "networks");
    FileLock store_lock(root_ / "networks" / ".lock", LOCK_SH);
    const fs::path net_dir = dir(network.name);
    auto current = read_network(net_dir);
    if (!current || current->id != network.id) throw Error("network " + network.name + " not found");
    const fs::path leases = net_dir / "leases";
    make_dirs(leases);
    std::set<std::uint32_t> taken;
    for (const auto& [address, lease] : read_leases(net_dir)) taken.insert(net::Ipv4Address::parse(address)->value);

    // Written whole aside, then linked in: link(2) fails with EEXIST when
    // the address is taken (as O_EXCL would), and a reader never sees a
    // lease without its content.
    const fs::path temp = leases / (std::string(kTempPrefix) + unique_suffix());
    write_file(temp, lease_text(container_id));
    Undo drop([&] { fs::remove(temp); });
    const net::Ipv4Prefix& subnet = current->subnet;
    for (std::uint32_t a = subnet.network().value + 1; a < subnet.broadcast().value; ++a) {
        if (a == current->gateway.value || taken.count(a)) continue;
        const net::Ipv4Address address{a};
        if (::link(temp.c_str(), (leases / address.str()).c_str()) != 0) {
            if (errno == EEXIST) continue; // another `run` was quicker
            throw_errno("take the address " + address.str() + " on network " + network.name);
        }
        NetworkLease lease;
        lease.network = current->name;
        lease.network_id = current->id;
        lease.bridge = current->bridge;
        lease.address = {address, subnet.length};
        lease.gateway = current->gateway;
        lease.mac = mac_address(address);
        lease.mtu = current->mtu;
        lease.host_veth = "kv" + container_id.substr(0, 13);
        return lease;
    }
    throw Error("no available addresses on network " + network.name);
}

void NetworkStore::release(const NetworkLease& lease) noexcept {
    try {
        const fs::path net_dir = dir(lease.network);
        const std::string id_prefix = lease.host_veth.size() > 2 ? lease.host_veth.substr(2) : "";
        FileLock store_lock(root_ / "networks" / ".lock", LOCK_EX);
        const fs::path path = net_dir / "leases" / lease.address.address.str();
        // Only our own: the address may have gone to another container since.
        if (auto held = read_lease(path); held && (id_prefix.empty() || held->container_id.starts_with(id_prefix)))
            ::unlink(path.c_str());
        remove_hosts_entries(net_dir, id_prefix);
    } catch (const std::exception&) {
    }
}

// What a creator or remover killed half-way left: a .new-* network (with
// its bridge and rules, perhaps), a .gone-* one, a lease's temp file.
static void sweep_debris(const fs::path& root) {
    const fs::path networks = root / "networks";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(networks, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(kNewPrefix) && !name.starts_with(kGonePrefix)) {
            std::error_code ec2;
            for (const auto& temp : fs::directory_iterator(entry.path() / "leases", ec2)) {
                const std::string t = temp.path().filename().string();
                if (t.starts_with(kTempPrefix) && !maker_alive(t)) fs::remove(temp.path(), ec2);
            }
            continue;
        }
        if (maker_alive(name)) continue;
        try {
            auto global = global_lock();
            if (auto network = read_network(entry.path()); network && name.starts_with(kNewPrefix)) {
                // Its bridge is ours only if no finished network has it.
                auto finished = read_network(networks / network->name);
                if (!finished || finished->id != network->id) {
                    net::RouteSocket sock;
                    bridge::remove(sock, network->bridge); // named by its own id
                    // The rules are named by the network's name: another's if
                    // a network by that name was made since.
                    if (!finished) nft::remove_owner(nft::table_name(root), bridge::rules_owner(*network));
                }
            }
        } catch (const std::exception&) {
        }
        remove_tree_quietly(entry.path());
    }
}

void NetworkStore::sweep() {
    sweep_debris(root_);
    for (const auto& network : list()) {
        const fs::path net_dir = dir(network.name);
        for (const auto& [address, lease] : read_leases(net_dir)) {
            if (allocator_alive(lease)) continue; // a `run` still starting it
            bool had_ports = true;                // unknown: look in the table
            try {
                ContainerInfo info = ContainerStore(root_).load_any(lease.container_id);
                // A record that can't be read can't say it stopped: giving
                // its address to another container could make two holders.
                if (info.running() || !info.damage.empty()) continue;
                had_ports = !info.spec.ports.empty();
            } catch (const Error&) {
                // No such container: its record is gone, the lease is stale.
            }
            try {
                FileLock store_lock(root_ / "networks" / ".lock", LOCK_EX);
                const fs::path path = net_dir / "leases" / address;
                auto again = read_lease(path);
                if (!again || again->container_id != lease.container_id) continue;
                ::unlink(path.c_str());
                remove_hosts_entries(net_dir, lease.container_id);
            } catch (const std::exception&) {
                continue;
            }
            if (had_ports) {
                try {
                    nft::remove_owner(nft::table_name(root_), "container:" + lease.container_id);
                } catch (const std::exception&) {
                }
            }
        }
    }
}

std::vector<std::string> NetworkStore::users(const Network& network) const {
    std::vector<std::string> ids;
    for (const auto& [address, lease] : read_leases(dir(network.name))) ids.push_back(lease.container_id);
    return ids;
}

std::map<std::string, net::Ipv4Address> NetworkStore::leases(const Network& network) const {
    std::map<std::string, net::Ipv4Address> all;
    for (const auto& [address, lease] : read_leases(dir(network.name)))
        all.emplace(lease.container_id, *net::Ipv4Address::parse(address));
    return all;
}

} // namespace kubik
