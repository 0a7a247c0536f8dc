// Rootless kubik (lesson 8, src/rootless/): kubik run by an ordinary user.
//
// Each test makes a user of its own with a subordinate id range (and on
// cgroup v2 a delegated cgroup), runs kubik as that user, and checks from
// the host what the kernel holds: the user namespace's maps, who owns the
// container's processes and files, that the host's network namespace got no
// bridge and no rule, that a published port answers on the host. The user,
// its processes and files are removed after each test.
#include "lesson6.hpp"
#include "rootless_user.hpp"

#include "core/unique_fd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

namespace kubik::test {
namespace {

using network6::free_port;
using network6::link_names;
using network6::tcp_request;

class Rootless : public ::testing::Test {
protected:
    void SetUp() override {
        if (::access("/usr/bin/newuidmap", X_OK) != 0)
            GTEST_SKIP() << "newuidmap is missing (Debian's uidmap package): scripts/install-deps.sh installs it";
        if (wants_tun() && ::access("/dev/net/tun", F_OK) != 0)
            GTEST_SKIP() << "this kernel has no /dev/net/tun (the tun module isn't loaded): slirp4netns can't run";
        user_ = std::make_unique<RootlessUser>();
        if (wants_tun()) user_->give_tun_device();
        auto image = user_->kubik({"image", "busybox"});
        ASSERT_EQ(image.exit_code, 0) << image.describe();
    }
    void TearDown() override { user_.reset(); }
    /// Whether the test needs a /dev/net/tun the user can open (slirp4netns).
    virtual bool wants_tun() const { return false; }

    // /proc/PID/status's "Uid:" line: real, effective, saved, fs uid.
    static std::string status_field(pid_t pid, const std::string& field) {
        std::ifstream in("/proc/" + std::to_string(pid) + "/status");
        for (std::string line; std::getline(in, line);)
            if (line.starts_with(field + ":")) return line.substr(field.size() + 1);
        return "";
    }

    // `kubik inspect NAME`'s document ({} when it fails).
    nlohmann::json inspect(const std::string& name) const {
        auto r = user_->kubik({"inspect", name});
        auto doc = nlohmann::json::parse(r.out, nullptr, false);
        return r.exit_code == 0 && doc.is_array() && !doc.empty() ? doc[0] : nlohmann::json::object();
    }
    // The container's first process, as the host numbers it.
    pid_t container_pid(const std::string& name) const {
        return inspect(name).value("/State/Pid"_json_pointer, 0);
    }

