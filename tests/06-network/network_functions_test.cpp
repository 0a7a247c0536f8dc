// Lesson 6's four functions, called directly. Each test runs in a sandbox: a
// forked child with a network namespace of its own plays the host, and
// NetnsHolder processes play containers (a namespace and nothing else, as
// kubik's child is when the parent makes its veth). What a function makes
// there is read back with libnl, not with the code under test, and vanishes
// with the sandbox, so nothing can be left on the real host.
#include "lesson6.hpp"

#include "core/error.hpp"
#include "net/netlink.hpp"
#include "net/nft.hpp"
#include "network.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace kubik::test::network6 {
namespace {

namespace nw = kubik::network;
using net::Ipv4Address;
using net::Ipv4Prefix;

// Runs `body` in a child with a fresh network namespace (lo up) and returns
// what it wrote; the test expects "" and prints anything else. The child has
// a mount namespace of its own too, with a sysfs mounted there: /sys/class/net
// then shows the sandbox's interfaces (a bridge port's settings are there).
std::string in_sandbox(const std::function<void(std::ostream&)>& body,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return in_child(
        [&](std::ostream& out) {
            if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
                throw std::runtime_error(std::string("sandbox: unshare: ") + std::strerror(errno));
            if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
                ::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
                throw std::runtime_error(std::string("sandbox: a sysfs of its own: ") + std::strerror(errno));
            set_link_up("lo");
            body(out);
        },
        timeout);
}

std::string names(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : " ") + n;
    return s;
}

// What a function threw: "" when it returned, else "kubik::Error: WHAT" or
// "other: WHAT".
template <class F>
std::string thrown_by(F&& f) {
    try {
        f();
        return "";
    } catch (const kubik::Error& e) {
        return std::string("kubik::Error: ") + e.what();
    } catch (const std::exception& e) {
        return std::string("other: ") + e.what();
    }
}

nw::InterfaceConfig config_for(const std::string& address, const std::string& gateway, const std::string& mac) {
    nw::InterfaceConfig c;
    c.name = "eth0";
    c.address = *Ipv4Prefix::parse(address);
    c.gateway = *Ipv4Address::parse(gateway);
    c.mac = mac;
    return c;
}

// A "container" of the sandbox wired the way kubik wires one, with the
// lesson's own functions: veth HOST_NAME <-> eth0, plugged into `bridge`,
// eth0 configured inside. Returns "" or what failed.
std::string wire(const NetnsHolder& c, const std::string& host_name, const std::string& bridge,
                 const std::string& address, const std::string& gateway, const std::string& mac) {
    std::string step = "create_veth_pair";
    try {
        net::RouteSocket host;
        nw::create_veth_pair(host, host_name, "eth0", c.pid(), 1500);
        step = "attach_to_bridge";
        nw::attach_to_bridge(host, host_name, bridge);
    } catch (const std::exception& e) {
        return "setup of a container with the lesson's " + step + "() failed: " + e.what() + "\n";
    }
    // Hairpin mode on the port, as kubik sets it: with br_netfilter loaded
    // (bridge-nf-call-iptables, docker's and Kubernetes' hosts) the DNAT of a
    // container's packet to itself happens inside the bridge, and the frame
    // must go back out of the port it came in by. Set by the test here so
    // that this sandbox checks the rules alone.
    try {
        write_sysctl("/sys/class/net/" + host_name + "/brport/hairpin_mode", "1");
    } catch (const std::exception& e) {
        return std::string("setup: hairpin mode: ") + e.what() + "\n";
    }
    const std::string inside = in_netns_of(c.pid(), [&](std::ostream&) {
        set_link_up("lo");
        net::RouteSocket sock;
        nw::configure_interface(sock, config_for(address, gateway, mac));
    });
    return inside.empty() ? "" : "setup of a container with the lesson's configure_interface() failed: " + inside;
}

nw::PublishedPort port(const std::string& host_ip, std::uint16_t host_port, std::uint16_t container_port,
                       nw::Protocol protocol = nw::Protocol::Tcp) {
    return nw::PublishedPort{*Ipv4Address::parse(host_ip), host_port, container_port, protocol};
}

