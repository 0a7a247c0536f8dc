#include "runtime/container_network.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"
#include "net/netlink.hpp"
#include "net/nft.hpp"
#include "network.hpp"
#include "network/network_store.hpp"
#include "network/ports_lock.hpp"
#include "rootless/port_relay.hpp"
#include "rootless/rootless_mode.hpp"
#include "runtime/etc_files.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <climits>
#include <iostream>

namespace kubik {
namespace fs = std::filesystem;
namespace {

// In a container's directory: another container joined its network
// namespace (--network container:NAME).
constexpr const char* kJoinedMarker = "netns-joined";

// The stub's message when lesson 6 is not written, "" when it is. A stub of
// add_port_rules throws before touching anything; a written one only adds
// text to a batch that is never applied.
const std::string& stub_message() {
    static const std::string message = [] {
        try {
            nft::Batch scratch("kubik-probe", "probe");
            network::PublishedPort port;
            port.host_port = 1;
            port.container_port = 1;
            network::add_port_rules(scratch, port, net::Ipv4Address{0x0a000002}, "probe");
        } catch (const NotImplemented& e) {
            return std::string(e.what());
        } catch (const std::exception&) {
            // Written, if wrongly: the real start will say what is wrong.
        }
        return std::string();
    }();
    return message;
}

void warn(const std::string& what) noexcept {
    try {
        std::cerr << "kubik: warning: " << what << "\n";
    } catch (...) {
    }
}

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0) throw_errno("gethostname");
    return name;
}

// The flag that asked for the network, for a stub's error: a user network
// or a published port can't quietly become loopback-only.
const char* required_by(const ContainerSpec& spec) {
    if (spec.network != "bridge") return "--network";
    if (!spec.ports.empty()) return "-p";
    return nullptr;
}

// The host end of the veth pair: deleting it deletes its peer too.
void delete_host_veth(const std::string& name) {
    net::RouteSocket sock;
    net::Link link = net::get_link(sock, name);
    if (link) rtnl_link_delete(sock.get(), link.get()); // gone meanwhile: fine
}

// The other container of --network container:NAME, running.
ContainerInfo running_container(const fs::path& root, const std::string& ref) {
    ContainerStore store(root);
    ContainerInfo info;
    try {
        info = store.load(store.resolve(ref));
    } catch (const Error& e) {
        throw Error(e.what()); // run's errors are 125
    }
    if (!info.running()) throw Error("cannot join network of a non running container: " + ref);
    return info;
}

} // namespace

bool network_lesson_written() { return stub_message().empty(); }

bool network_joined(const fs::path& container_dir) {
    std::error_code ec;
    return fs::exists(container_dir / kJoinedMarker, ec);
}

NetworkChoice decide_network(const fs::path& root, const std::string& flag, bool ports_given, bool hostname_given,
                             bool extra_hosts_given) {
    NetworkChoice choice;
    const std::string mode = flag.empty() || flag == "default" ? "bridge" : flag;
    if (mode == "none") {
        choice.mode = NetworkMode::None;
    } else if (mode == "host") {
        choice.mode = NetworkMode::Host;
        if (ports_given) choice.warnings.push_back("Published ports are discarded when using host network mode");
        choice.hostname = host_name();
    } else if (mode.starts_with("container:")) {
        const std::string other = mode.substr(10);
        if (other.empty()) throw Error("Invalid network mode: invalid container format container:<name|id>");
        if (hostname_given) throw Error("conflicting options: hostname and the network mode");
        if (extra_hosts_given) throw Error("conflicting options: custom host-to-IP mapping and the network mode");
        if (ports_given) throw Error("conflicting options: port publishing and the container type network mode");
        const ContainerInfo info = running_container(root, other);
        choice.mode = NetworkMode::Container;
        choice.network = info.spec.id;
        choice.hostname = info.spec.hostname;
    } else {
        // A bridge network: lesson 6's.
        if (!network_lesson_written()) {
            if (!flag.empty()) throw Error("--network: " + stub_message());
            if (ports_given) throw Error("-p: " + stub_message());
            choice.mode = NetworkMode::None; // lesson 2's loopback, as before lesson 6
            return choice;
        }
        choice.mode = NetworkMode::Bridge;
        if (mode == "bridge") {
            choice.network = "bridge";
        } else {
            auto network = NetworkStore(root).find(mode);
            if (!network) throw Error("network " + mode + " not found");
            choice.network = network->name;
        }
    }
    return choice;
}

