// The network store, called directly (NetworkStore) in each test's own state
// root, without containers: the subnet pool and its overlap rules, names,
// networks made and removed (the kernel checked through netlink: the bridge,
// its address, its sysctls), and addresses allocated concurrently. Every
// bridge a test makes is kb-*; the teardown removes all of them.
#include "kubik_test.hpp"

#include "container/container_state.hpp"
#include "container/container_store.hpp"
#include "container/naming.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "net/netlink.hpp"
#include "network/bridge.hpp"
#include "network/network_store.hpp"
#include "network/subnet_pool.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <set>
#include <sstream>

namespace kubik::test {
namespace {

using net::Ipv4Address;
using net::Ipv4Prefix;

Ipv4Prefix prefix(const std::string& text) {
    auto p = Ipv4Prefix::parse(text);
    if (!p) throw std::runtime_error("bad prefix in a test: " + text);
    return *p;
}

// A container id of 64 digits; distinct in its first 13 digits, as the
// host veth's name ("kv" + 13 digits) and a lease's release rely on.
std::string id_of(int n) {
    std::string id = std::to_string(n);
    return id + std::string(64 - id.size(), 'c');
}

// Whether the host has an interface by this name, and its addresses.
bool link_exists(const std::string& name) {
    net::RouteSocket sock;
    return net::link_index(sock, name) != 0;
}

std::vector<Ipv4Prefix> addresses_of(const std::string& name) {
    net::RouteSocket sock;
    const int index = net::link_index(sock, name);
    std::vector<Ipv4Prefix> all;
    nl_cache* raw = nullptr;
    if (index == 0 || rtnl_addr_alloc_cache(sock.get(), &raw) < 0) return all;
    net::Cache cache(raw);
    for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto* addr = reinterpret_cast<rtnl_addr*>(obj);
        nl_addr* local = rtnl_addr_get_local(addr);
        if (rtnl_addr_get_ifindex(addr) != index || !local || nl_addr_get_family(local) != AF_INET) continue;
        char text[64];
        nl_addr2str(local, text, sizeof text); // "172.29.0.1/16"
        if (auto p = Ipv4Prefix::parse(text)) all.push_back(*p);
    }
    return all;
}

// --- the pool, pure ------------------------------------------------------------

TEST(SubnetPool, CandidatesInTheDocumentedOrder) {
    const auto all = subnet_pool::candidates();
    ASSERT_EQ(all.size(), 3u + 16u * 256u);
    EXPECT_EQ(all[0].str(), "172.29.0.0/16");
    EXPECT_EQ(all[1].str(), "172.30.0.0/16");
    EXPECT_EQ(all[2].str(), "172.31.0.0/16");
    EXPECT_EQ(all[3].str(), "10.240.0.0/24");
    EXPECT_EQ(all[4].str(), "10.240.1.0/24");
    EXPECT_EQ(all.back().str(), "10.255.255.0/24");
}

TEST(SubnetPool, OverlapIsSharingAnyAddress) {
    EXPECT_TRUE(subnet_pool::overlaps_any(prefix("172.29.5.0/24"), {prefix("172.29.0.0/16")}));
    EXPECT_TRUE(subnet_pool::overlaps_any(prefix("172.29.0.0/16"), {prefix("172.29.5.0/24")}));
    EXPECT_TRUE(subnet_pool::overlaps_any(prefix("172.29.0.0/16"), {prefix("172.16.0.0/12")}));
    EXPECT_TRUE(subnet_pool::overlaps_any(prefix("10.0.0.0/8"), {prefix("10.255.255.255/32")}));
    EXPECT_FALSE(subnet_pool::overlaps_any(prefix("172.28.0.0/16"), {prefix("172.29.0.0/16")}));
    EXPECT_FALSE(subnet_pool::overlaps_any(prefix("10.240.1.0/24"), {prefix("10.240.0.0/24"), prefix("10.240.2.0/24")}));
    EXPECT_FALSE(subnet_pool::overlaps_any(prefix("10.240.1.0/24"), {}));
}

TEST(SubnetPool, ChoosesTheFirstCandidateNothingOverlaps) {
    EXPECT_EQ(subnet_pool::choose({})->str(), "172.29.0.0/16");
    EXPECT_EQ(subnet_pool::choose({prefix("172.29.1.0/24")})->str(), "172.30.0.0/16");
    EXPECT_EQ(subnet_pool::choose({prefix("172.16.0.0/12")})->str(), "10.240.0.0/24");
    EXPECT_EQ(subnet_pool::choose({prefix("172.16.0.0/12"), prefix("10.240.0.0/16"), prefix("10.241.0.7/32")})->str(),
              "10.241.1.0/24");
    EXPECT_FALSE(subnet_pool::choose({prefix("172.16.0.0/12"), prefix("10.0.0.0/8")}).has_value());
}

TEST(SubnetPool, HostPrefixesIncludeLoopbackAndNoDefaultRoute) {
    net::RouteSocket sock;
    const auto used = subnet_pool::host_prefixes(sock);
    bool loopback = false;
    for (const auto& p : used) {
        EXPECT_GT(p.length, 0) << "a default route would overlap every candidate";
        if (p.str() == "127.0.0.0/8") loopback = true;
    }
    EXPECT_TRUE(loopback) << "lo's 127.0.0.1/8 is an address of the host";
    const unsigned mtu = subnet_pool::host_mtu(sock);
    EXPECT_GE(mtu, 576u);
    EXPECT_LE(mtu, 1500u);
}

TEST(NetworkNames, DockerRule) {
    for (const char* good : {"a", "my-net", "net_1", "n.e.t", "A1"}) EXPECT_TRUE(NetworkStore::valid_name(good)) << good;
    for (const char* bad : {"", "-a", ".hidden", "_x", "a/b", "a b", "a:b", ".."})
        EXPECT_FALSE(NetworkStore::valid_name(bad)) << bad;
    EXPECT_FALSE(NetworkStore::valid_name(std::string(129, 'a')));
}

TEST(NetworkNames, MacIsDockers) {
    EXPECT_EQ(NetworkStore::mac_address(*Ipv4Address::parse("172.29.0.2")), "02:42:ac:1d:00:02");
    EXPECT_EQ(NetworkStore::mac_address(*Ipv4Address::parse("10.255.1.254")), "02:42:0a:ff:01:fe");
}

// --- the store and the kernel ----------------------------------------------------

class NetworkStoreTest : public KubikTest {
protected:
    void SetUp() override {
        KubikTest::SetUp();
        // The tests' binary is not beside kubik-nft; tell nft::apply where it is.
        ::setenv("KUBIK_NFT", KUBIK_NFT_BIN, 0);
    }
    void TearDown() override {
        NetworkStore(root_).remove_all();
        for (const auto& name : bridges_)
            EXPECT_FALSE(link_exists(name)) << "bridge " << name << " left after remove_all()";
        KubikTest::TearDown();
    }

