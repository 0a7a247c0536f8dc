// Lesson 6 end to end: kubik run with the default bridge, user networks,
// -p, --network none/host/container:, and what is left after a container
// goes. Every test has its own state root, so its own default bridge
// (kb-XXXXXXXX) and nftables table (kubik-XXXXXXXX); traffic goes only to
// 127.0.0.1, the host's own address and the test's own containers. What a
// container has is read from the host: its namespace through setns and
// libnl, the host's links in /sys/class/net, the rules with `nft -j`.
#include "lesson6.hpp"

#include "net/ipv4.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace kubik::test::network6 {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : "\n  ") + x;
    return s;
}

// Commands for busybox inside a container. Its wget looks the "http"
// service up through glibc's NSS and crashes in an image without NSS
// modules, and its name lookups (ping NAME, nc NAME) fail there for the same
// reason: the image has a static busybox and nothing else. So HTTP is
// spoken with nc, and a name is looked up the way NSS "files" would, in the
// container's own /etc/hosts (which is what kubik keeps up to date: there
// is no DNS server).
std::vector<std::string> http_get_in_container(const std::string& ip, std::uint16_t port = 80) {
    return {"sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 " + ip + " " + std::to_string(port)};
}
std::vector<std::string> http_get_by_name_in_container(const std::string& name) {
    return {"sh", "-c",
            "ip=$(awk -v n=" + name + " '{ for (i = 2; i <= NF; i++) if ($i == n) { print $1; exit } }' /etc/hosts); "
            "if [ -z \"$ip\" ]; then echo \"no " + name + " in /etc/hosts:\"; cat /etc/hosts; exit 3; fi; "
            "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 $ip 80"};
}

class Network : public Lesson6Test {
protected:
    /// `run -d -p SPEC ARGS...` where SPEC is made from a free port by
    /// `spec(port)`; a port someone took meanwhile is tried again with
    /// another. Returns the id ("" on failure) and sets `port`.
    std::string run_published(const std::function<std::string(std::uint16_t)>& spec, std::vector<std::string> args,
                              std::uint16_t& port) {
        for (int attempt = 0; attempt < 5; ++attempt) {
            port = free_port();
            std::vector<std::string> argv{"run", "-d", "-p", spec(port)};
            argv.insert(argv.end(), args.begin(), args.end());
            auto r = kubik(argv);
            if (r.exit_code == 125 && (contains(r.err, "already allocated") || contains(r.err, "in use"))) continue;
            std::string id = r.out;
            while (!id.empty() && id.back() == '\n') id.pop_back();
            if (r.exit_code != 0 || id.size() != 64) {
                ADD_FAILURE() << r.describe();
                return "";
            }
            track(id);
            record_host_name("link", host_veth(id));
            return id;
        }
        ADD_FAILURE() << "no free port after 5 tries";
        return "";
    }

