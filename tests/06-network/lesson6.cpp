#include "lesson6.hpp"

#include "core/not_implemented.hpp"
#include "net/netlink.hpp"
#include "net/nft.hpp"
#include "network.hpp"

#include <netlink/route/link/bridge.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef KUBIK_NFT_BIN
#error "KUBIK_NFT_BIN must be defined by tests/CMakeLists.txt"
#endif

namespace kubik::test::network6 {

namespace nw = kubik::network;

std::string kubik_nft_binary() { return KUBIK_NFT_BIN; }

namespace {

[[noreturn]] void fail_errno(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

// The nft tool when installed (an independent reader of kubik's table),
// kubik-nft otherwise.
std::string nft_tool() {
    for (const char* p : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"})
        if (::access(p, X_OK) == 0) return p;
    return "";
}

} // namespace

// ---------------------------------------------------------------------------
// The gate.

std::string stub_message() {
    // add_port_rules is pure: a scratch batch, never applied.
    try {
        nft::Batch scratch("kubik-gate", "gate");
        nw::add_port_rules(scratch,
                           nw::PublishedPort{net::Ipv4Address{0x7f000001}, 1, 1, nw::Protocol::Tcp},
                           net::Ipv4Address{0x0a000002}, "kb-gate");
    } catch (const kubik::NotImplemented& e) {
        return e.what();
    } catch (const std::exception&) {
        // Written, if wrongly: the checks say what is wrong.
    }
    // The other three in a network namespace that dies with the child: if
    // they are written, whatever they make is gone a moment later.
    const std::string report = in_child([](std::ostream& out) {
        if (::unshare(CLONE_NEWNET) != 0) {
            out << "setup: unshare(CLONE_NEWNET): " << std::strerror(errno);
            return;
        }
        const std::function<void()> calls[] = {
            [] {
                net::RouteSocket s;
                nw::create_veth_pair(s, "kb-gate0", "kb-gate1", ::getpid(), 1500);
            },
            [] {
                net::RouteSocket s;
                nw::attach_to_bridge(s, "kb-gate-none", "kb-gate-nobr");
            },
            [] {
                net::RouteSocket s;
                nw::InterfaceConfig c;
                c.name = "kb-gate-none";
                c.address = *net::Ipv4Prefix::parse("10.0.0.2/24");
                c.gateway = *net::Ipv4Address::parse("10.0.0.1");
                c.mac = "02:42:0a:00:00:02";
                nw::configure_interface(s, c);
            },
        };
        for (const auto& call : calls) {
            try {
                call();
            } catch (const kubik::NotImplemented& e) {
                out << "STUB:" << e.what();
                return;
            } catch (const std::exception&) {
            }
        }
    });
    if (report.rfind("STUB:", 0) == 0) return report.substr(5);
    return "";
}

// ---------------------------------------------------------------------------
// Namespaces.

NetnsHolder::NetnsHolder() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) fail_errno("pipe");
    pid_ = ::fork();
    if (pid_ < 0) fail_errno("fork");
    if (pid_ == 0) {
        ::close(p[0]);
        char ok = ::unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
        (void)!::write(p[1], &ok, 1);
        ::close(p[1]);
        for (;;) ::pause();
    }
    ::close(p[1]);
    char ok = 'n';
    (void)!::read(p[0], &ok, 1);
    ::close(p[0]);
    if (ok != 'y') throw std::runtime_error("a process with a network namespace of its own: unshare failed");
}

NetnsHolder::~NetnsHolder() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

void enter_netns_of(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail_errno("open " + path);
    const int rc = ::setns(fd, CLONE_NEWNET);
    const int saved = errno;
    ::close(fd);
    errno = saved;
    if (rc != 0) fail_errno("setns " + path);
}

std::string in_netns_of(pid_t pid, const std::function<void(std::ostream&)>& body,
                        std::chrono::milliseconds timeout) {
    return in_child(
        [&](std::ostream& out) {
            enter_netns_of(pid);
            body(out);
        },
        timeout);
}

Server::Server(pid_t netns_pid, const std::function<void(const std::function<void()>&)>& body) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) fail_errno("pipe");
    pid_ = ::fork();
    if (pid_ < 0) fail_errno("fork");
    if (pid_ == 0) {
        ::close(p[0]);
        try {
            if (netns_pid > 0) enter_netns_of(netns_pid);
            body([&] {
                char ok = 'y';
                (void)!::write(p[1], &ok, 1);
                ::close(p[1]);
            });
        } catch (const std::exception& e) {
            std::string msg = std::string("test server: ") + e.what() + "\n";
            (void)!::write(2, msg.data(), msg.size());
        }
        ::_exit(0);
    }
    ::close(p[1]);
    pollfd pf{p[0], POLLIN, 0};
    char ok = 'n';
    if (::poll(&pf, 1, 5000) > 0) (void)!::read(p[0], &ok, 1);
    ::close(p[0]);
    if (ok != 'y') {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        throw std::runtime_error("a test server did not start");
    }
}