ContainerNetwork::ContainerNetwork(const fs::path& root, const ContainerPaths& paths, ContainerSpec& spec,
                                   int ns_flags)
    : root_(root) {
    etc_files_ = network_lesson_written();
    switch (spec.network_mode) {
    case NetworkMode::Container: {
        const ContainerInfo other = running_container(root, spec.network);
        const std::string path = "/proc/" + std::to_string(other.state.pid) + "/ns/net";
        netns_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        // Opened, then checked: the pid can't have been reused by another
        // process between the check and the open.
        if (!netns_ || process_start_time(other.state.pid) != other.state.pid_start_time)
            throw Error("cannot join network of a non running container: " + spec.network);
        // The other's namespace outlives it now: its end must take its veth away.
        write_file(paths.dir.parent_path() / other.spec.id / kJoinedMarker, spec.id + "\n");
        break;
    }
    case NetworkMode::Bridge: {
        if (!etc_files_) break; // not written: decide_network made it None already
        if (!(ns_flags & CLONE_NEWNET)) {
            // Lesson 2 is a stub: no namespace of its own to put eth0 in.
            if (const char* flag = required_by(spec))
                throw Error(std::string(flag) + ": the container has no network namespace of its own (lesson 2, "
                            "namespaces, is not written yet)");
            break;
        }
        NetworkStore networks(root);
        networks.sweep(); // leases of containers killed with kill -9
        Network network;
        if (spec.network == "bridge") {
            network = networks.ensure_default();
        } else {
            auto found = networks.find(spec.network);
            if (!found) throw Error("network " + spec.network + " not found");
            network = *found;
            networks.ensure_bridge(network);
        }
        spec.lease = networks.allocate(network, spec.id);
        spec_ = &spec; // from here on, given back unless handed over
        connected_ = true;
        break;
    }
    case NetworkMode::None:
    case NetworkMode::Host: break;
    }
    if (!etc_files_) return;
    spec_ = &spec;
    try {
        write_etc_files(spec, paths.dir);
        join_network_hosts(root, spec);
    } catch (...) {
        // A constructor that throws runs no destructor: give back here.
        release_container_network(root, spec);
        spec_ = nullptr;
        throw;
    }
}

ContainerNetwork::ContainerNetwork(ContainerNetwork&& other) noexcept
    : root_(std::move(other.root_)), spec_(std::exchange(other.spec_, nullptr)), netns_(std::move(other.netns_)),
      etc_files_(other.etc_files_), connected_(other.connected_) {}

ContainerNetwork::~ContainerNetwork() {
    if (!spec_) return;
    release_container_network(root_, *spec_);
    remove_host_veth(*spec_);
}

void ContainerNetwork::connect(pid_t init, GoMessage& go) {
    go.etc_files = etc_files_;
    if (!connected_) return;
    ContainerSpec& spec = *spec_;
    const NetworkLease& lease = *spec.lease;
    const char* flag = required_by(spec);
    go.network_required = flag != nullptr;
    try {
        net::RouteSocket host;
        network::create_veth_pair(host, lease.host_veth, "eth0", init, lease.mtu);
        network::attach_to_bridge(host, lease.host_veth, lease.bridge);
    } catch (const NotImplemented& e) {
        if (flag) throw Error(std::string(flag) + ": " + e.what());
        // Partly written: the default network stays loopback-only, quietly.
        release_container_network(root_, spec);
        remove_host_veth(spec);
        spec.lease.reset();
        connected_ = false;
        return;
    }
    if (!spec.ports.empty()) {
        nft::Batch batch(nft::table_name(root_), "container:" + spec.id);
        try {
            for (const auto& port : spec.ports) network::add_port_rules(batch, port, lease.address.address, lease.bridge);
        } catch (const NotImplemented& e) {
            throw Error(std::string("-p: ") + e.what());
        }
        // A rootless kubik's rules are in its own network namespace, which
        // the host's connections never enter: kubik-rootless relays them
        // (rootless/port_relay.hpp). The host's side first, so a port the
        // host has taken fails before any rule is made; whatever was
        // published goes with the rest when the start fails.
        if (rootless::inside())
            for (const auto& port : spec.ports) rootless::publish_host_port(spec.id, port, lease.address.address);
        nft::apply(batch);
        // In the kernel now: the next `run -p` sees them (ports_lock.hpp).
        network::unlock_published_ports();
    }
    go.configure_network = true;
}

void release_container_network(const fs::path& root, const ContainerSpec& spec) noexcept {
    if (spec.network_mode != NetworkMode::Bridge || !spec.lease) return;
    const NetworkLease& lease = *spec.lease;
    leave_network_hosts(root, lease.network, spec.id);
    if (!spec.ports.empty()) {
        if (rootless::inside()) rootless::unpublish_host_ports(spec.id);
        try {
            nft::remove_owner(nft::table_name(root), "container:" + spec.id);
        } catch (const std::exception& e) {
            warn(e.what());
        }
    }
    try {
        NetworkStore(root).release(lease);
    } catch (const std::exception& e) {
        warn(e.what());
    }
}

void remove_host_veth(const ContainerSpec& spec) noexcept {
    if (spec.network_mode != NetworkMode::Bridge || !spec.lease) return;
    try {
        delete_host_veth(spec.lease->host_veth);
    } catch (const std::exception&) {
        // Goes with the container's namespace all the same.
    }
}

void join_network_namespace(int fd) {
    if (fd < 0) return;
    if (::setns(fd, CLONE_NEWNET) != 0) throw_errno("join the other container's network namespace");
}

void configure_container_network(const ContainerSpec& spec, const GoMessage& go) {
    if (!go.configure_network || !spec.lease) return;
    const NetworkLease& lease = *spec.lease;
    network::InterfaceConfig config;
    config.name = "eth0";
    config.address = lease.address;
    config.gateway = lease.gateway;
    config.mac = lease.mac;
    try {
        // Made here, after clone: a netlink socket works in the namespace
        // of the process that made it.
        net::RouteSocket sock;
        network::configure_interface(sock, config);
    } catch (const NotImplemented& e) {
        if (go.network_required) throw Error(std::string("--network: ") + e.what());
        // Partly written: eth0 stays down, the container has lo as before.
    }
}

} // namespace kubik