    std::unique_ptr<RootlessUser> user_;
};

TEST_F(Rootless, ContainerRootIsTheUserAndTheStateIsInItsHome) {
    auto r = user_->kubik({"run", "--rm", "busybox", "cat", "/proc/self/uid_map", "/proc/self/gid_map"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    // Root inside is the user; 1... are its /etc/subuid range.
    auto lines = lines_of(r.out);
    ASSERT_GE(lines.size(), 2u) << r.out;
    std::istringstream first(lines[0]), second(lines[1]);
    unsigned long in0, out0, n0, in1, out1, n1;
    first >> in0 >> out0 >> n0;
    second >> in1 >> out1 >> n1;
    EXPECT_EQ(in0, 0u);
    EXPECT_EQ(out0, user_->uid);
    EXPECT_EQ(n0, 1u);
    EXPECT_EQ(in1, 1u);
    EXPECT_EQ(out1, user_->first);
    EXPECT_EQ(n1, user_->count);

    // kubik-rootless holds a user namespace other than the host's.
    const pid_t holder = user_->holder();
    ASSERT_GT(holder, 0);
    EXPECT_NE(namespace_of(holder, "user"), namespace_of(::getpid(), "user"));
    EXPECT_NE(namespace_of(holder, "net"), namespace_of(::getpid(), "net"));
    EXPECT_NE(namespace_of(holder, "mnt"), namespace_of(::getpid(), "mnt"));

    // `info` says so, as docker rootless's does.
    auto info = user_->kubik({"info", "--format", "json"});
    ASSERT_EQ(info.exit_code, 0) << info.describe();
    auto doc = nlohmann::json::parse(info.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << info.describe();
    auto options = doc.value("SecurityOptions", nlohmann::json::array());
    EXPECT_NE(std::find(options.begin(), options.end(), "name=rootless"), options.end()) << info.out;
    EXPECT_EQ(doc.value("CgroupDriver", ""), user_->delegated.empty() ? "none" : "cgroupfs") << info.out;
    EXPECT_EQ(doc.value("KubikRootDir", ""), user_->state_root.string()) << info.out;

    // docker rootless's layout: the store below $HOME/.local/share, the user's.
    struct stat st {};
    ASSERT_EQ(::stat((user_->state_root / "store").c_str(), &st), 0) << user_->state_root;
    EXPECT_EQ(st.st_uid, user_->uid);
}

TEST_F(Rootless, DetachedContainerRunsAsTheUserOnTheHostAndStops) {
    auto r = user_->kubik({"run", "-d", "--name", "sleeper", "busybox", "sleep", "300"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const pid_t pid = container_pid("sleeper");
    ASSERT_GT(pid, 0);
    // The host sees the container's root as the user, nothing more.
    const std::string uid = std::to_string(user_->uid);
    EXPECT_EQ(status_field(pid, "Uid"), "\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid);
    // Lesson 8's walls stand inside the user namespace too: the command
    // (kubik-init's child) has docker's 14 capabilities.
    auto command = wait_for_descendant(pid, "sleep");
    ASSERT_TRUE(command) << "no sleep below the container's init";
    EXPECT_EQ(status_field(command->pid, "CapEff"), "\t00000000a80425fb");
    EXPECT_EQ(status_field(command->pid, "Uid"), "\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid);

    auto ps = user_->kubik({"ps"});
    EXPECT_NE(ps.out.find("sleeper"), std::string::npos) << ps.describe();
    EXPECT_NE(ps.out.find("Up "), std::string::npos) << ps.describe();

    auto exec = user_->kubik({"exec", "sleeper", "sh", "-c", "id -u; grep Seccomp: /proc/self/status"});
    EXPECT_EQ(exec.exit_code, 0) << exec.describe();
    EXPECT_EQ(exec.out, "0\nSeccomp:\t2\n");

    auto stop = user_->kubik({"stop", "-t", "1", "sleeper"});
    EXPECT_EQ(stop.exit_code, 0) << stop.describe();
    EXPECT_FALSE(is_alive({pid, 0, '?', "", 0}) && ::kill(pid, 0) == 0) << "the container's process still runs";
    const auto state = inspect("sleeper");
    EXPECT_EQ(state.value("/State/Status"_json_pointer, ""), "exited") << state.dump();
    // sleep ends on stop's SIGTERM: 128 + 15, as in docker.
    EXPECT_EQ(state.value("/State/ExitCode"_json_pointer, -1), 143) << state.dump();
    EXPECT_EQ(user_->kubik({"rm", "sleeper"}).exit_code, 0);
    EXPECT_EQ(user_->kubik({"ps", "-aq"}).out, "");
}

TEST_F(Rootless, DevicesAreTheHostsOwnAndNoNewOnesCanBeMade) {
    auto r = user_->kubik({"run", "--rm", "busybox", "sh", "-c",
                           "echo x > /dev/null && head -c 4 /dev/zero | wc -c && mknod /tmp/sda b 8 0"});
    // /dev/null and /dev/zero work (bound from the host's /dev); the kernel
    // lets no user namespace make a node.
    EXPECT_EQ(r.out, "4\n") << r.describe();
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.describe();
}

TEST_F(Rootless, PublishedPortAnswersOnTheHostAndGoesWithTheContainer) {
    const std::uint16_t port = free_port();
    const std::string publish = "127.0.0.1:" + std::to_string(port) + ":80";
    auto r = user_->kubik({"run", "-d", "--name", "web", "-p", publish, "busybox", "sh", "-c",
                           "echo rootless-hello > /www && httpd -f -p 80 -h /"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    std::string answer;
    for (int i = 0; i < 50 && answer.find("rootless-hello") == std::string::npos; ++i) {
        std::this_thread::sleep_for(100ms);
        answer = tcp_request("127.0.0.1", port, "GET /www HTTP/1.0\r\n\r\n");
    }
    EXPECT_NE(answer.find("rootless-hello"), std::string::npos) << answer;

    // The bridge and the rules are in the user's network namespace, not in
    // the host's: the host has no interface and no rule of the user's.
    const pid_t holder = user_->holder();
    auto inside = run({"/usr/bin/nsenter", "-t", std::to_string(holder), "-n", "/usr/sbin/ip", "-o", "link"});
    std::string bridge;
    for (const auto& line : lines_of(inside.out))
        if (auto at = line.find(" kb-"); at != std::string::npos)
            bridge = line.substr(at + 1, line.find(':', at) - at - 1);
    ASSERT_FALSE(bridge.empty()) << inside.describe();
    for (const auto& name : link_names()) EXPECT_NE(name, bridge) << "the user's bridge is on the host";
    auto host_rules = run({"/usr/sbin/nft", "list", "ruleset"});
    EXPECT_EQ(host_rules.out.find("dport " + std::to_string(port) + " "), std::string::npos) << host_rules.out;

    // A second container can't have the port, and leaves nothing behind.
    auto again = user_->kubik({"run", "--rm", "-p", publish, "busybox", "true"});
    EXPECT_EQ(again.exit_code, 125) << again.describe();
    EXPECT_NE(again.err.find("port is already allocated"), std::string::npos) << again.describe();

    EXPECT_EQ(user_->kubik({"rm", "-f", "web"}).exit_code, 0);
    EXPECT_EQ(tcp_request("127.0.0.1", port), "refused") << "the host port still listens after rm -f";
    EXPECT_EQ(user_->kubik({"ps", "-aq"}).out, "");
}

TEST_F(Rootless, PublishedUdpPortCarriesDatagramsBothWays) {
    const std::uint16_t port = free_port();
    auto r = user_->kubik({"run", "-d", "--name", "dns", "-p", "127.0.0.1:" + std::to_string(port) + ":5353/udp",
                           "busybox", "sleep", "300"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const pid_t pid = container_pid("dns");
    ASSERT_GT(pid, 0);
    // A UDP server in the container's network namespace (the test's own,
    // joined from the host) answers every datagram.
    network6::Server server(pid, network6::udp_answer(5353, "container"));
    // Each datagram goes in through the peer's session and its answer back.
    EXPECT_EQ(network6::udp_request("127.0.0.1", port, "first", 3000ms), "answer:container:first");
    EXPECT_EQ(network6::udp_request("127.0.0.1", port, "second", 3000ms), "answer:container:second");
    EXPECT_EQ(user_->kubik({"rm", "-f", "dns"}).exit_code, 0);
    // The host's socket went with the container: the port is free again.
    UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    EXPECT_EQ(::bind(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
        << "127.0.0.1:" << port << "/udp is still held after rm -f";
}

TEST_F(Rootless, PortTheHostHasTakenIsRefusedWithNothingLeft) {
    // A listener of root's on the host: the user's kubik can't have it.
    const std::uint16_t port = free_port();
    UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener.get(), 4), 0);
    auto r = user_->kubik({"run", "--rm", "-p", "127.0.0.1:" + std::to_string(port) + ":80", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port) + " failed: port is already allocated"),
              std::string::npos)
        << r.describe();
    EXPECT_EQ(user_->kubik({"ps", "-aq"}).out, "");
    // No rule of the failed container's stayed in the user's table.
    auto rules = run({"nsenter", "-t", std::to_string(user_->holder()), "-n", "/usr/sbin/nft", "list", "ruleset"});
    EXPECT_EQ(rules.out.find("dport " + std::to_string(port) + " "), std::string::npos) << rules.out;
}

TEST_F(Rootless, BuildRunsItsStepsAsTheUsersRoot) {
    const fs::path context = user_->home / "app";
    fs::create_directory(context);
    put(context / "Dockerfile",
        "FROM busybox\n"
        "RUN echo app:x:1234:1234::/:/bin/sh >> /etc/passwd && echo hello > /greeting && chown 1234:1234 /greeting\n"
        "COPY --chown=1234 note.txt /note.txt\n"
        "USER app\n"
        "CMD [\"sh\", \"-c\", \"id -u; cat /greeting /note.txt\"]\n");
    put(context / "note.txt", "note\n");
    run({"/usr/bin/chown", "-R", std::to_string(user_->uid), context.string()});
    auto build = user_->kubik({"build", "-q", "-t", "app", context.string()});
    ASSERT_EQ(build.exit_code, 0) << build.describe();
    auto r = user_->kubik({"run", "--rm", "app"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "1234\nhello\nnote\n");
    // On the host, uid 1234 inside is the range's 1233rd id after the first.
    bool found = false;
    for (const auto& entry : fs::recursive_directory_iterator(user_->state_root / "store/layers")) {
        if (entry.path().filename() != "greeting") continue;
        struct stat st {};
        ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
        EXPECT_EQ(st.st_uid, user_->first + 1233) << entry.path();
        found = true;
    }
    EXPECT_TRUE(found) << "no layer holds /greeting";
}

TEST_F(Rootless, LimitsNeedADelegatedCgroup) {
    if (user_->delegated.empty()) {
        // cgroup v1 (or hybrid): nothing can be delegated; a limit is an
        // error that says why, and no container is made.
        auto r = user_->kubik({"run", "--rm", "--memory", "64m", "busybox", "true"});
        EXPECT_EQ(r.exit_code, 125) << r.describe();
        EXPECT_NE(r.err.find("--memory: a rootless kubik puts limits in a cgroup"), std::string::npos) << r.describe();
        EXPECT_EQ(user_->kubik({"ps", "-aq"}).out, "");
        // Without limits it runs, with no cgroup of its own.
        auto plain = user_->kubik({"run", "--rm", "busybox", "true"});
        EXPECT_EQ(plain.exit_code, 0) << plain.describe();
        return;
    }
    auto r = user_->kubik({"run", "-d", "--name", "limited", "--memory", "64m", "--pids-limit", "50", "busybox",
                           "sleep", "300"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string cid = inspect("limited").value("Id", "");
    ASSERT_FALSE(cid.empty());
    const fs::path group = fs::path("/sys/fs/cgroup") / user_->delegated / "kubik" / cid;
    EXPECT_EQ(read_text(group / "memory.max").value_or("missing"), "67108864\n") << group;
    EXPECT_EQ(read_text(group / "pids.max").value_or("missing"), "50\n") << group;
    const pid_t pid = container_pid("limited");
    EXPECT_EQ(cgroup_of(pid, "memory"), "/" + user_->delegated + "/kubik/" + cid);
    EXPECT_EQ(user_->kubik({"rm", "-f", "limited"}).exit_code, 0);
    EXPECT_FALSE(fs::exists(group)) << group << " stayed";
}

class RootlessOutbound : public Rootless {
protected:
    bool wants_tun() const override { return true; }
};

TEST_F(RootlessOutbound, SlirpGivesTheUsersNamespaceAWayOut) {
    if (::access("/usr/bin/slirp4netns", X_OK) != 0)
        GTEST_SKIP() << "slirp4netns is missing (scripts/install-deps.sh installs it)";
    auto address = network6::host_address();
    if (!address) GTEST_SKIP() << "the host has no address but 127.0.0.1 for the container to reach";
    // A listener of root's on the host's own address, outside the user's
    // namespaces: only slirp4netns's way out (tap0) leads there.
    const std::uint16_t port = free_port();
    UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ASSERT_EQ(::inet_pton(AF_INET, address->c_str(), &addr.sin_addr), 1);
    addr.sin_port = htons(port);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener.get(), 4), 0);

    // The listener answers at once and closes, so that nc ends.
    std::string received;
    std::thread server([&] {
        pollfd p{listener.get(), POLLIN, 0};
        if (::poll(&p, 1, 15000) != 1) return;
        UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        char buf[64];
        for (ssize_t n; conn && (n = ::read(conn.get(), buf, sizeof buf)) > 0;) {
            received.append(buf, static_cast<std::size_t>(n));
            if (received.find('\n') != std::string::npos) break;
        }
    });
    auto r = user_->kubik({"run", "--rm", "busybox", "sh", "-c",
                           "echo out-of-the-namespace | nc -w 3 " + *address + " " + std::to_string(port)});
    server.join();
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(received, "out-of-the-namespace\n")
        << "nothing came out of the user's namespace\n"
        << read_text(user_->run_dir / "kubik/slirp4netns.log").value_or("");
    // The way out is slirp4netns's tap0, in the user's namespace only.
    auto inside = run({"/usr/bin/nsenter", "-t", std::to_string(user_->holder()), "-n", "/usr/sbin/ip", "-o", "addr",
                       "show", "tap0"});
    EXPECT_NE(inside.out.find("10.0.2.100/24"), std::string::npos) << inside.describe();
    for (const auto& name : link_names()) EXPECT_NE(name, "tap0") << "tap0 is on the host";
}

TEST(RootlessSetup, UserWithoutSubordinateIdsIsToldWhatToAdd) {
    if (::access("/usr/bin/newuidmap", X_OK) != 0) GTEST_SKIP() << "newuidmap is missing (Debian's uidmap package)";
    RootlessUser user(/*with_ranges=*/false);
    auto r = user.kubik({"run", "--rm", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("/etc/subuid gives user " + user.name + " no ids"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("usermod --add-subuids"), std::string::npos) << r.describe();
    // Nothing was started for it.
    EXPECT_EQ(user.holder(), 0);
    for (const auto& p : list_processes()) {
        struct stat st {};
        if (p.state != 'Z' && ::stat(("/proc/" + std::to_string(p.pid)).c_str(), &st) == 0) {
            EXPECT_NE(st.st_uid, user.uid) << "process " << p.pid << " (" << p.comm << ") of the user runs";
        }
    }
}

} // namespace
} // namespace kubik::test