Server::~Server() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

namespace {

sockaddr_in address_of(const std::string& ip, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) throw std::invalid_argument("not an address: " + ip);
    return a;
}

int bound_socket(int type, std::uint16_t port) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) fail_errno("socket");
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = address_of("0.0.0.0", port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) fail_errno("bind :" + std::to_string(port));
    return fd;
}

} // namespace

std::function<void(const std::function<void()>&)> tcp_answer(std::uint16_t port, std::string answer) {
    return [port, answer](const std::function<void()>& ready) {
        const int fd = bound_socket(SOCK_STREAM, port);
        if (::listen(fd, 64) != 0) fail_errno("listen");
        ready();
        for (;;) {
            const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            (void)!::write(c, answer.data(), answer.size());
            ::close(c);
        }
    };
}

std::function<void(const std::function<void()>&)> udp_answer(std::uint16_t port, std::string answer) {
    return [port, answer](const std::function<void()>& ready) {
        const int fd = bound_socket(SOCK_DGRAM, port);
        ready();
        for (char buf[2048];;) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n < 0) continue;
            const std::string reply = answer + ":" + std::string(buf, static_cast<std::size_t>(n));
            ::sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
    };
}

std::string tcp_request(const std::string& ip, std::uint16_t port, const std::string& send,
                        std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return std::string("error: socket: ") + std::strerror(errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
        return static_cast<int>(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count()));
    };
    sockaddr_in a = address_of(ip, port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
        return errno == ECONNREFUSED ? "refused" : std::string("error: connect: ") + std::strerror(errno);
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, left()) <= 0) return "timeout";
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == ECONNREFUSED) return "refused";
    if (err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH) return "timeout";
    if (err != 0) return std::string("error: connect: ") + std::strerror(err);
    for (std::size_t done = 0; done < send.size();) {
        const ssize_t n = ::write(fd, send.data() + done, send.size() - done);
        if (n < 0 && errno == EAGAIN) {
            pollfd w{fd, POLLOUT, 0};
            if (::poll(&w, 1, left()) <= 0) return "timeout";
            continue;
        }
        if (n <= 0) return std::string("error: write: ") + std::strerror(errno);
        done += static_cast<std::size_t>(n);
    }
    std::string got;
    for (char buf[4096];;) {
        pollfd r{fd, POLLIN, 0};
        if (::poll(&r, 1, left()) <= 0) return got.empty() ? "timeout" : "answer:" + got;
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EAGAIN) continue;
        if (n < 0) return got.empty() ? std::string("error: read: ") + std::strerror(errno) : "answer:" + got;
        if (n == 0) return "answer:" + got;
        got.append(buf, static_cast<std::size_t>(n));
    }
}

std::string udp_request(const std::string& ip, std::uint16_t port, const std::string& send,
                        std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("error: socket: ") + std::strerror(errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    sockaddr_in a = address_of(ip, port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        return std::string("error: connect: ") + std::strerror(errno);
    // A few tries: the first datagram may be the one that makes the neighbour entry.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool refused = false;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::send(fd, send.data(), send.size(), 0) < 0 && errno == ECONNREFUSED) refused = true;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 300) > 0) {
            char buf[2048];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n >= 0) return "answer:" + std::string(buf, static_cast<std::size_t>(n));
            if (errno == ECONNREFUSED) refused = true;
        }
    }
    return refused ? "refused" : "timeout";
}

