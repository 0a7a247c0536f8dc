// Lesson 6's gate and the helpers its tests share.
//
// Two kinds of tests:
//   network_functions_test.cpp  the four functions called directly, each in a
//                               sandbox: a forked child with a network
//                               namespace of its own ("the host"), and
//                               processes that hold further namespaces ("the
//                               containers"). Bridges, veths, addresses,
//                               routes and nftables rules made there vanish
//                               with the sandbox, whatever the test did, and
//                               never touch the real host.
//   network_test.cpp            kubik run/network/port end to end, with the
//                               busybox image, in the test's own state root
//                               (so its own default bridge kb-XXXXXXXX and
//                               nftables table kubik-XXXXXXXX). Traffic goes
//                               only to 127.0.0.1, the host's own address and
//                               the test's containers.
#pragma once

#include "kubik_test.hpp"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kubik::test::network6 {

/// Calls each of lesson 6's functions once where nothing can be changed (a
/// scratch Batch; a throwaway network namespace of a forked child); returns
/// the stub's message when one is still a stub, "" when all are written.
std::string stub_message();

/// kubik-nft beside the kubik under test (BUILD/kubik-nft).
std::string kubik_nft_binary();

// ---------------------------------------------------------------------------
// Namespaces and links (used inside sandboxes and to look into containers).