std::string entries_text(const nft::Batch& b) {
    std::string s;
    for (const auto& e : b.entries()) s += std::string("  ") + nft::chain_name(e.chain) + ": " + e.rule + "\n";
    return s.empty() ? "  (no rule at all)\n" : s;
}

// The rules of `chain` whose text contains every one of `words`.
std::vector<std::string> matching(const nft::Batch& b, nft::Chain chain, const std::vector<std::string>& words) {
    std::vector<std::string> out;
    for (const auto& e : b.entries()) {
        if (e.chain != chain) continue;
        bool all = true;
        for (const auto& w : words) all = all && e.rule.find(w) != std::string::npos;
        if (all) out.push_back(e.rule);
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// create_veth_pair

TEST_F(NetworkFunctions, VethPeerIsCreatedInTheContainersNamespaceAsEth0WithTheMtu) {
    const std::string report = in_sandbox([](std::ostream& out) {
        NetnsHolder c;
        net::RouteSocket host;
        nw::create_veth_pair(host, "kv-test1", "eth0", c.pid(), 1400);

        const LinkInfo end = link_info("kv-test1");
        if (!end.exists) out << "the host end kv-test1 is not in the host's namespace; it has: " << names(link_names()) << "\n";
        else {
            if (end.kind != "veth") out << "kv-test1 is not a veth: " << end.describe() << "\n";
            if (end.mtu != 1400) out << "kv-test1's MTU is " << end.mtu << ", not the 1400 asked for (the bridge's)\n";
        }
        if (link_info("eth0").exists)
            out << "an eth0 appeared in the host's namespace: the peer was made on the host and never moved "
                   "into the container's namespace (IFLA_NET_NS_PID on the peer)\n";
        out << in_netns_of(c.pid(), [](std::ostream& o) {
            const LinkInfo eth0 = link_info("eth0");
            if (!eth0.exists) {
                o << "no eth0 in the container's namespace; it has: " << names(link_names()) << "\n";
                return;
            }
            if (eth0.kind != "veth") o << "the container's eth0 is not a veth: " << eth0.describe() << "\n";
            if (eth0.mtu != 1400) o << "the container's eth0 has MTU " << eth0.mtu << ", not 1400: set it on the peer too\n";
            if (link_info("kv-test1").exists) o << "the host end kv-test1 is inside the container's namespace\n";
            if (link_names() != std::vector<std::string>{"eth0", "lo"})
                o << "the container's namespace must hold lo and eth0 only; it has: " << names(link_names()) << "\n";
        });
    });
    EXPECT_EQ(report, "");
}

TEST_F(NetworkFunctions, VethWithATakenNameFailsAndLeavesNothing) {
    const std::string report = in_sandbox([](std::ostream& out) {
        NetnsHolder c;
        net::RouteSocket host;
        nw::create_veth_pair(host, "kv-test1", "eth0", c.pid(), 1500);

        // The host's name is taken.
        std::string e = thrown_by([&] { nw::create_veth_pair(host, "kv-test1", "eth1", c.pid(), 1500); });
        if (e.empty()) out << "a second veth named kv-test1 was accepted\n";
        else if (e.rfind("kubik::Error", 0) != 0) out << "not a kubik::Error: " << e << "\n";
        else if (e.find("kv-test1") == std::string::npos) out << "the error must name the interface kv-test1: " << e << "\n";
        // The container's name is taken: one request, so nothing is left on the host.
        e = thrown_by([&] { nw::create_veth_pair(host, "kv-test2", "eth0", c.pid(), 1500); });
        if (e.empty()) out << "a second eth0 in the container's namespace was accepted\n";
        if (link_info("kv-test2").exists)
            out << "kv-test2 was left on the host after its peer could not be made: create both ends with one "
                   "request (the peer's namespace in the same message)\n";
        out << in_netns_of(c.pid(), [](std::ostream& o) {
            if (link_names() != std::vector<std::string>{"eth0", "lo"})
                o << "after the failed calls the container must hold lo and eth0 only; it has: " << names(link_names()) << "\n";
        });
        // No such process.
        pid_t gone = 0;
        {
            NetnsHolder short_lived;
            gone = short_lived.pid();
        }
        e = thrown_by([&] { nw::create_veth_pair(host, "kv-test3", "eth0", gone, 1500); });
        if (e.empty()) out << "a veth into the namespace of a process that is gone was accepted\n";
        else if (e.rfind("kubik::Error", 0) != 0) out << "not a kubik::Error: " << e << "\n";
        if (link_info("kv-test3").exists) out << "kv-test3 was left on the host although the process is gone\n";
        if (link_info("eth0").exists) out << "an eth0 was left on the host\n";
    });
    EXPECT_EQ(report, "");
}

// ---------------------------------------------------------------------------
// attach_to_bridge

TEST_F(NetworkFunctions, AttachPlugsTheHostEndIntoTheBridgeAndBringsItUp) {
    const std::string report = in_sandbox([](std::ostream& out) {
        make_bridge("kb-test0", "10.0.0.1/24");
        NetnsHolder c;
        net::RouteSocket host;
        nw::create_veth_pair(host, "kv-test1", "eth0", c.pid(), 1500);
        nw::attach_to_bridge(host, "kv-test1", "kb-test0");
        const LinkInfo bridge = link_info("kb-test0");
        const LinkInfo end = link_info("kv-test1");
        if (end.master != bridge.index)
            out << "kv-test1's master is " << end.master << ", not the bridge kb-test0 (index " << bridge.index
                << "): set IFLA_MASTER\n";
        if (!end.up) out << "kv-test1 is down after attach_to_bridge: bring the host end up (IFF_UP)\n";
        // The sandbox has a sysfs of its own: the port's bridge settings.
        const std::string hairpin = read_text("/sys/class/net/kv-test1/brport/hairpin_mode").value_or("(none)\n");
        if (hairpin != "1\n")
            out << "kv-test1's hairpin_mode is " << hairpin << "  not 1: where br_netfilter is loaded, a container "
                   "calling its own published port through the host is sent back out of the port it came in by, "
                   "which a bridge port does only in hairpin mode (rtnl_link_bridge_set_flags)\n";
        if (!link_info("kb-test0").up) out << "the bridge went down\n";

        std::string e = thrown_by([&] { nw::attach_to_bridge(host, "kv-none", "kb-test0"); });
        if (e.empty()) out << "attaching an interface that doesn't exist was accepted\n";
        else if (e.rfind("kubik::Error", 0) != 0) out << "not a kubik::Error: " << e << "\n";
        else if (e.find("kv-none") == std::string::npos) out << "the error must name the interface kv-none: " << e << "\n";
        e = thrown_by([&] { nw::attach_to_bridge(host, "kv-test1", "kb-none"); });
        if (e.empty()) out << "attaching to a bridge that doesn't exist was accepted\n";
        else if (e.rfind("kubik::Error", 0) != 0) out << "not a kubik::Error: " << e << "\n";
        else if (e.find("kb-none") == std::string::npos) out << "the error must name the bridge kb-none: " << e << "\n";
    });
    EXPECT_EQ(report, "");
}

// ---------------------------------------------------------------------------
// configure_interface

TEST_F(NetworkFunctions, ConfigureGivesEth0ItsMacAddressRouteAndBringsItUp) {
    const std::string report = in_sandbox([](std::ostream& out) {
        make_bridge("kb-test0", "10.1.0.1/20");
        NetnsHolder c;
        {
            net::RouteSocket host;
            nw::create_veth_pair(host, "kv-test1", "eth0", c.pid(), 1500);
        }
        set_link_up("kv-test1");
        out << in_netns_of(c.pid(), [](std::ostream& o) {
            net::RouteSocket sock;
            nw::configure_interface(sock, config_for("10.1.0.2/20", "10.1.0.1", "02:42:0a:01:00:02"));
            const LinkInfo eth0 = link_info("eth0");
            if (!eth0.up) o << "eth0 is down: bring it up (IFF_UP)\n";
            if (eth0.mac != "02:42:0a:01:00:02") o << "eth0's MAC is " << eth0.mac << ", not 02:42:0a:01:00:02\n";
            if (eth0.addresses != std::vector<std::string>{"10.1.0.2/20"})
                o << "eth0's addresses are [" << names(eth0.addresses) << "], not [10.1.0.2/20] (the address with the "
                  << "subnet's prefix length)\n";
            const std::string route = default_route();
            if (route != "10.1.0.1 eth0")
                o << "the default route is \"" << route << "\", not \"10.1.0.1 eth0\" (via the gateway, on eth0)\n";

            const std::string e = thrown_by([&] {
                auto other = config_for("10.1.0.3/20", "10.1.0.1", "02:42:0a:01:00:03");
                other.name = "eth9";
                nw::configure_interface(sock, other);
            });
            if (e.empty()) o << "configuring an interface that doesn't exist (eth9) was accepted\n";
            else if (e.rfind("kubik::Error", 0) != 0) o << "not a kubik::Error: " << e << "\n";
        });
    });
    EXPECT_EQ(report, "");
}

TEST_F(NetworkFunctions, TwoContainersWiredWithTheLessonsFunctionsTalkOverTheBridge) {
    const std::string report = in_sandbox([](std::ostream& out) {
        make_bridge("kb-test0", "10.2.0.1/24");
        write_sysctl("/proc/sys/net/ipv4/conf/kb-test0/forwarding", "1");
        NetnsHolder c1, c2;
        out << wire(c1, "kv-c1", "kb-test0", "10.2.0.2/24", "10.2.0.1", "02:42:0a:02:00:02");
        out << wire(c2, "kv-c2", "kb-test0", "10.2.0.3/24", "10.2.0.1", "02:42:0a:02:00:03");
        Server s1(c1.pid(), tcp_answer(80, "c1"));
        Server host_server(0, tcp_answer(81, "host"));
        std::string got = in_netns_of(c2.pid(), [](std::ostream& o) { o << tcp_request("10.2.0.2", 80); });
        if (got != "answer:c1") out << "c2 -> c1 (10.2.0.2:80) over the bridge: " << got << "\n";
        got = in_netns_of(c2.pid(), [](std::ostream& o) { o << tcp_request("10.2.0.1", 81); });
        if (got != "answer:host") out << "c2 -> the bridge's address (10.2.0.1:81): " << got << "\n";
        got = tcp_request("10.2.0.2", 80);
        if (got != "answer:c1") out << "host -> c1 (10.2.0.2:80): " << got << "\n";
    });
    EXPECT_EQ(report, "");
}

// ---------------------------------------------------------------------------
// add_port_rules: the entries

TEST_F(NetworkFunctions, PortRulesForEveryAddressOfTheHost) {
    nft::Batch b("kubik-test", "container:test");
    nw::add_port_rules(b, port("0.0.0.0", 8080, 80), *Ipv4Address::parse("172.29.0.2"), "kb-test0");
    const std::string all = entries_text(b);
    using nft::Chain;
    EXPECT_EQ(matching(b, Chain::Prerouting, {"fib daddr type local", "tcp dport 8080", "dnat to 172.29.0.2:80"}).size(), 1u)
        << "prerouting needs one rule: fib daddr type local tcp dport 8080 dnat to 172.29.0.2:80 (packets "
           "arriving for any of the host's addresses); the batch has:\n" << all;
    EXPECT_EQ(matching(b, Chain::Output, {"fib daddr type local", "tcp dport 8080", "dnat to 172.29.0.2:80"}).size(), 1u)
        << "output needs one rule: fib daddr type local tcp dport 8080 dnat to 172.29.0.2:80 (what the host "
           "sends to itself, 127.0.0.1 included, never what it sends elsewhere); the batch has:\n" << all;
    EXPECT_EQ(matching(b, Chain::Postrouting, {"ip saddr 127.0.0.0/8", "ip daddr 172.29.0.2", "tcp dport 80", "masquerade"}).size(), 1u)
        << "postrouting needs: ip saddr 127.0.0.0/8 ip daddr 172.29.0.2 tcp dport 80 masquerade (a reply to "
           "127.0.0.1 could never leave the container); the batch has:\n" << all;
    EXPECT_EQ(matching(b, Chain::Postrouting, {"ip saddr 172.29.0.2", "ip daddr 172.29.0.2", "tcp dport 80", "masquerade"}).size(), 1u)
        << "postrouting needs the hairpin: ip saddr 172.29.0.2 ip daddr 172.29.0.2 tcp dport 80 masquerade; "
           "the batch has:\n" << all;
    for (const auto& e : b.entries()) {
        EXPECT_EQ(e.rule.find("udp"), std::string::npos) << "a tcp port's rules name udp:\n" << all;
        EXPECT_EQ(e.rule.find("comment"), std::string::npos) << "the Batch adds the owner's comment itself:\n" << all;
        EXPECT_NE(e.chain, Chain::Forward) << "a published port needs no forward rule (the network has them):\n" << all;
    }
}

TEST_F(NetworkFunctions, PortRulesForOneAddressOfTheHost) {
    nft::Batch b("kubik-test", "container:test");
    nw::add_port_rules(b, port("127.0.0.1", 18080, 80), *Ipv4Address::parse("172.29.0.2"), "kb-test0");
    const std::string all = entries_text(b);
    using nft::Chain;
    EXPECT_EQ(matching(b, Chain::Prerouting, {"ip daddr 127.0.0.1", "tcp dport 18080", "dnat to 172.29.0.2:80"}).size(), 1u)
        << "with a host address, prerouting matches ip daddr 127.0.0.1; the batch has:\n" << all;
    EXPECT_EQ(matching(b, Chain::Output, {"ip daddr 127.0.0.1", "fib daddr type local", "tcp dport 18080", "dnat to 172.29.0.2:80"}).size(), 1u)
        << "with a host address, output matches ip daddr 127.0.0.1 and still fib daddr type local; the batch has:\n" << all;
    EXPECT_TRUE(matching(b, Chain::Prerouting, {"fib daddr type local"}).empty())
        << "prerouting must not take every local address when the flag named one; the batch has:\n" << all;
}

TEST_F(NetworkFunctions, PortRulesForUdp) {
    nft::Batch b("kubik-test", "container:test");
    nw::add_port_rules(b, port("0.0.0.0", 5353, 53, nw::Protocol::Udp), *Ipv4Address::parse("10.240.0.9"), "kb-test0");
    const std::string all = entries_text(b);
    using nft::Chain;
    EXPECT_EQ(matching(b, Chain::Prerouting, {"udp dport 5353", "dnat to 10.240.0.9:53"}).size(), 1u) << all;
    EXPECT_EQ(matching(b, Chain::Output, {"fib daddr type local", "udp dport 5353", "dnat to 10.240.0.9:53"}).size(), 1u) << all;
    EXPECT_EQ(matching(b, Chain::Postrouting, {"ip saddr 127.0.0.0/8", "ip daddr 10.240.0.9", "udp dport 53", "masquerade"}).size(), 1u) << all;
    EXPECT_EQ(matching(b, Chain::Postrouting, {"ip saddr 10.240.0.9", "ip daddr 10.240.0.9", "udp dport 53", "masquerade"}).size(), 1u) << all;
    for (const auto& e : b.entries()) EXPECT_EQ(e.rule.find("tcp"), std::string::npos) << "a udp port's rules name tcp:\n" << all;
}

// ---------------------------------------------------------------------------
// add_port_rules: applied in the kernel (kubik-nft, in the sandbox), with traffic

TEST_F(NetworkFunctions, PublishedPortsAnswerInTheKernel) {
    const std::string report = in_sandbox(
        [](std::ostream& out) {
            // The sandbox's "host": lo with 127.0.0.1 and a second address of
            // its own (192.0.2.10, as a LAN address would be), and a bridge
            // with two containers.
            add_address("lo", "192.0.2.10/32");
            make_bridge("kb-test0", "10.3.0.1/24");
            write_sysctl("/proc/sys/net/ipv4/conf/kb-test0/forwarding", "1");
            write_sysctl("/proc/sys/net/ipv4/conf/kb-test0/route_localnet", "1");
            NetnsHolder c1, c2;
            out << wire(c1, "kv-c1", "kb-test0", "10.3.0.2/24", "10.3.0.1", "02:42:0a:03:00:02");
            out << wire(c2, "kv-c2", "kb-test0", "10.3.0.3/24", "10.3.0.1", "02:42:0a:03:00:03");
            Server c1_tcp(c1.pid(), tcp_answer(80, "c1"));
            Server c1_udp(c1.pid(), udp_answer(80, "c1"));
            Server c2_tcp(c2.pid(), tcp_answer(80, "c2"));

            nft::Batch b("kubik-test", "container:c1");
            const auto c1_ip = *Ipv4Address::parse("10.3.0.2");
            nw::add_port_rules(b, port("0.0.0.0", 8080, 80), c1_ip, "kb-test0");
            nw::add_port_rules(b, port("127.0.0.1", 8081, 80), c1_ip, "kb-test0");
            nw::add_port_rules(b, port("0.0.0.0", 8082, 80, nw::Protocol::Udp), c1_ip, "kb-test0");
            try {
                nft::apply(b);
            } catch (const std::exception& e) {
                out << "the rules were refused by nftables: " << e.what() << "\nthe batch:\n" << b.script() << "\n";
                return;
            }
            auto expect = [&](const std::string& what, const std::string& got, const std::string& want) {
                if (got != want) out << what << ": got " << got << ", want " << want << "\n";
            };
            auto from = [](const NetnsHolder& c, const std::function<std::string()>& request) {
                std::string got = in_netns_of(c.pid(), [&](std::ostream& o) { o << request(); });
                return got;
            };
            expect("the host -> 127.0.0.1:8080 (output dnat, masquerade from 127.0.0.0/8)",
                   tcp_request("127.0.0.1", 8080), "answer:c1");
            expect("the host -> its own 192.0.2.10:8080 (output dnat, fib daddr type local)",
                   tcp_request("192.0.2.10", 8080), "answer:c1");
            expect("the host -> 127.0.0.1:8081 (published on 127.0.0.1 only)", tcp_request("127.0.0.1", 8081), "answer:c1");
            expect("the host -> 192.0.2.10:8081 (published on 127.0.0.1 only: no one listens there)",
                   tcp_request("192.0.2.10", 8081), "refused");
            expect("the host -> the other container 10.3.0.3:8080 (not the host's address: left alone)",
                   tcp_request("10.3.0.3", 8080), "refused");
            expect("the host -> the other container 10.3.0.3:80", tcp_request("10.3.0.3", 80), "answer:c2");
            expect("the host -> udp 127.0.0.1:8082", udp_request("127.0.0.1", 8082, "x"), "answer:c1:x");
            expect("the host -> udp 192.0.2.10:8082", udp_request("192.0.2.10", 8082, "y"), "answer:c1:y");
            // Another container of the bridge through the host: c1's replies
            // to c2 are bridged straight to c2, never routed, so only
            // br_netfilter (bridged IPv4 through conntrack) can undo the
            // DNAT on them. Without it they can't work with these rules
            // (the hairpin rule masquerades c1's own traffic only).
            if (read_text("/proc/sys/net/bridge/bridge-nf-call-iptables").value_or("0").rfind('1', 0) == 0) {
                expect("container c2 -> the host's 192.0.2.10:8080 (prerouting dnat; br_netfilter)",
                       from(c2, [] { return tcp_request("192.0.2.10", 8080); }), "answer:c1");
                expect("container c2 -> the bridge's 10.3.0.1:8080 (prerouting dnat; br_netfilter)",
                       from(c2, [] { return tcp_request("10.3.0.1", 8080); }), "answer:c1");
            }
            expect("container c2 -> the host's 192.0.2.10:8081 (published on 127.0.0.1 only)",
                   from(c2, [] { return tcp_request("192.0.2.10", 8081); }), "refused");
            expect("container c1 -> its own published port via 192.0.2.10:8080 (hairpin masquerade)",
                   from(c1, [] { return tcp_request("192.0.2.10", 8080); }), "answer:c1");
            expect("container c1 -> udp via 192.0.2.10:8082 (hairpin masquerade)",
                   from(c1, [] { return udp_request("192.0.2.10", 8082, "z"); }), "answer:c1:z");
        },
        std::chrono::seconds(60));
    EXPECT_EQ(report, "");
}

}  // namespace kubik::test::network6
