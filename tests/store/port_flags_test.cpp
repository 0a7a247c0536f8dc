// -p/--publish (docker's syntax and errors, ranges), host ports (chosen,
// refused when bound or published), docker's port formats (ps's PORTS,
// `kubik port`), and kubik-nft itself on a table of the test's own.
//
// None of it needs lesson 6: the parser, the formats and kubik-nft are
// src/'s. The kubik-nft tests need root and nf_tables; each uses a table
// "kubik-test-" + random hex (never kubik's own), and deletes it in
// teardown whatever happened.
#include "kubik_test.hpp"

#include "cli/host_ports.hpp"
#include "cli/port_flags.hpp"
#include "cli/port_format.hpp"
#include "core/error.hpp"
#include "container/container_state.hpp"
#include "container/container_store.hpp"
#include "container/naming.hpp"
#include "core/unique_fd.hpp"
#include "net/nft.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

namespace kubik {
namespace {

using cli::PortRequest;
using network::Protocol;
using network::PublishedPort;

net::Ipv4Address ip(const char* text) { return *net::Ipv4Address::parse(text); }

PublishedPort published(const char* host_ip, std::uint16_t host_port, std::uint16_t container_port,
                        Protocol protocol = Protocol::Tcp) {
    PublishedPort port;
    port.host_ip = ip(host_ip);
    port.host_port = host_port;
    port.container_port = container_port;
    port.protocol = protocol;
    return port;
}

// The message of the kubik::Error `f` throws; fails when it throws none.
template <class F>
std::string error_of(F&& f, int expected_code = kExitRuntimeError) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(e.exit_code(), expected_code) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no kubik::Error";
    return "";
}

// ---------------------------------------------------------------- parsing

TEST(PublishFlag, ContainerPortAloneLeavesTheHostPortToKubik) {
    auto requests = cli::parse_publish_flag("80");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_TRUE(requests[0].port.host_ip.is_any());
    EXPECT_EQ(requests[0].port.host_port, 0);
    EXPECT_EQ(requests[0].port.container_port, 80);
    EXPECT_EQ(requests[0].port.protocol, Protocol::Tcp);
    EXPECT_EQ(requests[0].host_range_first, 0);
}

TEST(PublishFlag, HostPortAddressAndProtocol) {
    auto a = cli::parse_publish_flag("8080:80");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].port.host_port, 8080);
    EXPECT_TRUE(a[0].port.host_ip.is_any());

    auto b = cli::parse_publish_flag("127.0.0.1:5353:53/udp");
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].port.host_ip.str(), "127.0.0.1");
    EXPECT_EQ(b[0].port.host_port, 5353);
    EXPECT_EQ(b[0].port.container_port, 53);
    EXPECT_EQ(b[0].port.protocol, Protocol::Udp);

    auto c = cli::parse_publish_flag("127.0.0.1::80");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].port.host_ip.str(), "127.0.0.1");
    EXPECT_EQ(c[0].port.host_port, 0);

    // docker lower-cases the protocol, and "80/" is tcp.
    EXPECT_EQ(cli::parse_publish_flag("80/TCP")[0].port.protocol, Protocol::Tcp);
    EXPECT_EQ(cli::parse_publish_flag("80/")[0].port.protocol, Protocol::Tcp);
    EXPECT_EQ(cli::parse_publish_flag("0.0.0.0:80:80")[0].port.host_port, 80);
}

TEST(PublishFlag, RangesExpandOnePortPerEntry) {
    auto same = cli::parse_publish_flag("8000-8002:80-82");
    ASSERT_EQ(same.size(), 3u);
    for (unsigned i = 0; i < 3; ++i) {
        EXPECT_EQ(same[i].port.host_port, 8000 + i);
        EXPECT_EQ(same[i].port.container_port, 80 + i);
    }
    auto unchosen = cli::parse_publish_flag("80-81/udp");
    ASSERT_EQ(unchosen.size(), 2u);
    EXPECT_EQ(unchosen[1].port.container_port, 81);
    EXPECT_EQ(unchosen[1].port.host_port, 0);
    EXPECT_EQ(unchosen[1].port.protocol, Protocol::Udp);
}