    NetworkStore store() const { return NetworkStore(root_); }

    Network create(const std::string& name, const NetworkOptions& options = {}) {
        Network network = store().create(name, options);
        bridges_.push_back(network.bridge);
        return network;
    }

    // A subnet of the pool nothing uses now, for tests that name one. A
    // random one, not the first: other tests' processes create networks at
    // the same moment, and the first free subnet is the one they get too.
    Ipv4Prefix free_subnet() {
        net::RouteSocket sock;
        const auto used = subnet_pool::host_prefixes(sock);
        std::vector<Ipv4Prefix> free;
        for (const auto& candidate : subnet_pool::candidates())
            if (!subnet_pool::overlaps_any(candidate, used)) free.push_back(candidate);
        if (free.empty()) throw std::runtime_error("no free subnet on this host");
        std::random_device random;
        return free[std::uniform_int_distribution<std::size_t>(0, free.size() - 1)(random)];
    }

    std::vector<std::string> bridges_;
};

TEST_F(NetworkStoreTest, CreateMakesTheBridgeAndRemoveLeavesNothing) {
    NetworkOptions options;
    options.labels["team"] = "blue";
    Network network = create("front", options);
    EXPECT_EQ(network.id.size(), 64u);
    EXPECT_EQ(network.bridge, "kb-" + network.id.substr(0, 12));
    EXPECT_EQ(network.gateway.value, network.subnet.network().value + 1);

    ASSERT_TRUE(link_exists(network.bridge));
    auto addrs = addresses_of(network.bridge);
    ASSERT_EQ(addrs.size(), 1u);
    EXPECT_EQ(addrs[0].str(), network.gateway.str() + "/" + std::to_string(network.subnet.length));
    const std::string conf = "/proc/sys/net/ipv4/conf/" + network.bridge + "/";
    EXPECT_EQ(read_file(conf + "forwarding"), "1\n");
    EXPECT_EQ(read_file(conf + "route_localnet"), "1\n");

    auto found = store().find("front");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, network.id);
    EXPECT_EQ(found->subnet, network.subnet);
    EXPECT_EQ(found->labels.at("team"), "blue");
    EXPECT_EQ(store().find(network.id.substr(0, 6))->name, "front");
    EXPECT_FALSE(store().find("back"));