    /// Polls until the container `id` left nothing on the host (the veth
    /// goes with its namespace, which the kernel tears down a moment later).
    std::vector<std::string> leftovers_after(const std::string& id, std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::vector<std::string> left;
        do {
            left = leftovers_of(id);
            if (left.empty()) return left;
            std::this_thread::sleep_for(50ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return left;
    }

    /// A subnet for a user network that is in no pool kubik draws from
    /// (10.200.0.0 - 10.239.255.0, /24) and not on the host: random, so
    /// that parallel tests don't pick the same.
    std::string test_subnet() {
        static std::mt19937 rng(std::random_device{}());
        std::uniform_int_distribution<int> b(200, 239), c(0, 255);
        return "10." + std::to_string(b(rng)) + "." + std::to_string(c(rng)) + ".0/24";
    }

    /// Creates a user network on a test_subnet(), retrying when another
    /// test's network took that subnet. Returns the subnet.
    std::string create_test_network(const std::string& name) {
        for (int attempt = 0; attempt < 5; ++attempt) {
            const std::string subnet = test_subnet();
            auto r = create_network(name, {"--subnet", subnet});
            if (r.exit_code == 0) return subnet;
            if (!contains(r.err, "overlaps")) {
                ADD_FAILURE() << r.describe();
                return "";
            }
        }
        ADD_FAILURE() << "no free test subnet after 5 tries";
        return "";
    }

    /// The container's eth0, default route and interfaces, seen from inside
    /// its namespace.
    struct Inside {
        LinkInfo eth0;
        std::string route;
        std::vector<std::string> links;
        std::string error;
    };
    Inside inside(pid_t pid) {
        Inside in;
        const std::string text = in_netns_of(pid, [](std::ostream& o) {
            const LinkInfo e = link_info("eth0");
            o << (e.exists ? 1 : 0) << "\n" << e.mtu << "\n" << e.up << "\n" << e.mac << "\n";
            std::string addrs;
            for (const auto& a : e.addresses) addrs += a + " ";
            o << addrs << "\n" << default_route() << "\n";
            for (const auto& n : link_names()) o << n << " ";
            o << "\n";
        });
        auto lines = lines_of(text);
        if (lines.size() < 7) {
            in.error = text;
            return in;
        }
        in.eth0.exists = lines[0] == "1";
        in.eth0.mtu = static_cast<unsigned>(std::stoul(lines[1]));
        in.eth0.up = lines[2] == "1";
        in.eth0.mac = lines[3];
        std::istringstream a(lines[4]);
        for (std::string w; a >> w;) in.eth0.addresses.push_back(w);
        in.route = lines[5];
        std::istringstream l(lines[6]);
        for (std::string w; l >> w;) in.links.push_back(w);
        return in;
    }

    std::string exec_out(const std::string& name, const std::vector<std::string>& cmd, int* code = nullptr) {
        std::vector<std::string> args{"exec", name};
        args.insert(args.end(), cmd.begin(), cmd.end());
        auto r = kubik(args);
        if (code) *code = r.exit_code;
        return r.out;
    }

    /// `exec FROM` fetching NAME's page by its /etc/hosts entry until the page
    /// holds `marker` (10 s at most: a first connection across the bridge has
    /// been seen to fail once in several runs, with br_netfilter loaded).
    /// Returns what the last try printed, stderr and exit code included.
    std::string fetch_by_name(const std::string& from, const std::string& name, const std::string& marker) {
        std::vector<std::string> args{"exec", from};
        for (const auto& word : http_get_by_name_in_container(name)) args.push_back(word);
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        for (;;) {
            auto r = kubik(args);
            if (contains(r.out, marker) || std::chrono::steady_clock::now() > deadline)
                return r.out + "\n(stderr: " + r.err + ", exit " + std::to_string(r.exit_code) + ")";
            std::this_thread::sleep_for(200ms);
        }
    }
};

// ---------------------------------------------------------------------------
// The default bridge.

TEST_F(Network, ContainerOnTheDefaultBridgeHasEth0WithItsAddressRouteAndTheBridgesMtu) {
    const std::string id = run_detached({"--name", "ctr-a", "busybox", "sleep", "60"});
    ASSERT_FALSE(id.empty());
    const auto j = inspect("ctr-a");
    const auto& s = j.at("NetworkSettings");
    const std::string ip = s.value("IPAddress", ""), gateway = s.value("Gateway", ""), mac = s.value("MacAddress", "");
    const int prefix = s.value("IPPrefixLen", 0);
    ASSERT_FALSE(ip.empty()) << "inspect has no NetworkSettings.IPAddress:\n" << s.dump(2);
    EXPECT_FALSE(gateway.empty()) << s.dump(2);
    EXPECT_TRUE(s.contains("Networks") && s.at("Networks").contains("bridge")) << s.dump(2);
    EXPECT_EQ(j.at("HostConfig").value("NetworkMode", ""), "bridge") << j.at("HostConfig").dump(2);

    const std::string bridge = default_bridge();
    const LinkInfo br = link_info(bridge);
    ASSERT_TRUE(br.exists) << "the default network of this root has no bridge " << bridge << " on the host";
    EXPECT_TRUE(br.up) << br.describe();
    EXPECT_NE(std::find(br.addresses.begin(), br.addresses.end(), gateway + "/" + std::to_string(prefix)), br.addresses.end())
        << "the bridge must have the gateway's address: " << br.describe();

    const LinkInfo end = link_info(host_veth(id));
    ASSERT_TRUE(end.exists) << "no host end " << host_veth(id) << " of the container's veth";
    EXPECT_EQ(end.master, br.index) << "the host end is not a port of " << bridge << ": " << end.describe();
    EXPECT_TRUE(end.up) << end.describe();

    const pid_t pid = pid_of("ctr-a");
    EXPECT_NE(namespace_of(pid, "net"), namespace_of(::getpid(), "net"));
    const Inside in = inside(pid);
    ASSERT_EQ(in.error, "");
    ASSERT_TRUE(in.eth0.exists) << "no eth0 in the container; it has: " << joined(in.links);
    EXPECT_EQ(in.links, (std::vector<std::string>{"eth0", "lo"}));
    EXPECT_EQ(in.eth0.addresses, std::vector<std::string>{ip + "/" + std::to_string(prefix)});
    EXPECT_EQ(in.eth0.mac, mac);
    EXPECT_TRUE(in.eth0.up);
    EXPECT_EQ(in.eth0.mtu, br.mtu) << "eth0's MTU must be the bridge's";
    EXPECT_EQ(in.route, gateway + " eth0") << "the default route must go via the gateway";
    EXPECT_EQ(leases_of(id).size(), 1u) << "the container holds one lease:\n  " << joined(leases_of());
}

TEST_F(Network, TwoContainersTalkOverTheDefaultBridgeByAddress) {
    ASSERT_FALSE(run_detached(std::vector<std::string>{"--name", "ctr-a", "busybox"} + httpd_serving("hello-from-a")).empty());
    const std::string ip = ip_of("ctr-a");
    ASSERT_FALSE(ip.empty());
    EXPECT_TRUE(contains(wait_for_http(ip, 80), "hello-from-a")) << "the host -> a's httpd at " << ip << ":80";
    auto r = kubik({"run", "--rm", "busybox", "sh", "-c",
                    "ping -c 1 -W 5 " + ip + " && printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc " + ip + " 80"});
    EXPECT_EQ(r.exit_code, 0) << "a second container pings a and fetches from its httpd by address\n" << r.describe();
    EXPECT_TRUE(contains(r.out, "hello-from-a")) << r.describe();
    // And the other way: b listens with nc, a connects.
    ASSERT_FALSE(run_detached({"--name", "ctr-b", "busybox", "sh", "-c", "echo hello-from-b | nc -l -p 7000"}).empty());
    const std::string ip_b = ip_of("ctr-b");
    std::string got;
    // Until b's nc listens; bounded, so that a broken network fails in
    // seconds rather than in connect timeouts.
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!contains(got, "hello-from-b") && std::chrono::steady_clock::now() < deadline) {
        got = exec_out("ctr-a", {"nc", "-w", "2", ip_b, "7000"});
        if (!contains(got, "hello-from-b")) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(contains(got, "hello-from-b")) << "a -> b's nc at " << ip_b << ":7000 said: " << got;
}

// ---------------------------------------------------------------------------
// A user network: names resolve, also of a container started later and of
// one that came back with a new address.

TEST_F(Network, ContainersOnAUserNetworkReachEachOtherByName) {
    const std::string subnet = create_test_network("kbtest");
    ASSERT_FALSE(subnet.empty());
    ASSERT_FALSE(run_detached(std::vector<std::string>{"--name", "web", "--network", "kbtest", "busybox"} +
                              httpd_serving("web-1")).empty());
    const std::string web_ip = ip_of("web", "kbtest");
    ASSERT_TRUE(kubik::net::Ipv4Prefix::parse(subnet)->contains(*kubik::net::Ipv4Address::parse(web_ip)))
        << web_ip << " is not in the network's subnet " << subnet;
    ASSERT_TRUE(contains(wait_for_http(web_ip, 80), "web-1"));

    auto r = kubik(std::vector<std::string>{"run", "--rm", "--network", "kbtest", "busybox"} + http_get_by_name_in_container("web"));
    EXPECT_EQ(r.exit_code, 0) << "a container started after web reaches it by name\n" << r.describe();
    EXPECT_TRUE(contains(r.out, "web-1")) << r.describe();

    // A member started after web: web's /etc/hosts must learn its name.
    ASSERT_FALSE(run_detached(std::vector<std::string>{"--name", "late", "--network", "kbtest", "busybox"} +
                              httpd_serving("late-1")).empty());
    const std::string late_ip = ip_of("late", "kbtest");
    ASSERT_TRUE(contains(wait_for_http(late_ip, 80), "late-1"));
    std::string got = fetch_by_name("web", "late", "late-1");
    EXPECT_TRUE(contains(got, "late-1")) << "web -> late by name (late started after web): " << got
                                         << "\nweb's /etc/hosts:\n" << exec_out("web", {"cat", "/etc/hosts"});

    // late goes; another container takes its address; late comes back with a new one.
    remove_containers({"late"});
    ASSERT_FALSE(run_detached({"--name", "filler", "--network", "kbtest", "busybox", "sleep", "60"}).empty());
    ASSERT_FALSE(run_detached(std::vector<std::string>{"--name", "late", "--network", "kbtest", "busybox"} +
                              httpd_serving("late-2")).empty());
    const std::string late_ip2 = ip_of("late", "kbtest");
    EXPECT_NE(late_ip2, late_ip) << "filler should hold late's old address";
    ASSERT_TRUE(contains(wait_for_http(late_ip2, 80), "late-2"));
    got = fetch_by_name("web", "late", "late-2");
    EXPECT_TRUE(contains(got, "late-2")) << "web -> late by name after late came back at " << late_ip2 << ": " << got
                                         << "\nweb's /etc/hosts:\n" << exec_out("web", {"cat", "/etc/hosts"});
    got = fetch_by_name("late", "web", "web-1");
    EXPECT_TRUE(contains(got, "web-1")) << "late -> web by name: " << got;
}

// ---------------------------------------------------------------------------
// -p

TEST_F(Network, PortPublishedOnLocalhostAnswersThereAndNowhereElse) {
    std::uint16_t port = 0;
    const std::string id = run_published([](std::uint16_t p) { return "127.0.0.1:" + std::to_string(p) + ":80"; },
                                         std::vector<std::string>{"--name", "web", "busybox"} + httpd_serving("published-lo"),
                                         port);
    ASSERT_FALSE(id.empty());
    const std::string ip = ip_of("web");
    ASSERT_TRUE(contains(wait_for_http(ip, 80), "published-lo")) << "the container's httpd itself";
    EXPECT_TRUE(contains(wait_for_http("127.0.0.1", port), "published-lo"))
        << "-p 127.0.0.1:" << port << ":80 must answer on 127.0.0.1:" << port << " (no proxy process: nft rules)";
    if (auto host = host_address()) {
        const std::string got = http_get(*host, port);
        EXPECT_FALSE(contains(got, "published-lo")) << "published on 127.0.0.1 only, yet the host's address " << *host
                                                    << ":" << port << " answered";
    } else {
        std::cout << "note: the host has no address but loopback; the other-address check is skipped\n";
    }
    EXPECT_FALSE(rules_of("container:" + id).empty()) << "no rule of the container in " << table() << "; its rules:\n  "
                                                      << [&] { std::string t; for (const auto& x : rules()) t += x.chain + " " + x.comment + "\n  "; return t; }();

    auto r = kubik({"port", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "80/tcp -> 127.0.0.1:" + std::to_string(port))) << r.describe();
    r = kubik({"ps"});
    EXPECT_TRUE(contains(r.out, "127.0.0.1:" + std::to_string(port) + "->80/tcp")) << "ps's PORTS\n" << r.describe();
}

TEST_F(Network, PortPublishedOnEveryAddressAnswersOnLocalhostAndTheHostsAddress) {
    std::uint16_t port = 0;
    const std::string id = run_published([](std::uint16_t p) { return std::to_string(p) + ":80"; },
                                         std::vector<std::string>{"--name", "web", "busybox"} + httpd_serving("published-all"),
                                         port);
    ASSERT_FALSE(id.empty());
    ASSERT_FALSE(run_detached(std::vector<std::string>{"--name", "other", "busybox"} + httpd_serving("other")).empty());
    const std::string other_ip = ip_of("other");
    ASSERT_TRUE(contains(wait_for_http(ip_of("web"), 80), "published-all"));
    ASSERT_TRUE(contains(wait_for_http(other_ip, 80), "other"));

    EXPECT_TRUE(contains(wait_for_http("127.0.0.1", port), "published-all")) << "127.0.0.1:" << port;
    if (auto host = host_address())
        EXPECT_TRUE(contains(wait_for_http(*host, port), "published-all")) << "the host's address " << *host << ":" << port;
    else
        std::cout << "note: the host has no address but loopback; that check is skipped\n";
    // Another container's address is not the host's: its port is its own.
    const std::string got = http_get(other_ip, port);
    EXPECT_FALSE(contains(got, "published-all")) << "the host -> " << other_ip << ":" << port
                                                 << " (another container) reached the published container";
    // Hairpin: the container reaches its own published port through the host.
    const std::string gateway = inspect("web").at("NetworkSettings").value("Gateway", "");
    int code = 0;
    const std::string hairpin =
        exec_out("web", http_get_in_container(gateway, port), &code);
    EXPECT_TRUE(contains(hairpin, "published-all"))
        << "web -> " << gateway << ":" << port << " (its own published port): exit " << code << " " << hairpin
        << "\n(the hairpin masquerade rule, and where br_netfilter is loaded — bridge-nf-call-iptables here: "
        << read_text("/proc/sys/net/bridge/bridge-nf-call-iptables").value_or("absent\n")
        << " — hairpin mode on the container's bridge port: /sys/class/net/" << host_veth(id)
        << "/brport/hairpin_mode is " << read_text("/sys/class/net/" + host_veth(id) + "/brport/hairpin_mode").value_or("absent\n") << ")";
    // From another container through the host's address too: its replies
    // are bridged straight back, so only br_netfilter (bridged IPv4 through
    // conntrack) undoes the DNAT on them; kubik's rules alone can't.
    if (read_text("/proc/sys/net/bridge/bridge-nf-call-iptables").value_or("0").rfind('1', 0) == 0) {
        const std::string via_host = exec_out("other", http_get_in_container(gateway, port), &code);
        EXPECT_TRUE(contains(via_host, "published-all"))
            << "other -> " << gateway << ":" << port << ": exit " << code << " " << via_host;
    } else {
        std::cout << "note: no br_netfilter here; another container -> the host's published port is not checked\n";
    }

    auto r = kubik({"port", "web", "80"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(contains(r.out, "0.0.0.0:" + std::to_string(port))) << r.describe();
}

TEST_F(Network, UdpPortIsPublished) {
    std::uint16_t port = 0;
    // busybox's nc here has no -u: the test's own UDP server runs in the
    // container's network namespace (setns), which is all that matters to
    // the rules.
    const std::string id = run_published([](std::uint16_t p) { return "127.0.0.1:" + std::to_string(p) + ":5353/udp"; },
                                         {"--name", "ctr-u", "busybox", "sleep", "60"}, port);
    ASSERT_FALSE(id.empty());
    Server server(pid_of("ctr-u"), udp_answer(5353, "container"));
    EXPECT_EQ(udp_request(ip_of("ctr-u"), 5353, "direct"), "answer:container:direct");
    EXPECT_EQ(udp_request("127.0.0.1", port, "via-port", 3000ms), "answer:container:via-port")
        << "-p 127.0.0.1:" << port << ":5353/udp";
    auto r = kubik({"port", "ctr-u"});
    EXPECT_TRUE(has_line(r.out, "5353/udp -> 127.0.0.1:" + std::to_string(port))) << r.describe();
}

// ---------------------------------------------------------------------------
// --network none, host, container:NAME

TEST_F(Network, NetworkNoneHasOnlyLoopback) {
    const std::string id = run_detached({"--name", "ctr-n", "--network", "none", "busybox", "sleep", "60"});
    ASSERT_FALSE(id.empty());
    const pid_t pid = pid_of("ctr-n");
    EXPECT_NE(namespace_of(pid, "net"), namespace_of(::getpid(), "net")) << "--network none still has a namespace of its own";
    std::vector<std::string> devices;
    for (const auto& line : lines_of(read_text("/proc/" + std::to_string(pid) + "/net/dev").value_or("")))
        if (auto colon = line.find(':'); colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            name.erase(0, name.find_first_not_of(' '));
            devices.push_back(name);
        }
    EXPECT_EQ(devices, std::vector<std::string>{"lo"}) << "/proc/" << pid << "/net/dev";
    EXPECT_TRUE(leases_of(id).empty()) << joined(leases_of(id));
    EXPECT_FALSE(host_has_link(host_veth(id)));
}

TEST_F(Network, NetworkHostSharesTheHostsNamespace) {
    const std::string id = run_detached({"--name", "ctr-h", "--network", "host", "busybox", "sleep", "60"});
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(namespace_of(pid_of("ctr-h"), "net"), namespace_of(::getpid(), "net"));
    EXPECT_TRUE(leases_of(id).empty()) << joined(leases_of(id));
    // It sees the host's links.
    auto r = kubik({"exec", "ctr-h", "cat", "/proc/net/dev"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    for (const auto& name : link_names())
        if (name != "lo") {
            EXPECT_TRUE(contains(r.out, name + ":")) << "the host's " << name << " is not in the container's /proc/net/dev\n" << r.out;
            break;
        }
}

TEST_F(Network, NetworkContainerSharesThatContainersNamespace) {
    ASSERT_FALSE(run_detached({"--name", "ctr-a", "busybox", "sleep", "60"}).empty());
    const std::string id = run_detached({"--name", "ctr-b", "--network", "container:ctr-a", "busybox", "sleep", "60"});
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(namespace_of(pid_of("ctr-b"), "net"), namespace_of(pid_of("ctr-a"), "net"));
    EXPECT_TRUE(leases_of(id).empty()) << joined(leases_of(id));

    ASSERT_FALSE(run_detached({"--name", "gone", "busybox", "true"}).empty());
    for (int i = 0; i < 100 && inspect("gone").at("State").value("Running", true); ++i) std::this_thread::sleep_for(50ms);
    auto r = kubik({"run", "--rm", "--network", "container:gone", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_TRUE(contains(r.err, "cannot join network of a non running container: gone")) << r.describe();
}

// ---------------------------------------------------------------------------
// Many at once.

TEST_F(Network, TwentyParallelRunsGetDistinctAddresses) {
    std::string script;
    std::vector<std::string> names;
    for (int i = 0; i < 20; ++i) {
        names.push_back("p" + std::to_string(i));
        std::string cmd;
        for (const auto& a : kubik_argv({"run", "-d", "--name", names.back(), "busybox", "sleep", "60"})) cmd += "'" + a + "' ";
        script += cmd + "> /dev/null || echo failed " + names.back() + " & ";
    }
    script += "wait";
    auto r = run({"/bin/sh", "-c", script}, RunOptions{.stdin_data = std::nullopt, .env = {}, .timeout = 90s, .keep_fds = {}});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_FALSE(contains(r.out, "failed")) << r.describe();
    std::set<std::string> addresses;
    for (const auto& name : names) {
        auto j = inspect(name);
        if (j.is_null()) continue;
        track(j.value("Id", ""));
        const std::string ip = j.at("NetworkSettings").value("IPAddress", "");
        EXPECT_FALSE(ip.empty()) << name;
        EXPECT_TRUE(addresses.insert(ip).second) << name << " got " << ip << ", which another container has too";
    }
    EXPECT_EQ(addresses.size(), 20u);
    EXPECT_EQ(leases_of().size(), 20u) << joined(leases_of());
    EXPECT_EQ(bridge_ports(default_bridge()).size(), 20u);
}

TEST_F(Network, ParallelRunsOfOnePortPublishItOnce) {
    // The check reads the kernel's rules and the winner adds its own only
    // once its veth exists: without a lock held in between, several runs
    // see the port free and all publish it.
    const std::uint16_t port = free_port();
    constexpr int kRuns = 6;
    std::string script;
    std::vector<std::string> names;
    for (int i = 0; i < kRuns; ++i) {
        names.push_back("q" + std::to_string(i));
        std::string cmd;
        for (const auto& a : kubik_argv({"run", "-d", "--name", names.back(), "-p", std::to_string(port) + ":80", "busybox",
                                         "sleep", "60"}))
            cmd += "'" + a + "' ";
        script += "( " + cmd + "> /dev/null 2>" + (root_ / (names.back() + ".err")).string() + "; echo " + names.back() +
                  " $? ) & ";
    }
    script += "wait";
    auto r = run({"/bin/sh", "-c", script}, RunOptions{.stdin_data = std::nullopt, .env = {}, .timeout = 90s, .keep_fds = {}});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    int started = 0, refused = 0;
    for (const auto& name : names) {
        if (KubikTest::kubik({"inspect", name}).exit_code == 0) track(inspect(name).value("Id", ""));
        const std::string err = read_text(root_ / (name + ".err")).value_or("");
        if (contains(r.out, name + " 0\n")) ++started;
        else if (contains(r.out, name + " 125\n") && contains(err, "port is already allocated")) ++refused;
        else ADD_FAILURE() << name << " neither started nor was refused with 125:\n" << r.out << err;
    }
    EXPECT_EQ(started, 1) << r.out;
    EXPECT_EQ(refused, kRuns - 1) << r.out;
    std::set<std::string> publishers;
    for (const auto& rule : rules())
        if (rule.comment.rfind("container:", 0) == 0 && contains(rule.text, "\"dnat\"") &&
            contains(rule.text, std::to_string(port)))
            publishers.insert(rule.comment);
    EXPECT_EQ(publishers.size(), 1u) << "the port must be published by one container only: " << joined({publishers.begin(), publishers.end()});
    EXPECT_EQ(leases_of().size(), 1u) << joined(leases_of());
}

// ---------------------------------------------------------------------------
// Nothing left after a container goes, however it goes.

class NetworkCleanup : public Network, public ::testing::WithParamInterface<const char*> {};

TEST_P(NetworkCleanup, LeavesNoVethLeaseRuleOrBridgePort) {
    const std::string how = GetParam();
    std::uint16_t port = 0;
    // "exit": the container ends by itself a moment after it answered.
    std::vector<std::string> command = how == "exit"
        ? std::vector<std::string>{"sh", "-c", "mkdir /www; echo up > /www/index.html; httpd -p 80 -h /www; sleep 3"}
        : httpd_serving("up");
    const std::string id = run_published([](std::uint16_t p) { return "127.0.0.1:" + std::to_string(p) + ":80"; },
                                         std::vector<std::string>{"--name", "ctr-c", "busybox"} + command, port);
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(contains(wait_for_http("127.0.0.1", port), "up"));
    ASSERT_TRUE(host_has_link(host_veth(id)));
    ASSERT_EQ(leases_of(id).size(), 1u);
    ASSERT_FALSE(rules_of("container:" + id).empty());
    const auto j = inspect("ctr-c");
    const pid_t init = j.at("State").value("Pid", 0), monitor = j.at("State").value("MonitorPid", 0);

    if (how == "stop") {
        auto r = kubik({"stop", "-t", "1", "ctr-c"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    } else if (how == "exit") {
        for (int i = 0; i < 200 && inspect("ctr-c").at("State").value("Running", true); ++i) std::this_thread::sleep_for(50ms);
        ASSERT_FALSE(inspect("ctr-c").at("State").value("Running", true)) << "the container did not end by itself";
    } else if (how == "rm-f") {
        auto r = kubik({"rm", "-f", "ctr-c"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    } else if (how == "kill-monitor") {
        // The monitor dies with kill -9 and so does the container: no one
        // is left to release anything; the next `run` sweeps.
        ASSERT_GT(monitor, 0);
        ::kill(monitor, SIGKILL);
        if (init > 0) ::kill(init, SIGKILL);
        for (int i = 0; i < 100 && ::kill(init, 0) == 0; ++i) {
            reap_zombie_children();
            std::this_thread::sleep_for(50ms);
        }
        auto r = kubik({"run", "--rm", "busybox", "true"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    }
    EXPECT_EQ(joined(leftovers_after(id)), "") << "after " << how;
    EXPECT_FALSE(contains(http_get("127.0.0.1", port), "up")) << "the port still answers after " << how;
    if (how == "stop" || how == "exit") {
        auto r = kubik({"rm", "ctr-c"});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        EXPECT_EQ(joined(leftovers_after(id)), "") << "after rm";
    }
}

INSTANTIATE_TEST_SUITE_P(Ways, NetworkCleanup, ::testing::Values("stop", "exit", "rm-f", "kill-monitor"),
                         [](const auto& param_info) {
                             std::string s = param_info.param;
                             std::replace(s.begin(), s.end(), '-', '_');
                             return s;
                         });

// ---------------------------------------------------------------------------
// Bad input: docker's codes and words, nothing made.

struct BadRun {
    const char* name;
    std::vector<std::string> flags;
    const char* message;
};

class NetworkBadRun : public Network, public ::testing::WithParamInterface<BadRun> {};

TEST_P(NetworkBadRun, IsRefusedWith125AndLeavesNothing) {
    std::vector<std::string> args{"run", "--rm", "--name", "bad"};
    args.insert(args.end(), GetParam().flags.begin(), GetParam().flags.end());
    args.insert(args.end(), {"busybox", "true"});
    auto r = kubik(args);
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_TRUE(contains(r.err, GetParam().message)) << "want \"" << GetParam().message << "\"\n" << r.describe();
    expect_no_container_state(GetParam().name);
    EXPECT_EQ(joined(leases_of()), "");
    EXPECT_EQ(joined(bridge_ports(default_bridge())), "");
    for (const auto& rule : rules()) EXPECT_EQ(rule.comment.rfind("container:", 0), std::string::npos) << rule.text;
}

INSTANTIATE_TEST_SUITE_P(
    Flags, NetworkBadRun,
    ::testing::Values(BadRun{"HostPortTooBig", {"-p", "99999:80"}, "invalid hostPort: 99999"},
                      BadRun{"ContainerPortNotANumber", {"-p", "abc"}, "invalid containerPort: abc"},
                      BadRun{"MalformedHostIp", {"-p", "1.2.3:80:80"}, "invalid IP address: 1.2.3"},
                      BadRun{"UnknownNetwork", {"--network", "kb-no-such-net"}, "network kb-no-such-net not found"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(Network, PortBoundOnTheHostIsRefusedWith125) {
    // A socket of the test's own holds the port.
    int fd = -1;
    std::uint16_t port = 0;
    for (int attempt = 0; attempt < 10 && fd < 0; ++attempt) {
        port = free_port();
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ASSERT_GE(fd, 0);
    auto r = kubik({"run", "--rm", "--name", "bad", "-p", std::to_string(port) + ":80", "busybox", "true"});
    ::close(fd);
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_TRUE(contains(r.err, std::to_string(port))) << "the error names the port\n" << r.describe();
    expect_no_container_state("a port bound on the host");
    EXPECT_EQ(joined(leases_of()), "");
    for (const auto& rule : rules()) EXPECT_EQ(rule.comment.rfind("container:", 0), std::string::npos) << rule.text;
}

TEST_F(Network, PortPublishedByAnotherContainerIsRefusedWith125) {
    std::uint16_t port = 0;
    const std::string id = run_published([](std::uint16_t p) { return std::to_string(p) + ":80"; },
                                         std::vector<std::string>{"--name", "first", "busybox"} + httpd_serving("first"), port);
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(contains(wait_for_http("127.0.0.1", port), "first"));
    auto r = kubik({"run", "-d", "--name", "second", "-p", std::to_string(port) + ":80", "busybox", "sleep", "60"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_TRUE(contains(r.err, "port is already allocated")) << r.describe();
    EXPECT_EQ(inspect("first").at("State").value("Running", false), true);
    EXPECT_TRUE(contains(http_get("127.0.0.1", port), "first")) << "the first container's port must still answer";
    EXPECT_EQ(leases_of().size(), 1u) << joined(leases_of());
    EXPECT_EQ(KubikTest::kubik({"inspect", "second"}).exit_code, 1) << "no container 'second' must exist";
}

TEST_F(Network, OverlappingSubnetIsRefused) {
    const std::string subnet = create_test_network("kbtest1");
    ASSERT_FALSE(subnet.empty());
    const auto before = bridges();
    // The same /24 inside a /16.
    const std::string wider = subnet.substr(0, subnet.find('.', 3)) + ".0.0/16";
    auto r = kubik({"network", "create", "--subnet", wider, "kbtest2"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "Pool overlaps with other one on this address space")) << r.describe();
    EXPECT_FALSE(fs::exists(root_ / "networks" / "kbtest2"));
    EXPECT_EQ(bridges(), before) << "no bridge must be made for a refused network";
    r = kubik({"network", "ls"});
    EXPECT_FALSE(contains(r.out, "kbtest2")) << r.describe();
}

TEST_F(Network, NetworkWithAContainerCannotBeRemoved) {
    ASSERT_FALSE(create_test_network("kbtest").empty());
    const std::string bridge =
        nlohmann::json::parse(read_text(root_ / "networks" / "kbtest" / "network.json").value_or("{}")).value("Bridge", "");
    ASSERT_EQ(bridge.rfind("kb-", 0), 0u) << "network.json of kbtest names no kb-* bridge";
    ASSERT_TRUE(host_has_link(bridge));
    ASSERT_FALSE(run_detached({"--name", "ctr-c", "--network", "kbtest", "busybox", "sleep", "60"}).empty());
    auto r = kubik({"network", "rm", "kbtest"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "error while removing network: network kbtest")) << r.describe();
    EXPECT_TRUE(contains(r.err, "has active endpoints")) << r.describe();
    EXPECT_TRUE(host_has_link(bridge)) << "the refused rm took the bridge";
    EXPECT_TRUE(fs::exists(root_ / "networks" / "kbtest"));
    remove_containers({"ctr-c"});
    r = kubik({"network", "rm", "kbtest"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_FALSE(fs::exists(root_ / "networks" / "kbtest"));
    for (int i = 0; i < 50 && host_has_link(bridge); ++i) std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(host_has_link(bridge)) << "network rm must delete the bridge " << bridge;
    for (const auto& rule : rules()) EXPECT_NE(rule.comment, "network:kbtest") << rule.text;
}

}  // namespace
}  // namespace kubik::test::network6