TEST(PublishFlag, HostRangeWithOneContainerPortIsWhereKubikChooses) {
    auto requests = cli::parse_publish_flag("8000-8010:80");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].port.host_port, 0);
    EXPECT_EQ(requests[0].host_range_first, 8000);
    EXPECT_EQ(requests[0].host_range_last, 8010);
}

TEST(PublishFlag, BadValuesGetDockersWords) {
    auto parse = [](const char* value) { return [value] { cli::parse_publish_flag(value); }; };
    EXPECT_EQ(error_of(parse("abc")), "invalid containerPort: abc");
    EXPECT_EQ(error_of(parse("99999:80")), "invalid hostPort: 99999");
    EXPECT_EQ(error_of(parse("80:99999")), "invalid containerPort: 99999");
    EXPECT_EQ(error_of(parse("1.2.3:80:80")), "invalid IP address: 1.2.3");
    EXPECT_EQ(error_of(parse("localhost:80:80")), "invalid IP address: localhost");
    EXPECT_EQ(error_of(parse("80/sctp")), "invalid proto: sctp");
    EXPECT_EQ(error_of(parse("80/icmp")), "invalid proto: icmp");
    EXPECT_EQ(error_of(parse("90-80")), "invalid containerPort: 90-80");
    EXPECT_EQ(error_of(parse("x-80:80")), "invalid hostPort: x-80");
    EXPECT_EQ(error_of(parse("0")), "invalid containerPort: 0");
    EXPECT_EQ(error_of(parse("8000-8001:80-82")),
              "invalid ranges specified for container and host Ports: 80-82 and 8000-8001");
    EXPECT_EQ(error_of(parse("8000:80-82")), "invalid ranges specified for container and host Ports: 80-82 and 8000");
    EXPECT_EQ(error_of(parse("1.2.3.4::")), "no port specified: 1.2.3.4::<empty>");
    EXPECT_EQ(error_of(parse("")), "no port specified: <empty>");
    EXPECT_EQ(error_of(parse("/udp")), "no port specified: /udp<empty>");
}

TEST(PublishFlag, IdenticalMappingsCountOnceButEachBarePortGetsItsOwn) {
    auto requests = cli::parse_publish_flags({"8080:80", "8080:80", "90", "90"});
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].port.host_port, 8080);
    EXPECT_EQ(requests[1].port.container_port, 90);
    EXPECT_EQ(requests[2].port.container_port, 90);
}

// ---------------------------------------------------------------- formats

TEST(PortFormat, PsColumnAsDocker) {
    EXPECT_EQ(cli::format_ports({}), "");
    EXPECT_EQ(cli::format_ports({published("0.0.0.0", 5000, 5000)}), "0.0.0.0:5000->5000/tcp");
    EXPECT_EQ(cli::format_ports({published("127.0.0.1", 18080, 80)}), "127.0.0.1:18080->80/tcp");
    // Same numbers on both sides collapse into a range...
    EXPECT_EQ(cli::format_ports({published("0.0.0.0", 8002, 8002), published("0.0.0.0", 8000, 8000),
                                 published("0.0.0.0", 8001, 8001)}),
              "0.0.0.0:8000-8002->8000-8002/tcp");
    // ...other mappings are listed one by one, after the ranges, as docker does.
    EXPECT_EQ(cli::format_ports({published("0.0.0.0", 8000, 80), published("0.0.0.0", 8001, 81),
                                 published("0.0.0.0", 9000, 9000)}),
              "0.0.0.0:9000->9000/tcp, 0.0.0.0:8000->80/tcp, 0.0.0.0:8001->81/tcp");
    EXPECT_EQ(cli::format_ports({published("0.0.0.0", 53, 53, Protocol::Udp), published("0.0.0.0", 53, 53)}),
              "0.0.0.0:53->53/tcp, 0.0.0.0:53->53/udp");
    // A gap ends a run; docker prints the finished run first.
    EXPECT_EQ(cli::format_ports({published("0.0.0.0", 80, 80), published("0.0.0.0", 81, 81),
                                 published("0.0.0.0", 90, 90)}),
              "0.0.0.0:80-81->80-81/tcp, 0.0.0.0:90->90/tcp");
}