std::string http_get(const std::string& ip, std::uint16_t port, std::chrono::milliseconds timeout) {
    return tcp_request(ip, port, "GET / HTTP/1.0\r\nHost: " + ip + "\r\n\r\n", timeout);
}

// ---------------------------------------------------------------------------
// Links, read with libnl.

std::string LinkInfo::describe() const {
    if (!exists) return "(no such interface)";
    std::ostringstream s;
    s << "index " << index << ", kind " << (kind.empty() ? "?" : kind) << ", mtu " << mtu << ", master " << master
      << (up ? ", up" : ", down") << ", mac " << mac << ", addresses";
    for (const auto& a : addresses) s << " " << a;
    return s.str();
}

LinkInfo link_info(const std::string& name) {
    LinkInfo info;
    net::RouteSocket sock;
    rtnl_link* raw = nullptr;
    if (rtnl_link_get_kernel(sock.get(), 0, name.c_str(), &raw) < 0 || !raw) return info;
    net::Link link(raw);
    info.exists = true;
    info.index = rtnl_link_get_ifindex(raw);
    if (const char* type = rtnl_link_get_type(raw)) info.kind = type;
    info.mtu = rtnl_link_get_mtu(raw);
    info.master = rtnl_link_get_master(raw);
    info.up = (rtnl_link_get_flags(raw) & IFF_UP) != 0;
    if (nl_addr* mac = rtnl_link_get_addr(raw)) {
        char buf[64];
        info.mac = nl_addr2str(mac, buf, sizeof buf);
    }
    nl_cache* raw_cache = nullptr;
    if (rtnl_addr_alloc_cache(sock.get(), &raw_cache) >= 0) {
        net::Cache cache(raw_cache);
        for (nl_object* o = nl_cache_get_first(raw_cache); o; o = nl_cache_get_next(o)) {
            auto* a = reinterpret_cast<rtnl_addr*>(o);
            if (rtnl_addr_get_ifindex(a) != info.index || rtnl_addr_get_family(a) != AF_INET) continue;
            char buf[64];
            nl_addr2str(rtnl_addr_get_local(a), buf, sizeof buf);
            std::string text = buf;
            if (text.find('/') == std::string::npos) text += "/" + std::to_string(rtnl_addr_get_prefixlen(a));
            info.addresses.push_back(text);
        }
    }
    return info;
}

std::vector<std::string> link_names() {
    std::vector<std::string> names;
    net::RouteSocket sock;
    nl_cache* raw = nullptr;
    if (rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &raw) < 0) return names;
    net::Cache cache(raw);
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o))
        names.push_back(rtnl_link_get_name(reinterpret_cast<rtnl_link*>(o)));
    std::sort(names.begin(), names.end());
    return names;
}

std::string default_route() {
    std::ifstream in("/proc/self/net/route");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string dev, dest, gw, flags, refcnt, use, metric, mask;
        f >> dev >> dest >> gw >> flags >> refcnt >> use >> metric >> mask;
        if (dest != "00000000" || mask != "00000000") continue;
        in_addr a{};
        a.s_addr = static_cast<in_addr_t>(std::stoul(gw, nullptr, 16));  // already network order
        char buf[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, &a, buf, sizeof buf);
        return std::string(buf) + " " + dev;
    }
    return "";
}

void make_bridge(const std::string& name, const std::string& address) {
    net::RouteSocket sock;
    net::Link link(rtnl_link_bridge_alloc());
    if (!link) throw std::runtime_error("rtnl_link_bridge_alloc");
    rtnl_link_set_name(link.get(), name.c_str());
    net::check(rtnl_link_add(sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL), "test: create bridge " + name);
    add_address(name, address);
    set_link_up(name);
}

void set_link_up(const std::string& name) {
    net::RouteSocket sock;
    net::Link current = net::get_link(sock, name);
    if (!current) throw std::runtime_error("test: no interface " + name);
    net::Link change(rtnl_link_alloc());
    rtnl_link_set_flags(change.get(), IFF_UP);
    net::check(rtnl_link_change(sock.get(), current.get(), change.get(), 0), "test: set " + name + " up");
}