    store().remove("front");
    EXPECT_FALSE(link_exists(network.bridge));
    EXPECT_FALSE(fs::exists(root_ / "networks" / "front"));
    EXPECT_FALSE(store().find("front"));
    EXPECT_TRUE(store().list().empty());
}

TEST_F(NetworkStoreTest, RefusedNamesAndOptions) {
    auto expect_error = [&](const std::string& name, const NetworkOptions& options, const std::string& words) {
        try {
            create(name, options);
            ADD_FAILURE() << name << ": created";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
            EXPECT_EQ(e.exit_code(), 1) << e.what();
        }
    };
    expect_error("bridge", {}, "predefined bridge network");
    expect_error("host", {}, "predefined host network");
    expect_error("a/b", {}, "invalid network name");
    NetworkOptions gateway_only;
    gateway_only.gateway = Ipv4Address::parse("10.1.2.3");
    expect_error("x", gateway_only, "must have a corresponding subnet");
    NetworkOptions outside;
    outside.subnet = free_subnet();
    outside.gateway = Ipv4Address{outside.subnet->broadcast().value + 5};
    expect_error("x", outside, "no matching subnet for gateway");
    EXPECT_TRUE(store().list().empty());

    create("once");
    expect_error("once", {}, "network with name once already exists");
    try {
        store().remove("bridge");
        ADD_FAILURE() << "bridge removed";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "bridge is a pre-defined network and cannot be removed");
    }
    try {
        store().remove("nope");
        ADD_FAILURE() << "nope removed";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "network nope not found");
    }
}

TEST_F(NetworkStoreTest, GivenSubnetAndGateway) {
    NetworkOptions options;
    options.subnet = free_subnet();
    options.subnet->address.value += 7; // host bits set: the subnet is masked
    options.gateway = Ipv4Address{options.subnet->network().value + 9};
    Network network = create("given", options);
    EXPECT_EQ(network.subnet.address, options.subnet->network());
    EXPECT_EQ(network.gateway, *options.gateway);
    auto addrs = addresses_of(network.bridge);
    ASSERT_EQ(addrs.size(), 1u);
    EXPECT_EQ(addrs[0].address, *options.gateway);
    // The first lease skips the gateway only: .1 is free here.
    NetworkLease lease = store().allocate(network, id_of(1));
    EXPECT_EQ(lease.address.address.value, network.subnet.network().value + 1);
    store().release(lease);
}