TEST(PortFormat, PortCommandLines) {
    std::vector<PublishedPort> ports = {published("0.0.0.0", 8443, 443), published("0.0.0.0", 8080, 80),
                                        published("127.0.0.1", 5353, 53, Protocol::Udp)};
    EXPECT_EQ(cli::port_lines(ports),
              (std::vector<std::string>{"53/udp -> 127.0.0.1:5353", "80/tcp -> 0.0.0.0:8080",
                                        "443/tcp -> 0.0.0.0:8443"}));
    EXPECT_EQ(cli::port_lines(ports, "80"), std::vector<std::string>{"0.0.0.0:8080"});
    EXPECT_EQ(cli::port_lines(ports, "80/tcp"), std::vector<std::string>{"0.0.0.0:8080"});
    EXPECT_EQ(cli::port_lines(ports, "53/udp"), std::vector<std::string>{"127.0.0.1:5353"});
    EXPECT_TRUE(cli::port_lines(ports, "53").empty());
    EXPECT_EQ(error_of([&] { cli::port_lines(ports, "abc"); }, kExitGeneric), "invalid port (abc)");
    EXPECT_EQ(cli::container_port_key(ports[2]), "53/udp");
}

TEST(PortFormat, NaturalOrder) {
    EXPECT_TRUE(cli::natural_less("2", "10"));
    EXPECT_FALSE(cli::natural_less("10", "2"));
    EXPECT_TRUE(cli::natural_less("80/tcp", "443/tcp"));
    EXPECT_TRUE(cli::natural_less("a", "b"));
    EXPECT_TRUE(cli::natural_less("a1", "a1b"));
    EXPECT_FALSE(cli::natural_less("x", "x"));
}

// ---------------------------------------------------------------- host ports