void add_address(const std::string& name, const std::string& address) {
    net::RouteSocket sock;
    const int index = net::link_index(sock, name);
    if (index == 0) throw std::runtime_error("test: no interface " + name);
    net::Addr addr(rtnl_addr_alloc());
    net::NlAddr local = net::parse_address(address);
    rtnl_addr_set_ifindex(addr.get(), index);
    net::check(rtnl_addr_set_local(addr.get(), local.get()), "test: address " + address);
    net::check(rtnl_addr_add(sock.get(), addr.get(), 0), "test: add " + address + " to " + name);
}

void write_sysctl(const std::string& path, const std::string& value) {
    std::ofstream out(path);
    out << value;
    out.close();
    if (!out) throw std::runtime_error("test: write " + path);
}

// ---------------------------------------------------------------------------
// The host.

std::optional<std::string> host_address() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::nullopt;
    std::optional<std::string> found;
    for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        if ((i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP)) continue;
        const std::string name = i->ifa_name;
        // kubik's own bridges (this test's or another's) are not "the host's address".
        if (name.rfind("kb-", 0) == 0 || name == "kubik0" || name.rfind("kv", 0) == 0 || name == "docker0") continue;
        char buf[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
        found = buf;
    }
    ::freeifaddrs(list);
    return found;
}

std::uint16_t free_port() {
    static std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> pick(20000, 60000);
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto port = static_cast<std::uint16_t>(pick(rng));
        bool free = true;
        for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
            const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
            sockaddr_in a = address_of("0.0.0.0", port);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) free = false;
            ::close(fd);
        }
        if (free) return port;
    }
    throw std::runtime_error("no free port in 20000-60000");
}

// ---------------------------------------------------------------------------
// Fixtures.

fs::path network_names_file() { return test_roots_dir().parent_path() / "test-network-names"; }