TEST_F(NetworkStoreTest, OverlapWithAnotherNetworkOrTheHostIsRefused) {
    Network first = create("first");
    const std::string refusal = "Pool overlaps with other one on this address space";
    auto expect_overlap = [&](const std::string& subnet, const fs::path& root) {
        NetworkOptions options;
        options.subnet = prefix(subnet);
        try {
            Network made = NetworkStore(root).create("second", options);
            bridges_.push_back(made.bridge);
            ADD_FAILURE() << subnet << " was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.what(), refusal) << subnet;
        }
    };
    // Inside the first network's subnet, from this root and from another.
    Ipv4Prefix inside{first.subnet.network(), first.subnet.length + 1}; // its first half
    expect_overlap(inside.str(), root_);
    expect_overlap(first.subnet.str(), root_ / "other-root");
    NetworkStore(root_ / "other-root").remove_all();
    // The host's own addresses: lo has 127.0.0.1/8.
    expect_overlap("127.5.0.0/16", root_);
    // A route of the host that is not kubik's, if it has one besides lo's.
    // Not one inside kubik's pools: those are other tests' bridges, which
    // may go away before create() looks (test-all once saw that).
    const Ipv4Prefix pools[] = {prefix("172.29.0.0/16"), prefix("172.30.0.0/16"), prefix("172.31.0.0/16"),
                                prefix("10.240.0.0/12")};
    net::RouteSocket sock;
    for (const auto& p : subnet_pool::host_prefixes(sock)) {
        if (p.address.is_loopback() || p.overlaps(first.subnet)) continue;
        if (std::any_of(std::begin(pools), std::end(pools), [&](const Ipv4Prefix& pool) { return p.overlaps(pool); }))
            continue;
        expect_overlap(p.str(), root_);
        break;
    }
    EXPECT_EQ(store().list().size(), 1u);
}

TEST_F(NetworkStoreTest, TwentyConcurrentAllocatorsGetDistinctAddresses) {
    Network network = create("many");
    constexpr int kAllocators = 20;
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    std::vector<pid_t> children;
    for (int i = 0; i < kAllocators; ++i) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            try {
                NetworkLease lease = NetworkStore(root_).allocate(network, id_of(i));
                const std::string line = lease.address.address.str() + "\n";
                (void)!::write(out[1], line.data(), line.size());
                ::_exit(0);
            } catch (...) {
                ::_exit(1);
            }
        }
        children.push_back(pid);
    }
    ::close(out[1]);
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    std::string text;
    char buf[512];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    std::set<std::string> addresses;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) EXPECT_TRUE(addresses.insert(line).second) << "twice: " << line;
    EXPECT_EQ(addresses.size(), static_cast<std::size_t>(kAllocators));
    // The lowest twenty after the gateway.
    for (int i = 0; i < kAllocators; ++i)
        EXPECT_TRUE(addresses.count(Ipv4Address{network.subnet.network().value + 2 + static_cast<unsigned>(i)}.str()));
    EXPECT_EQ(store().users(network).size(), static_cast<std::size_t>(kAllocators));

    // Their allocators are gone and no container exists: all stale.
    store().sweep();
    EXPECT_TRUE(store().users(network).empty());
}

TEST_F(NetworkStoreTest, LowestFreeAddressAndRelease) {
    Network network = create("small");
    NetworkLease a = store().allocate(network, id_of(1));
    NetworkLease b = store().allocate(network, id_of(2));
    NetworkLease c = store().allocate(network, id_of(3));
    const std::uint32_t base = network.subnet.network().value;
    EXPECT_EQ(a.address.address.value, base + 2);
    EXPECT_EQ(b.address.address.value, base + 3);
    EXPECT_EQ(c.address.address.value, base + 4);
    EXPECT_EQ(a.address.length, network.subnet.length);
    EXPECT_EQ(a.gateway, network.gateway);
    EXPECT_EQ(a.bridge, network.bridge);
    EXPECT_EQ(a.mac, NetworkStore::mac_address(a.address.address));
    EXPECT_EQ(a.host_veth, "kv" + id_of(1).substr(0, 13));
    EXPECT_EQ(a.host_veth.size(), 15u);

    store().release(b);
    store().release(b); // twice: no error
    NetworkLease d = store().allocate(network, id_of(4));
    EXPECT_EQ(d.address.address.value, base + 3);
    // b's release again must not take d's address away.
    store().release(b);
    EXPECT_EQ(store().leases(network).count(id_of(4)), 1u);

    // Our own leases are not stale: their allocator (this process) is alive.
    store().sweep();
    EXPECT_EQ(store().users(network).size(), 3u);

    try {
        store().remove("small");
        ADD_FAILURE() << "removed with leases";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "error while removing network: network small id " + network.id +
                                             " has active endpoints");
    }
    EXPECT_TRUE(link_exists(network.bridge));
    for (const auto& lease : {a, c, d}) store().release(lease);
    store().remove("small");
    EXPECT_FALSE(link_exists(network.bridge));
}

