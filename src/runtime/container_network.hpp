// A container's network (lesson 6): the start pipeline's steps around clone.
//
//   run_command   decide_network()      --network, -p checked; nothing made yet
//   before clone  ContainerNetwork()    stale leases swept, the network found
//                                       (the default one made on first use),
//                                       an address leased, /etc files written,
//                                       another container's netns opened
//   after clone   connect()             (parent, before the child goes on) the
//                                       veth pair into the child's namespace,
//                                       its host end on the bridge, the port
//                                       rules in one nft transaction
//   in the child  join_network_namespace(), configure_container_network()
//                                       setns for container:NAME; eth0's
//                                       address and route, before exec
//   at the end    release_container_network()   finish_container, rm -f
//
// Until the start is handed over, ContainerNetwork's destructor gives back
// whatever was taken — lease, hosts line, rules, veth — so a failed start
// leaves nothing on the host (netavark's rule: undo exactly what you made).
//
// A student's build where lesson 6 is not written yet must behave as before
// it: the default network quietly becomes lesson 2's loopback-only namespace
// (no notice, no bridge, no lease, no rule), while --network NAME or -p is an
// error (125) naming lesson 6. Whether it is written is decided before
// anything is made: add_port_rules() on a scratch batch is pure, and a stub
// throws NotImplemented.
#pragma once

#include "container/container_spec.hpp"
#include "container/container_store.hpp"
#include "runtime/channel.hpp"

#include "core/unique_fd.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kubik {

/// Whether lesson 6's functions are written (a stub's add_port_rules throws
/// NotImplemented). Cheap: no system call.
bool network_lesson_written();

/// What `run` decided from --network, -p, --hostname before anything is made.
struct NetworkChoice {
    NetworkMode mode = NetworkMode::Bridge; ///< see ContainerSpec::network_mode
    std::string network;                    ///< ContainerSpec::network
    /// -p: filled in by `run` for Bridge (host ports chosen); dropped for host and none
    std::vector<network::PublishedPort> ports;
    /// The hostname the mode gives when --hostname is absent: the host's
    /// (host) or the other container's (container:NAME); "" for the default.
    std::string hostname;
    /// Docker's warnings to print ("Published ports are discarded when using
    /// host network mode").
    std::vector<std::string> warnings;
};

/// Checks `--network` (`flag`, "" when not given) against the other flags,
/// with docker's errors (exit 125): an unknown network ("network NAME not
/// found"), container:NAME not running, --hostname or -p with container:.
/// While lesson 6 is a stub the default network becomes None quietly, and
/// an explicit bridge network or -p is an error naming lesson 6.
NetworkChoice decide_network(const std::filesystem::path& root, const std::string& flag, bool ports_given,
                             bool hostname_given, bool extra_hosts_given);

/// The container's network from lease to handover (see above).
class ContainerNetwork {
public:
    /// Nothing: a container made before lesson 6, or a test.
    ContainerNetwork() = default;
    /// Before clone: takes what `spec` needs and records the lease in
    /// `spec.lease`; writes the /etc files into `paths.dir`. `ns_flags` are the clone flags: without CLONE_NEWNET
    /// (lesson 2 a stub) a Bridge container gets no interface. Throws
    /// kubik::Error (125), leaving nothing, when the network is gone, full,
    /// or the other container (container:NAME) no longer runs.
    ContainerNetwork(const std::filesystem::path& root, const ContainerPaths& paths, ContainerSpec& spec,
                     int ns_flags);
    /// Takes over what `other` holds; `other` then gives nothing back.
    ContainerNetwork(ContainerNetwork&& other) noexcept;
    ContainerNetwork& operator=(ContainerNetwork&&) = delete;
    ContainerNetwork(const ContainerNetwork&) = delete;
    ContainerNetwork& operator=(const ContainerNetwork&) = delete;
    /// Gives back everything unless hand_over() was called.
    ~ContainerNetwork();

    /// In the parent, after clone and before the child goes on: the veth pair
    /// into `init`'s namespace, its host end on the bridge, the port rules.
    /// Sets what the child must do in `go`.
    void connect(pid_t init, GoMessage& go);
    /// Container mode: /proc/PID/ns/net of the other container, for the
    /// child's setns; -1 otherwise.
    int netns_fd() const { return netns_.get(); }
    /// The container runs (or its end is being recorded): finish_container
    /// gives everything back from now on.
    void hand_over() { spec_ = nullptr; }

private:
    std::filesystem::path root_;
    ContainerSpec* spec_ = nullptr; ///< null: nothing to give back
    UniqueFd netns_;
    bool etc_files_ = false;
    bool connected_ = false; ///< lease in use: the child configures eth0
};

/// Gives back what a container's network held: its line in the network's
/// hosts (members rewritten), its port rules, its lease (only
/// while the lease file still names this container). Each step is
/// idempotent, so finish_container and `rm -f` may both call it; errors
/// are warnings. Never throws.
void release_container_network(const std::filesystem::path& root, const ContainerSpec& spec) noexcept;

/// Deletes the host end of the container's veth (and so its peer) if it is
/// still there. The container's namespace takes both along when its last
/// process is gone, in the kernel's own time (a work queue), so a normal
/// end needs none of this: deleting a link synchronously waits for RCU
/// grace periods, measured here at ~20 ms, which made `run --rm busybox
/// true` 40 ms slower (8.7 ms without, 6.9 ms with --network none). It is
/// done where the namespace may outlive the container: another container
/// joined it (network_joined(); docker takes the interface away from the
/// joiner then), a start that failed, `rm -f`. Never throws.
void remove_host_veth(const ContainerSpec& spec) noexcept;

/// Whether another container joined the network namespace of the container
/// whose directory is `container_dir` (--network container:NAME).
bool network_joined(const std::filesystem::path& container_dir);

/// In the child, before /sys is mounted: joins the network namespace `fd`
/// (container:NAME); nothing when -1.
void join_network_namespace(int fd);

/// In the child, inside its namespace, after lo is up: eth0's MAC, address
/// and default route from spec.lease (configure_interface), when `go` says so.
void configure_container_network(const ContainerSpec& spec, const GoMessage& go);

} // namespace kubik