void record_host_name(const std::string& kind, const std::string& name) {
    const std::string line = kind + " " + name + "\n";
    const int fd = ::open(network_names_file().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    (void)!::write(fd, line.data(), line.size());
    ::close(fd);
}

void NetworkFunctions::SetUp() {
    ::setenv("KUBIK_NFT", kubik_nft_binary().c_str(), 1);
    const std::string stub = stub_message();
    if (!stub.empty()) FAIL() << "lesson 6 (network) is not implemented yet, so its tests can't pass: " << stub;
}

void Lesson6Test::SetUp() {
    BusyboxTest::SetUp();
    if (HasFatalFailure()) return;
    ::setenv("KUBIK_NFT", kubik_nft_binary().c_str(), 1);
    table_ = nft::table_name(root_);
    // Before kubik can make them: the leak check then knows they are ours.
    record_host_name("table", table_);
    record_host_name("link", default_bridge());
    const std::string stub = stub_message();
    if (!stub.empty()) FAIL() << "lesson 6 (network) is not implemented yet, so its tests can't pass: " << stub;
}

std::string Lesson6Test::default_bridge() const {
    // "kubik-XXXXXXXX" -> "kb-XXXXXXXX": the same hash of the root names both.
    return "kb-" + table_.substr(table_.find('-') + 1);
}

RunResult Lesson6Test::kubik(const std::vector<std::string>& args, const RunOptions& options) {
    auto r = KubikTest::kubik(args, options);
    if (r.err.find("not implemented yet: lesson 6 ") != std::string::npos)
        ADD_FAILURE() << "kubik says lesson 6 (network) is not implemented yet\n" << r.describe();
    if (r.err.find("kubik: skipped: ") != std::string::npos)
        ADD_FAILURE() << "kubik skipped a lesson's step; lesson 6 builds on lessons 0-3\n" << r.describe();
    return r;
}

void Lesson6Test::TearDown() {
    // Everything the test started, whatever happened to it.
    if (!root_.empty()) {
        std::vector<std::string> ids;
        for (const auto& id : container_dirs())
            if (id.size() == 64) ids.push_back(id);
        if (!ids.empty()) {
            std::vector<std::string> args{"rm", "-f"};
            args.insert(args.end(), ids.begin(), ids.end());
            auto r = KubikTest::kubik(args, RunOptions{.stdin_data = std::nullopt, .env = {}, .timeout = 60s, .keep_fds = {}});
            EXPECT_EQ(r.exit_code, 0) << "teardown: " << r.describe();
        }
        for (const auto& id : containers_)
            for (const auto& left : leftovers_of(id)) ADD_FAILURE() << "after rm -f: " << left;
        for (const auto& name : networks_) {
            auto r = KubikTest::kubik({"network", "rm", name});
            if (r.exit_code != 0 && r.err.find("not found") == std::string::npos)
                ADD_FAILURE() << "teardown: " << r.describe();
        }
        for (const auto& lease : leases_of()) ADD_FAILURE() << "lease left after every container was removed: " << lease;
        for (const auto& rule : rules())
            if (rule.comment.rfind("network:", 0) != 0)
                ADD_FAILURE() << "rule left in " << table_ << " (chain " << rule.chain << ", comment \"" << rule.comment
                              << "\") after every container was removed";
        // kubik keeps its default network (docker too); the test's root goes,
        // so its bridge and table go with it.
        std::vector<std::string> links = bridges();
        links.push_back(default_bridge());
        for (const auto& bridge : links) {
            if (bridge.rfind("kb-", 0) != 0 || !host_has_link(bridge)) continue;
            for (const auto& port : bridge_ports(bridge))
                ADD_FAILURE() << "port " << port << " left on bridge " << bridge << " after every container was removed";
            try {
                net::RouteSocket sock;
                net::Link link(rtnl_link_alloc());
                rtnl_link_set_name(link.get(), bridge.c_str());
                net::check(rtnl_link_delete(sock.get(), link.get()), "delete " + bridge);
            } catch (const std::exception& e) {
                ADD_FAILURE() << "teardown: " << e.what();
            }
        }
        const std::string nft = nft_tool();
        if (!nft.empty()) {
            // "add" first: deleting a table that isn't there is an error.
            auto r = run({nft, "add table ip " + table_ + "; delete table ip " + table_});
            if (r.exit_code != 0) ADD_FAILURE() << "teardown: " << r.describe();
        }
    }
    BusyboxTest::TearDown();
}

std::string Lesson6Test::run_detached(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"run", "-d"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = kubik(argv);
    std::string id = r.out;
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    if (r.exit_code != 0 || id.size() != 64) {
        ADD_FAILURE() << "kubik run -d failed\n" << r.describe();
        return "";
    }
    containers_.push_back(id);
    record_host_name("link", host_veth(id));
    return id;
}

RunResult Lesson6Test::create_network(const std::string& name, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"network", "create"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(name);
    auto r = kubik(argv);
    if (r.exit_code == 0) {
        networks_.push_back(name);
        for (const auto& bridge : bridges()) record_host_name("link", bridge);
    }
    return r;
}

nlohmann::json Lesson6Test::inspect(const std::string& name) {
    auto r = KubikTest::kubik({"inspect", name});
    try {
        return nlohmann::json::parse(r.out).at(0);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "kubik inspect " << name << ": " << e.what() << "\n" << r.describe();
        return nullptr;
    }
}

std::string Lesson6Test::ip_of(const std::string& name, const std::string& network) {
    auto j = inspect(name);
    try {
        const auto& settings = j.at("NetworkSettings");
        if (network.empty()) {
            std::string ip = settings.value("IPAddress", "");
            if (!ip.empty()) return ip;
            for (const auto& [_, n] : settings.at("Networks").items()) return n.at("IPAddress").get<std::string>();
            return "";
        }
        return settings.at("Networks").at(network).at("IPAddress").get<std::string>();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "no address of " << name << (network.empty() ? "" : " on " + network) << " in inspect: "
                      << e.what() << "\n" << j.dump(2);
        return "";
    }
}

pid_t Lesson6Test::pid_of(const std::string& name) {
    auto j = inspect(name);
    try {
        return j.at("State").at("Pid").get<pid_t>();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "no State.Pid of " << name << ": " << e.what();
        return 0;
    }
}

void Lesson6Test::remove_containers(const std::vector<std::string>& names) {
    if (names.empty()) return;
    std::vector<std::string> args{"rm", "-f"};
    args.insert(args.end(), names.begin(), names.end());
    auto r = kubik(args, RunOptions{.stdin_data = std::nullopt, .env = {}, .timeout = 60s, .keep_fds = {}});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
}

std::string Lesson6Test::wait_for_http(const std::string& ip, std::uint16_t port, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    do {
        last = http_get(ip, port, 1000ms);
        if (last.rfind("answer:", 0) == 0) return last;
        std::this_thread::sleep_for(100ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return last;
}

std::vector<std::string> Lesson6Test::httpd_serving(const std::string& marker) {
    return {"sh", "-c", "mkdir -p /www && echo " + marker + " > /www/index.html && exec httpd -f -p 80 -h /www"};
}

std::vector<Lesson6Test::Rule> Lesson6Test::rules() const {
    std::vector<Rule> out;
    const std::string nft = nft_tool();
    RunResult r = nft.empty() ? run({kubik_nft_binary(), "list", table_}) : run({nft, "-j", "list", "table", "ip", table_});
    if (r.exit_code != 0) {  // no table: no rule
        return out;
    }
    try {
        // Held in a variable: a range-for over a member of a temporary dangles.
        const auto doc = nlohmann::json::parse(r.out);
        for (const auto& item : doc.at("nftables")) {
            if (!item.contains("rule")) continue;
            const auto& rule = item.at("rule");
            out.push_back(Rule{rule.value("chain", ""), rule.value("comment", ""), rule.dump()});
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "can't read the rules of " << table_ << ": " << e.what() << "\n" << r.describe();
    }
    return out;
}

std::vector<Lesson6Test::Rule> Lesson6Test::rules_of(const std::string& owner) const {
    std::vector<Rule> out;
    for (auto& r : rules())
        if (r.comment == owner) out.push_back(r);
    return out;
}

std::vector<std::string> Lesson6Test::leases_of(const std::string& id) const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& net_dir : fs::directory_iterator(root_ / "networks", ec)) {
        std::error_code ec2;
        for (const auto& lease : fs::directory_iterator(net_dir.path() / "leases", ec2)) {
            const std::string content = read_text(lease.path()).value_or("");
            if (id.empty() || content.find(id) != std::string::npos)
                out.push_back(lease.path().string() + " (" + content.substr(0, 64) + ")");
        }
    }
    return out;
}

std::vector<std::string> Lesson6Test::bridges() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& net_dir : fs::directory_iterator(root_ / "networks", ec)) {
        try {
            auto j = nlohmann::json::parse(read_text(net_dir.path() / "network.json").value_or("{}"));
            const std::string bridge = j.value("Bridge", "");
            if (!bridge.empty()) out.push_back(bridge);
        } catch (const std::exception&) {
        }
    }
    return out;
}