TEST_F(NetworkStoreTest, FullNetwork) {
    NetworkOptions options;
    options.subnet = free_subnet();
    options.subnet->address = options.subnet->network();
    options.subnet->length = 30; // .1 the gateway, .2 the only address left
    Network network = create("tiny", options);
    NetworkLease only = store().allocate(network, id_of(1));
    EXPECT_EQ(only.address.address.value, network.subnet.network().value + 2);
    try {
        store().allocate(network, id_of(2));
        ADD_FAILURE() << "a second address in a /30";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "no available addresses on network tiny");
    }
    store().release(only);
}

TEST_F(NetworkStoreTest, SweepKeepsTheLeasesOfRunningContainersOnly) {
    Network network = create("live");
    ContainerSpec spec;
    spec.id = generate_container_id();
    spec.name = "live_" + spec.id.substr(0, 8);
    spec.image = "busybox";
    spec.argv = {"true"};
    spec.cgroup_parent = cgroup_parent();
    ContainerStore containers(root_);
    {
        // "Running", and its init is this process: alive by pid and start time.
        auto created = containers.create(spec);
        created.info.state.status = "running";
        created.info.state.pid = ::getpid();
        created.info.state.pid_start_time = process_start_time(::getpid());
        containers.save(created.info, false);
    }
    // Taken by a `run` that has exited since, as a detached container's is.
    pid_t taker = ::fork();
    ASSERT_GE(taker, 0);
    if (taker == 0) {
        try {
            NetworkStore(root_).allocate(network, spec.id);
            ::_exit(0);
        } catch (...) {
            ::_exit(1);
        }
    }
    int status = 0;
    ASSERT_EQ(::waitpid(taker, &status, 0), taker);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    store().sweep();
    EXPECT_EQ(store().users(network), std::vector<std::string>{spec.id}) << "a running container's lease was swept";

    // It stopped and nobody gave the address back (its monitor was killed).
    ContainerInfo info = containers.load(spec.id);
    info.state.status = "exited";
    containers.save(info, false);
    store().sweep();
    EXPECT_TRUE(store().users(network).empty()) << "a stopped container's lease was kept";
    containers.remove(info);
}

TEST_F(NetworkStoreTest, SweepRemovesWhatAKilledCreatorLeft) {
    Network network = create("crashed");
    pid_t dead = ::fork();
    ASSERT_GE(dead, 0);
    if (dead == 0) ::_exit(0);
    ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
    // As if its creator was killed between making the bridge and the rename.
    const fs::path half = root_ / "networks" / (".new-crashed-" + std::to_string(dead) + "-0badc0de");
    fs::rename(store().dir("crashed"), half);
    fs::create_directories(root_ / "networks" / "other" / "leases");
    write_file(root_ / "networks" / "other" / "leases" / (".tmp-" + std::to_string(dead) + "-12345678"), "x\n");
    ASSERT_TRUE(link_exists(network.bridge));
    store().sweep();
    EXPECT_FALSE(link_exists(network.bridge));
    EXPECT_FALSE(fs::exists(half));
    EXPECT_TRUE(fs::is_empty(root_ / "networks" / "other" / "leases"));
    EXPECT_FALSE(store().find("crashed"));
}