// A TCP or UDP socket on 127.0.0.1:port (0: any), listening for TCP.
UniqueFd bound_socket(std::uint16_t port, bool udp = false) {
    UniqueFd fd(::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
    if (!udp) ::listen(fd.get(), 1);
    return fd;
}

std::uint16_t port_of(const UniqueFd& fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

PortRequest request(const char* flag) { return cli::parse_publish_flag(flag).at(0); }

TEST(HostPorts, CollisionRules) {
    EXPECT_TRUE(cli::ports_collide(published("0.0.0.0", 80, 1), published("127.0.0.1", 80, 2)));
    EXPECT_TRUE(cli::ports_collide(published("127.0.0.1", 80, 1), published("127.0.0.1", 80, 2)));
    EXPECT_FALSE(cli::ports_collide(published("127.0.0.1", 80, 1), published("127.0.0.2", 80, 2)));
    EXPECT_FALSE(cli::ports_collide(published("0.0.0.0", 80, 1), published("0.0.0.0", 81, 1)));
    EXPECT_FALSE(cli::ports_collide(published("0.0.0.0", 80, 1), published("0.0.0.0", 80, 1, Protocol::Udp)));
}

TEST(HostPorts, MissingHostPortIsChosenByTheKernel) {
    auto chosen = cli::choose_host_ports({request("127.0.0.1::80"), request("127.0.0.1::80/udp")}, {});
    ASSERT_EQ(chosen.size(), 2u);
    EXPECT_NE(chosen[0].host_port, 0);
    EXPECT_NE(chosen[1].host_port, 0);
    EXPECT_EQ(chosen[1].protocol, Protocol::Udp);
    EXPECT_EQ(chosen[0].container_port, 80);
}

TEST(HostPorts, ABoundPortIsRefused) {
    UniqueFd listener = bound_socket(0);
    ASSERT_TRUE(listener);
    const std::string port = std::to_string(port_of(listener));
    EXPECT_EQ(error_of([&] { cli::choose_host_ports({request(("127.0.0.1:" + port + ":80").c_str())}, {}); }),
              "Bind for 127.0.0.1:" + port + " failed: port is already allocated");
    // 0.0.0.0 includes 127.0.0.1.
    EXPECT_EQ(error_of([&] { cli::choose_host_ports({request((port + ":80").c_str())}, {}); }),
              "Bind for 0.0.0.0:" + port + " failed: port is already allocated");
    // The same number over udp is another port.
    EXPECT_NO_THROW(cli::choose_host_ports({request(("127.0.0.1:" + port + ":80/udp").c_str())}, {}));

    UniqueFd udp = bound_socket(0, true);
    ASSERT_TRUE(udp);
    const std::string udp_port = std::to_string(port_of(udp));
    EXPECT_EQ(error_of([&] { cli::choose_host_ports({request(("127.0.0.1:" + udp_port + ":53/udp").c_str())}, {}); }),
              "Bind for 127.0.0.1:" + udp_port + " failed: port is already allocated");
}

TEST(HostPorts, APublishedPortIsRefusedAndCountsForTheNextRequests) {
    UniqueFd probe = bound_socket(0);
    const std::uint16_t free_port = port_of(probe);
    probe.reset();
    const std::string port = std::to_string(free_port);
    // Published by another container (its rules, not a socket):
    EXPECT_EQ(error_of([&] {
                  cli::choose_host_ports({request(("127.0.0.1:" + port + ":80").c_str())},
                                         {published("0.0.0.0", free_port, 8080)});
              }),
              "Bind for 127.0.0.1:" + port + " failed: port is already allocated");
    // Asked for twice in one run:
    EXPECT_EQ(error_of([&] {
                  cli::choose_host_ports({request(("127.0.0.1:" + port + ":80").c_str()),
                                          request(("127.0.0.1:" + port + ":81").c_str())},
                                         {});
              }),
              "Bind for 127.0.0.1:" + port + " failed: port is already allocated");
    // Another address of the host is another port.
    EXPECT_NO_THROW(cli::choose_host_ports({request(("127.0.0.1:" + port + ":80").c_str())},
                                           {published("127.0.0.2", free_port, 8080)}));
}

TEST(HostPorts, ARangeGivesItsFirstFreePort) {
    // Two neighbouring ports free right now (retry until the kernel gives such a pair).
    for (int attempt = 0; attempt < 50; ++attempt) {
        UniqueFd probe = bound_socket(0);
        const std::uint16_t first = port_of(probe);
        if (first >= 65534) continue;
        UniqueFd second = bound_socket(static_cast<std::uint16_t>(first + 1));
        if (!second) continue;
        second.reset();
        // first is held by `probe`: the range gives first + 1.
        const std::string flag = "127.0.0.1:" + std::to_string(first) + "-" + std::to_string(first + 1) + ":80";
        auto chosen = cli::choose_host_ports({request(flag.c_str())}, {});
        ASSERT_EQ(chosen.size(), 1u);
        EXPECT_EQ(chosen[0].host_port, first + 1);
        // Both taken: refused, naming the range.
        EXPECT_EQ(error_of([&] { cli::choose_host_ports({request(flag.c_str())}, {chosen[0]}); }),
                  "Bind for 127.0.0.1:" + std::to_string(first) + "-" + std::to_string(first + 1) +
                      " failed: port is already allocated");
        return;
    }
    GTEST_SKIP() << "no two neighbouring free ports found";
}

TEST(HostPorts, PublishedPortsAreReadFromNftJson) {
    const std::string json = R"({"nftables":[{"metainfo":{"version":"1.0.6"}},
      {"table":{"family":"ip","name":"kubik"}},
      {"rule":{"family":"ip","table":"kubik","chain":"prerouting","handle":5,"comment":"container:a","expr":[
        {"match":{"op":"==","left":{"fib":{"result":"type","flags":["daddr"]}},"right":"local"}},
        {"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":8080}},
        {"dnat":{"addr":"172.29.0.2","port":80}}]}},
      {"rule":{"family":"ip","table":"kubik","chain":"prerouting","handle":6,"comment":"container:b","expr":[
        {"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"127.0.0.1"}},
        {"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":5353}},
        {"dnat":{"addr":"172.29.0.3","port":53}}]}},
      {"rule":{"family":"ip","table":"kubik","chain":"output","handle":7,"comment":"container:a","expr":[
        {"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":8080}},
        {"dnat":{"addr":"172.29.0.2","port":80}}]}},
      {"rule":{"family":"ip","table":"kubik","chain":"postrouting","handle":8,"comment":"network:bridge","expr":[
        {"masquerade":null}]}}]})";
    auto ports = cli::published_ports_from_json(json);
    ASSERT_EQ(ports.size(), 2u);
    EXPECT_TRUE(ports[0].host_ip.is_any());
    EXPECT_EQ(ports[0].host_port, 8080);
    EXPECT_EQ(ports[0].container_port, 80);
    EXPECT_EQ(ports[0].protocol, Protocol::Tcp);
    EXPECT_EQ(ports[1].host_ip.str(), "127.0.0.1");
    EXPECT_EQ(ports[1].host_port, 5353);
    EXPECT_EQ(ports[1].protocol, Protocol::Udp);
    EXPECT_TRUE(cli::published_ports_from_json(R"({"nftables":[]})").empty());
}