std::vector<std::string> Lesson6Test::bridge_ports(const std::string& name) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path("/sys/class/net") / name / "brif", ec))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

bool Lesson6Test::host_has_link(const std::string& name) {
    std::error_code ec;
    return fs::exists(fs::path("/sys/class/net") / name, ec);
}

std::vector<std::string> Lesson6Test::leftovers_of(const std::string& id) const {
    std::vector<std::string> out;
    const std::string veth = host_veth(id);
    // A container that ended by itself (b's nc, after one connection) leaves
    // its veth to its namespace, which the kernel dismantles in a work queue
    // of its own, a moment later (container_network.hpp, remove_host_veth:
    // deleting it synchronously would cost every exit ~20 ms). A moment, not
    // forever: 5 s.
    for (int tries = 0; tries < 250 && host_has_link(veth); ++tries) std::this_thread::sleep_for(20ms);
    if (host_has_link(veth)) out.push_back("the container's veth " + veth + " is still on the host, 5 s after rm -f");
    for (const auto& lease : leases_of(id)) out.push_back("its lease is still held: " + lease);
    for (const auto& rule : rules_of("container:" + id))
        out.push_back("its rule is still in " + table_ + ", chain " + rule.chain + ": " + rule.text);
    std::vector<std::string> all = bridges();
    all.push_back(default_bridge());
    for (const auto& bridge : all)
        for (const auto& port : bridge_ports(bridge))
            if (port == veth) out.push_back("bridge " + bridge + " still has the port " + port);
    return out;
}

} // namespace kubik::test::network6