TEST_F(NetworkStoreTest, DefaultNetworkMadeOnceAndAgainAfterAReboot) {
    Network first = store().ensure_default();
    bridges_.push_back(first.bridge);
    EXPECT_EQ(first.name, "bridge");
    EXPECT_TRUE(first.is_default());
    EXPECT_EQ(first.bridge, bridge::default_name(root_));
    EXPECT_EQ(first.bridge.size(), 11u); // kb- and 8 hex digits
    ASSERT_TRUE(link_exists(first.bridge));
    Network again = store().ensure_default();
    EXPECT_EQ(again.id, first.id);
    EXPECT_EQ(again.subnet, first.subnet);

    // A reboot: network.json stays, the interface is gone.
    {
        net::RouteSocket sock;
        ASSERT_TRUE(bridge::remove(sock, first.bridge));
    }
    Network after = store().ensure_default();
    EXPECT_EQ(after.id, first.id);
    ASSERT_TRUE(link_exists(first.bridge));
    auto addrs = addresses_of(first.bridge);
    ASSERT_EQ(addrs.size(), 1u);
    EXPECT_EQ(addrs[0].address, first.gateway);
    EXPECT_EQ(store().list().front().name, "bridge");
}

// --- the command line ------------------------------------------------------------

TEST_F(NetworkStoreTest, NetworkCommandsAsDocker) {
    auto r = kubik({"network", "create", "--label", "tier=web", "front"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string id = r.out.substr(0, r.out.find('\n'));
    EXPECT_EQ(id.size(), 64u) << r.describe();
    bridges_.push_back("kb-" + id.substr(0, 12));

    r = kubik({"network", "ls"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')).find("NETWORK ID"), 0u) << r.out;
    EXPECT_NE(r.out.find(id.substr(0, 12) + "   front   bridge   local"), std::string::npos) << r.out;
    r = kubik({"network", "ls", "-q"});
    EXPECT_EQ(r.out, id.substr(0, 12) + "\n");

    r = kubik({"network", "inspect", "front"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc.size(), 1u);
    const auto& n = doc[0];
    EXPECT_EQ(n["Name"], "front");
    EXPECT_EQ(n["Id"], id);
    EXPECT_EQ(n["Driver"], "bridge");
    EXPECT_EQ(n["Scope"], "local");
    EXPECT_EQ(n["IPAM"]["Driver"], "default");
    auto subnet = Ipv4Prefix::parse(n["IPAM"]["Config"][0]["Subnet"].get<std::string>());
    ASSERT_TRUE(subnet);
    EXPECT_EQ(n["IPAM"]["Config"][0]["Gateway"], Ipv4Address{subnet->network().value + 1}.str());
    EXPECT_EQ(n["Options"]["com.docker.network.bridge.name"], "kb-" + id.substr(0, 12));
    EXPECT_EQ(n["Labels"]["tier"], "web");
    EXPECT_TRUE(n["Containers"].empty());
    EXPECT_EQ(r.out.find("\"Name\""), r.out.find('"')) << "Name comes first, as in docker's output";

    // docker's errors, exit 1, nothing made.
    r = kubik({"network", "create", "front"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("network with name front already exists"), std::string::npos) << r.describe();
    r = kubik({"network", "create", "--subnet", subnet->str(), "second"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("Pool overlaps with other one on this address space"), std::string::npos) << r.describe();
    r = kubik({"network", "create", "--subnet", "10.1.2", "second"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("invalid CIDR address: 10.1.2"), std::string::npos) << r.describe();
    r = kubik({"network", "rm", "bridge"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("bridge is a pre-defined network and cannot be removed"), std::string::npos) << r.describe();
    r = kubik({"network", "inspect", "front", "nope"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("No such network: nope"), std::string::npos) << r.describe();
    EXPECT_EQ(nlohmann::json::parse(r.out).size(), 1u);
    EXPECT_EQ(store().list().size(), 1u);

    r = kubik({"network", "rm", "front"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "front\n");
    EXPECT_FALSE(link_exists("kb-" + id.substr(0, 12)));
    r = kubik({"network", "rm", "front"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("network front not found"), std::string::npos) << r.describe();
    EXPECT_EQ(kubik({"network", "rm", "-f", "front"}).exit_code, 0);
}

} // namespace
} // namespace kubik::test