// ---------------------------------------------------------------- nft

TEST(NftTable, NamesAreStableAndTellTheDefaultRoot) {
    EXPECT_EQ(nft::table_name(KUBIK_DEFAULT_ROOT), "kubik");
    EXPECT_EQ(nft::table_name(std::string(KUBIK_DEFAULT_ROOT) + "/"), "kubik");
    // FNV-1a of "/tmp/kubik-root": the same in every build, forever.
    EXPECT_EQ(nft::root_hash("/tmp/kubik-root"), "49a7161d");
    EXPECT_EQ(nft::table_name("/tmp/kubik-root"), "kubik-49a7161d");
    EXPECT_EQ(nft::table_name("/tmp/./kubik-root/"), "kubik-49a7161d");
    EXPECT_NE(nft::table_name("/tmp/kubik-root2"), "kubik-49a7161d");
}

TEST(NftTable, ScriptMakesTheChainsAndCommentsEveryRule) {
    nft::Batch batch("kubik-x", "container:abc");
    batch.add_rule(nft::Chain::Prerouting, "tcp dport 8080 dnat to 172.29.0.2:80");
    batch.add_rule(nft::Chain::Postrouting, "ip saddr 127.0.0.0/8 masquerade");
    ASSERT_EQ(batch.entries().size(), 2u);
    EXPECT_EQ(batch.entries()[1].chain, nft::Chain::Postrouting);
    EXPECT_EQ(batch.entries()[1].rule, "ip saddr 127.0.0.0/8 masquerade");
    EXPECT_EQ(batch.script(),
              "add table ip kubik-x\n"
              "add chain ip kubik-x prerouting { type nat hook prerouting priority dstnat; }\n"
              "add chain ip kubik-x output { type nat hook output priority -100; }\n"
              "add chain ip kubik-x postrouting { type nat hook postrouting priority srcnat; }\n"
              "add chain ip kubik-x forward { type filter hook forward priority filter; }\n"
              "add rule ip kubik-x prerouting tcp dport 8080 dnat to 172.29.0.2:80 comment \"container:abc\"\n"
              "add rule ip kubik-x postrouting ip saddr 127.0.0.0/8 masquerade comment \"container:abc\"\n");
    // The same rule twice (two host ports for one container port) is applied once.
    nft::Batch twice("kubik-x", "container:abc");
    twice.add_rule(nft::Chain::Postrouting, "ip saddr 127.0.0.0/8 masquerade");
    twice.add_rule(nft::Chain::Postrouting, "ip saddr 127.0.0.0/8 masquerade");
    EXPECT_EQ(twice.entries().size(), 2u);
    const std::string script = twice.script();
    EXPECT_EQ(script.find("masquerade"), script.rfind("masquerade")) << script;
    EXPECT_STREQ(nft::chain_name(nft::Chain::Output), "output");
    EXPECT_STREQ(nft::chain_name(nft::Chain::Forward), "forward");
    // An owner can't end the comment's string and smuggle in a rule.
    nft::Batch evil("kubik-x", "network:a\" accept");
    evil.add_rule(nft::Chain::Forward, "accept");
    EXPECT_THROW(evil.script(), Error);
}