/// A process that does nothing but hold a network namespace of its own
/// (unshare(CLONE_NEWNET)), like a container's init before its command runs.
/// Killed and reaped by the destructor.
class NetnsHolder {
public:
    NetnsHolder();
    ~NetnsHolder();
    NetnsHolder(const NetnsHolder&) = delete;
    NetnsHolder& operator=(const NetnsHolder&) = delete;
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

/// Joins the network namespace of `pid` (setns) in the calling process.
/// Throws std::runtime_error when it can't.
void enter_netns_of(pid_t pid);

/// Runs `body` in a forked child that joined the network namespace of `pid`;
/// returns what it wrote (see in_child).
std::string in_netns_of(pid_t pid, const std::function<void(std::ostream&)>& body,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A forked process that runs `body` in the network namespace of `pid`
/// (0: the caller's) until it is killed; the destructor kills and reaps it.
/// `body` must not return before it is ready to serve: the constructor waits
/// until it called ready().
class Server {
public:
    Server(pid_t netns_pid, const std::function<void(const std::function<void()>& ready)>& body);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

private:
    pid_t pid_ = -1;
};

/// A TCP server that answers every connection with `answer` and closes it.
std::function<void(const std::function<void()>&)> tcp_answer(std::uint16_t port, std::string answer);
/// A UDP server that answers every datagram with `answer` + ":" + the datagram.
std::function<void(const std::function<void()>&)> udp_answer(std::uint16_t port, std::string answer);

/// What a client saw: "answer:TEXT" (TCP: everything read until the peer
/// closed; UDP: the reply), "refused", "timeout", or "error: WHY".
std::string tcp_request(const std::string& ip, std::uint16_t port, const std::string& send = "",
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(1500));
std::string udp_request(const std::string& ip, std::uint16_t port, const std::string& send,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(1500));
/// GET / over HTTP/1.0; what tcp_request says.
std::string http_get(const std::string& ip, std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(1500));

/// One interface of the calling process's network namespace, read back with
/// libnl-route-3 (not with the code under test).
struct LinkInfo {
    bool exists = false;
    int index = 0;
    std::string kind;             ///< "veth", "bridge", ...
    unsigned mtu = 0;
    int master = 0;               ///< the bridge's index, 0 when none
    bool up = false;              ///< IFF_UP
    std::string mac;              ///< "02:42:0a:00:00:02"
    std::vector<std::string> addresses;  ///< IPv4 only: "10.0.0.2/24"
    std::string describe() const;
};
LinkInfo link_info(const std::string& name);
/// Names of every interface of the calling process's namespace.
std::vector<std::string> link_names();
/// The gateway of the default route and its device, from /proc/self/net/route
/// ("10.0.0.1 eth0"); "" when there is no default route.
std::string default_route();

/// Makes a bridge `name` with address `address` ("10.0.0.1/24"), up.
void make_bridge(const std::string& name, const std::string& address);
/// Brings an interface up.
void set_link_up(const std::string& name);
/// Adds an address to an interface.
void add_address(const std::string& name, const std::string& address);
/// Writes a sysctl of the calling process's namespace (/proc/sys/...).
void write_sysctl(const std::string& path, const std::string& value);

// ---------------------------------------------------------------------------
// The host.

/// An IPv4 address of the host other than loopback (getifaddrs, an interface
/// that is up); nullopt when the host has none.
std::optional<std::string> host_address();
/// A port in 20000-60000 that is free for TCP and UDP on 0.0.0.0 right now.
std::uint16_t free_port();

// ---------------------------------------------------------------------------
// Fixtures.

/// Direct tests of the four functions: fails in words when lesson 6 is a stub.
class NetworkFunctions : public ::testing::Test {
protected:
    void SetUp() override;
};

/// A state root with the busybox image behind lesson 6's gate. Every kubik
/// command fails the test when kubik says lesson 6 is a stub. Containers and
/// networks made through the helpers are removed in TearDown, passed or
/// failed, then the root's default bridge and nftables table (kubik never
/// removes its default network, as docker doesn't), and TearDown fails the
/// test if a lease, a rule of a container or a port of a bridge is left.
class Lesson6Test : public BusyboxTest {
protected:
    void SetUp() override;
    void TearDown() override;
    RunResult kubik(const std::vector<std::string>& args, const RunOptions& options = {}) override;

    /// `kubik run -d ARGS...`; the container id (64 hex) or "" after a failure
    /// (ADD_FAILURE). Its name, if --name is among args, is removed at teardown.
    std::string run_detached(const std::vector<std::string>& args);
    /// Checks the container `id` for leftovers at teardown.
    void track(const std::string& id) { containers_.push_back(id); }
    /// `kubik network create ARGS... NAME`, removed at teardown.
    RunResult create_network(const std::string& name, const std::vector<std::string>& args = {});
    /// `kubik inspect NAME`'s first element (null json on failure).
    nlohmann::json inspect(const std::string& name);
    /// The container's address on `network` ("" for its only/first one).
    std::string ip_of(const std::string& name, const std::string& network = "");
    pid_t pid_of(const std::string& name);
    /// `kubik rm -f NAMES`.
    void remove_containers(const std::vector<std::string>& names);
    /// Polls http_get until it answers; the last answer.
    std::string wait_for_http(const std::string& ip, std::uint16_t port,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// `sh -c` command for busybox: httpd serving `marker` as index.html on :80.
    static std::vector<std::string> httpd_serving(const std::string& marker);

    /// This root's default bridge and nftables table (from the state root's
    /// hash: nft::table_name()).
    std::string default_bridge() const;
    const std::string& table() const { return table_; }
    /// The table's rules as `nft -j list table` has them: {chain, text with
    /// comment} one per rule; empty when there is no table.
    struct Rule {
        std::string chain;
        std::string comment;
        std::string text;
    };
    std::vector<Rule> rules() const;
    /// Rules whose comment is `owner`.
    std::vector<Rule> rules_of(const std::string& owner) const;
    /// Lease files (ROOT/networks/*/leases/*) whose content names `id` (every lease when empty).
    std::vector<std::string> leases_of(const std::string& id = "") const;
    /// The bridges of this root's networks (from network.json).
    std::vector<std::string> bridges() const;
    /// The ports of bridge `name` (/sys/class/net/NAME/brif).
    static std::vector<std::string> bridge_ports(const std::string& name);
    /// "kv" + 13 digits of the id: the host end of the container's veth.
    static std::string host_veth(const std::string& id) { return "kv" + id.substr(0, 13); }
    /// True when the host has an interface of that name (/sys/class/net).
    static bool host_has_link(const std::string& name);
    /// Everything a container `id` may have left on the host: its veth, a
    /// lease, a rule, a port of a bridge. One line per leftover.
    std::vector<std::string> leftovers_of(const std::string& id) const;

private:
    std::vector<std::string> containers_;
    std::vector<std::string> networks_;
    std::string table_;
};

/// Records a name the tests made on the host (a bridge, a veth, a table),
/// so that the leak check knows it is this build's: one line in
/// network_names_file().
void record_host_name(const std::string& kind, const std::string& name);
/// BUILD/test-network-names, beside test-roots/.
fs::path network_names_file();

} // namespace kubik::test::network6