// kubik-nft on a table of the test's own, removed in teardown.
class KubikNft : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "kubik-nft needs root";
        ::setenv("KUBIK_NFT", KUBIK_NFT_BIN, 1);
        std::random_device random;
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(random()));
        table_ = std::string("kubik-test-") + hex;
    }
    void TearDown() override {
        if (table_.empty()) return;
        for (const char* owner : {"container:a", "container:b", "network:n"}) {
            try {
                nft::remove_owner(table_, owner);
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
            }
        }
        try {
            nft::remove_table_if_empty(table_);
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
        }
        EXPECT_FALSE(exists()) << "table ip " << table_ << " left behind";
    }

    // Listing only our table: a host may have many other tables of kubik.
    bool exists() const {
        try {
            nft::list_json(table_);
            return true;
        } catch (const Error&) {
            return false;
        }
    }
    // "CHAIN RULE-TEXT-OWNER" of every rule, from kubik-nft list.
    std::vector<std::pair<std::string, std::string>> rules() const {
        std::vector<std::pair<std::string, std::string>> out;
        auto json = nlohmann::json::parse(nft::list_json(table_));
        for (const auto& item : json["nftables"])
            if (item.contains("rule")) out.emplace_back(item["rule"].value("chain", ""), item["rule"].value("comment", ""));
        return out;
    }

    nft::Batch four_rules(const std::string& owner, int port) const {
        nft::Batch batch(table_, owner);
        const std::string p = std::to_string(port);
        batch.add_rule(nft::Chain::Prerouting, "ip daddr 127.0.0.1 tcp dport " + p + " dnat to 10.255.254.2:80");
        batch.add_rule(nft::Chain::Output, "fib daddr type local ip daddr 127.0.0.1 tcp dport " + p +
                                               " dnat to 10.255.254.2:80");
        batch.add_rule(nft::Chain::Postrouting, "ip saddr 127.0.0.0/8 ip daddr 10.255.254.2 tcp dport 80 masquerade");
        batch.add_rule(nft::Chain::Postrouting, "ip saddr 10.255.254.2 ip daddr 10.255.254.2 tcp dport 80 masquerade");
        return batch;
    }

    std::string table_;
};

TEST_F(KubikNft, ApplyAddsEveryRuleWithItsOwner) {
    nft::apply(four_rules("container:a", 18080));
    ASSERT_TRUE(exists());
    auto listed = rules();
    ASSERT_EQ(listed.size(), 4u);
    EXPECT_EQ(listed[0], std::make_pair(std::string("prerouting"), std::string("container:a")));
    EXPECT_EQ(listed[1].first, "output");
    EXPECT_EQ(listed[2].first, "postrouting");
    // What run reads to refuse a port another container publishes:
    auto ports = cli::published_ports_from_json(nft::list_json(table_));
    bool found = false;
    for (const auto& port : ports)
        found = found || (port.host_port == 18080 && port.host_ip.str() == "127.0.0.1" && port.container_port == 80);
    EXPECT_TRUE(found);
}

TEST_F(KubikNft, RemoveOwnerRemovesOnlyThatOwnersRules) {
    nft::apply(four_rules("container:a", 18081));
    nft::apply(four_rules("container:b", 18082));
    nft::Batch network(table_, "network:n");
    network.add_rule(nft::Chain::Forward, "iifname \"kb-test0\" accept");
    nft::apply(network);
    ASSERT_EQ(rules().size(), 9u);

    nft::remove_owner(table_, "container:a");
    auto left = rules();
    ASSERT_EQ(left.size(), 5u);
    for (const auto& [chain, owner] : left) EXPECT_NE(owner, "container:a") << chain;
    nft::remove_owner(table_, "container:a"); // again: nothing to do, no error

    nft::remove_table_if_empty(table_); // rules are left: it stays
    EXPECT_TRUE(exists());
    nft::remove_owner(table_, "container:b");
    nft::remove_owner(table_, "network:n");
    EXPECT_TRUE(rules().empty());
    nft::remove_table_if_empty(table_);
    EXPECT_FALSE(exists());
}

TEST_F(KubikNft, NoTableIsNothingToRemove) {
    EXPECT_NO_THROW(nft::remove_owner(table_, "container:a"));
    EXPECT_NO_THROW(nft::remove_table_if_empty(table_));
    EXPECT_FALSE(exists());
    EXPECT_THROW(nft::list_json(table_), Error);
}

TEST_F(KubikNft, ARuleTheKernelRefusesUndoesTheWholeBatch) {
    // It parses; the kernel refuses it (no such chain), after the table,
    // the chains and four rules were sent in the same batch.
    nft::Batch batch = four_rules("container:a", 18087);
    batch.add_rule(nft::Chain::Prerouting, "tcp dport 18088 jump nochain");
    std::string message = error_of([&] { nft::apply(batch); });
    // libnftables words it "Could not process rule: No such file or
    // directory", or, when another table of a similar name exists (a test
    // running beside this one), "No such file or directory; did you mean
    // table ...": the errno text is in both.
    EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
    EXPECT_NE(message.find("tcp dport 18088 jump nochain"), std::string::npos) << message;
    EXPECT_FALSE(exists());
}

TEST_F(KubikNft, ABadRuleFailsTheWholeTransactionAndNamesTheRule) {
    nft::Batch batch = four_rules("container:a", 18083);
    batch.add_rule(nft::Chain::Prerouting, "tcp dport 18084 dnat to 10.255.254:80");
    std::string message = error_of([&] { nft::apply(batch); });
    EXPECT_NE(message.find("dnat to 10.255.254:80"), std::string::npos) << message;
    // Not even the table, made by the same transaction, is left.
    EXPECT_FALSE(exists());

    // With the table there and another owner's rules in it, still nothing is added.
    nft::apply(four_rules("container:b", 18085));
    error_of([&] { nft::apply(batch); });
    auto listed = rules();
    EXPECT_EQ(listed.size(), 4u);
    for (const auto& [chain, owner] : listed) EXPECT_EQ(owner, "container:b") << chain;
}

TEST_F(KubikNft, AnEmptyBatchStartsNothing) {
    ::setenv("KUBIK_NFT", "/nonexistent/kubik-nft", 1);
    EXPECT_NO_THROW(nft::apply(nft::Batch(table_, "container:a")));
    EXPECT_THROW(nft::apply(four_rules("container:a", 18086)), Error);
    ::setenv("KUBIK_NFT", KUBIK_NFT_BIN, 1);
    EXPECT_FALSE(exists());
}

// ---------------------------------------------------------------- kubik ps, kubik port

// A container recorded as running with published ports, made through the
// store; its "init" is the test process itself, so it runs as long as the
// test does and nothing needs stopping.
class PortCommands : public test::KubikTest {
protected:
    std::string make_running(const std::string& name, std::vector<PublishedPort> ports) {
        ContainerSpec spec;
        spec.id = generate_container_id();
        spec.name = name;
        spec.image = "busybox";
        spec.argv = {"httpd"};
        spec.cgroup_parent = cgroup_parent();
        spec.ports = std::move(ports);
        ContainerStore store(root_);
        ContainerRecord record(store, store.create(spec));
        record.info().state.status = "running";
        record.info().state.pid = record.info().state.monitor_pid = ::getpid();
        record.info().state.pid_start_time = record.info().state.monitor_start_time = process_start_time(::getpid());
        record.info().state.started_at = now_rfc3339();
        record.save(false);
        record.keep();
        return spec.id;
    }
    // Whether the state file keeps the ports (l6-run's container_state.cpp).
    bool ports_saved(const std::string& id) { return !ContainerStore(root_).load(id).spec.ports.empty(); }
};

TEST_F(PortCommands, PsAndPortShowThePublishedPorts) {
    std::string id = make_running("web", {published("0.0.0.0", 8080, 80), published("127.0.0.1", 5353, 53, Protocol::Udp),
                                          published("0.0.0.0", 9000, 9000), published("0.0.0.0", 9001, 9001)});
    if (!ports_saved(id)) GTEST_SKIP() << "this build's container state doesn't keep the ports yet";

    auto ps = kubik({"ps"});
    ASSERT_EQ(ps.exit_code, 0) << ps.describe();
    EXPECT_NE(ps.out.find("0.0.0.0:9000-9001->9000-9001/tcp, 127.0.0.1:5353->53/udp, 0.0.0.0:8080->80/tcp"),
              std::string::npos)
        << ps.describe();
    auto json = kubik({"ps", "--format", "json"});
    ASSERT_EQ(json.exit_code, 0) << json.describe();
    EXPECT_EQ(nlohmann::json::parse(json.out).value("Ports", ""),
              "0.0.0.0:9000-9001->9000-9001/tcp, 127.0.0.1:5353->53/udp, 0.0.0.0:8080->80/tcp");

    auto all = kubik({"port", "web"});
    ASSERT_EQ(all.exit_code, 0) << all.describe();
    EXPECT_EQ(all.out, "53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n9000/tcp -> 0.0.0.0:9000\n"
                       "9001/tcp -> 0.0.0.0:9001\n");
    auto one = kubik({"port", id.substr(0, 12), "80/tcp"});
    ASSERT_EQ(one.exit_code, 0) << one.describe();
    EXPECT_EQ(one.out, "0.0.0.0:8080\n");
    auto none = kubik({"port", "web", "81"});
    EXPECT_EQ(none.exit_code, 1) << none.describe();
    EXPECT_NE(none.err.find("No public port '81/tcp' published for web"), std::string::npos) << none.describe();
    auto bad = kubik({"port", "web", "http"});
    EXPECT_EQ(bad.exit_code, 1) << bad.describe();
    EXPECT_NE(bad.err.find("invalid port (http)"), std::string::npos) << bad.describe();
    auto missing = kubik({"port", "nosuch"});
    EXPECT_EQ(missing.exit_code, 1) << missing.describe();
}

TEST_F(PortCommands, AContainerWithoutPortsShowsNone) {
    make_running("plain", {});
    auto ps = kubik({"ps", "--format", "json"});
    ASSERT_EQ(ps.exit_code, 0) << ps.describe();
    EXPECT_EQ(nlohmann::json::parse(ps.out).value("Ports", "?"), "");
    auto port = kubik({"port", "plain"});
    EXPECT_EQ(port.exit_code, 0) << port.describe();
    EXPECT_EQ(port.out, "");
}

} // namespace
} // namespace kubik
