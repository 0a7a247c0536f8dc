// `kubik run` honouring an image's config as docker does: ENTRYPOINT + CMD
// and --entrypoint, VOLUME as anonymous volumes filled from the image, -P
// for EXPOSE, STOPSIGNAL for `kubik stop` (and --stop-signal, stop -s),
// USER and -u switched to in the container (names from the image's own
// /etc/passwd and /etc/group), labels, and inspect's Config. Images are
// made by hand (the busybox layers, a config of the test's), not by the
// builder, so that these tests say what `run` does whatever the builder does.
#include "config_fixture.hpp"

#include "core/error.hpp"
#include "runtime/container_user.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <thread>

namespace kubik::test::config7 {
namespace {

using nlohmann::json;

class RunConfig : public ConfigTest {
protected:
    void TearDown() override {
        // Whatever the test left running goes before the leak checks.
        std::vector<std::string> ids;
        for (const auto& id : container_dirs())
            if (id.size() == 64) ids.push_back(id);
        if (!ids.empty()) {
            std::vector<std::string> args{"rm", "-f", "-v"};
            args.insert(args.end(), ids.begin(), ids.end());
            KubikTest::kubik(args);
        }
        ConfigTest::TearDown();
    }

    // busybox's layers under a config of the test's: `fields` go into
    // "config" on top of busybox's own.
    void make_image(const std::string& name, const json& fields) {
        json doc = image_config("busybox");
        for (const auto& [key, value] : fields.items()) doc["config"][key] = value;
        auto tag = KubikTest::kubik({"tag", "busybox", name});
        ASSERT_EQ(tag.exit_code, 0) << tag.describe();
        set_image_config(name, doc);
    }

    json inspect(const std::string& name) {
        auto r = KubikTest::kubik({"inspect", name});
        if (r.exit_code != 0) {
            ADD_FAILURE() << r.describe();
            return json();
        }
        return json::parse(r.out).at(0);
    }

    std::string stdout_of(const std::vector<std::string>& args) {
        auto r = kubik(args);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return r.out;
    }

    // The "Uid:", "Gid:" and "Groups:" lines of the command's own
    // /proc/self/status: what the kernel says it runs as.
    std::map<std::string, std::string> ids_of(std::vector<std::string> run_args) {
        run_args.insert(run_args.end(), {"cat", "/proc/self/status"});
        auto r = kubik(run_args);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        std::map<std::string, std::string> out;
        for (const auto& line : lines_of(r.out))
            for (const char* key : {"Uid:", "Gid:", "Groups:"})
                if (line.rfind(key, 0) == 0) {
                    std::string value = line.substr(std::string(key).size());
                    value.erase(0, value.find_first_not_of(" \t"));
                    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
                    out[key] = value;
                }
        return out;
    }
};

// --- ENTRYPOINT, CMD, --entrypoint -----------------------------------------

TEST_F(RunConfig, EntrypointAndCmdCombineAsInDocker) {
    make_image("ep", {{"Entrypoint", {"/bin/echo", "ep"}}, {"Cmd", {"/bin/echo", "cmd"}}});
    // The image's ENTRYPOINT gets its CMD as arguments.
    EXPECT_EQ(stdout_of({"run", "--rm", "ep"}), "ep /bin/echo cmd\n");
    // A command given to run replaces the CMD only.
    EXPECT_EQ(stdout_of({"run", "--rm", "ep", "a", "b"}), "ep a b\n");
    // --entrypoint replaces the ENTRYPOINT and drops the image's CMD.
    EXPECT_EQ(stdout_of({"run", "--rm", "--entrypoint", "/bin/echo", "ep"}), "\n");
    EXPECT_EQ(stdout_of({"run", "--rm", "--entrypoint", "/bin/echo", "ep", "x"}), "x\n");
    // One word, never split: docker's --entrypoint is one argv element.
    auto r = kubik({"run", "--rm", "--entrypoint", "/bin/echo ep", "ep"});
    EXPECT_EQ(r.exit_code, 127) << r.describe();
    // --entrypoint "" clears it: the CMD runs alone.
    EXPECT_EQ(stdout_of({"run", "--rm", "--entrypoint", "", "ep"}), "cmd\n");
    EXPECT_EQ(stdout_of({"run", "--rm", "--entrypoint=", "ep"}), "cmd\n");
    EXPECT_EQ(stdout_of({"run", "--rm", "--entrypoint=", "ep", "/bin/echo", "own"}), "own\n");
    expect_no_container_state("after --rm runs");
}

TEST_F(RunConfig, EmptyEntrypointWithoutAnyCommandIsRefused) {
    make_image("nocmd", {{"Entrypoint", {"/bin/echo"}}, {"Cmd", nullptr}});
    EXPECT_EQ(stdout_of({"run", "--rm", "nocmd"}), "\n");
    auto r = kubik({"run", "--rm", "--entrypoint", "", "nocmd"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("no command specified"), std::string::npos) << r.describe();
    expect_no_container_state("after a refused run");
}

// --- VOLUME ------------------------------------------------------------------

TEST_F(RunConfig, ImageVolumeBecomesAnAnonymousVolumeWithTheImagesFiles) {
    put(image_rootfs() / "data/seed", "from the image\n");
    make_image("vol", {{"Volumes", {{"/data", json::object()}}}});
    auto r = kubik({"run", "--name", "vol1", "vol", "sh", "-c", "cat /data/seed; echo new > /data/new"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "from the image\n");

    const json c = inspect("vol1");
    ASSERT_EQ(c["Mounts"].size(), 1u) << c["Mounts"].dump(2);
    const json& m = c["Mounts"][0];
    EXPECT_EQ(m["Type"], "volume");
    EXPECT_EQ(m["Destination"], "/data");
    const std::string name = m["Name"];
    EXPECT_EQ(name.size(), 64u) << "an anonymous volume has docker's 64-digit name: " << name;
    // The write went to the volume, not to the image or the container's layer.
    EXPECT_EQ(slurp(root_ / "volumes" / name / "_data/new"), "new\n");
    EXPECT_EQ(slurp(root_ / "volumes" / name / "_data/seed"), "from the image\n");
    EXPECT_FALSE(fs::exists(image_rootfs() / "data/new"));
    EXPECT_TRUE(c["Config"]["Volumes"].contains("/data")) << c["Config"].dump(2);

    // rm -v takes the anonymous volume with it.
    auto rm = kubik({"rm", "-v", "vol1"});
    ASSERT_EQ(rm.exit_code, 0) << rm.describe();
    EXPECT_FALSE(fs::exists(root_ / "volumes" / name)) << "anonymous volume left after rm -v";
}

TEST_F(RunConfig, UserMountOnAnImageVolumeWins) {
    put(image_rootfs() / "data/seed", "from the image\n");
    make_image("vol", {{"Volumes", {{"/data/", json::object()}, {"/cache", json::object()}}}});
    auto r = kubik({"run", "--name", "vol2", "-v", "mine:/data", "vol", "sh", "-c", "echo x > /data/x; echo y > /cache/y"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const json c = inspect("vol2");
    ASSERT_EQ(c["Mounts"].size(), 2u) << c["Mounts"].dump(2);
    std::map<std::string, std::string> by_target;
    for (const auto& m : c["Mounts"]) by_target[m["Destination"]] = m["Name"];
    EXPECT_EQ(by_target["/data"], "mine") << "the image's /data/ is the same place as -v's /data";
    EXPECT_EQ(by_target["/cache"].size(), 64u);
    EXPECT_EQ(slurp(root_ / "volumes/mine/_data/x"), "x\n");
    // A new named volume is filled from the image too (lesson 5's rule).
    EXPECT_EQ(slurp(root_ / "volumes/mine/_data/seed"), "from the image\n");
    ASSERT_EQ(kubik({"rm", "-v", "vol2"}).exit_code, 0);
    EXPECT_FALSE(fs::exists(root_ / "volumes" / by_target["/cache"]));
    EXPECT_TRUE(fs::exists(root_ / "volumes/mine/_data/x")) << "a named volume outlives rm -v";
    ASSERT_EQ(kubik({"volume", "rm", "mine"}).exit_code, 0);
}

TEST_F(RunConfig, RunRmRemovesTheImagesAnonymousVolumes) {
    make_image("vol", {{"Volumes", {{"/data", json::object()}}}});
    auto r = kubik({"run", "--rm", "vol", "sh", "-c", "echo x > /data/x"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    std::error_code ec;
    for (auto it = fs::directory_iterator(root_ / "volumes", ec); !ec && it != fs::directory_iterator(); ++it)
        EXPECT_EQ(it->path().filename().string().front(), '.') << "run --rm left volume " << it->path();
    expect_no_container_state("after run --rm");
}

// --- STOPSIGNAL, --stop-signal, stop -s --------------------------------------

// A command that exits with a code of its own for each of USR1 and USR2, and
// dies (143) on SIGTERM: the exit code says which signal `stop` sent.
const std::vector<std::string> kSignalWaiter = {
    "sh", "-c", "trap 'exit 71' USR1; trap 'exit 72' USR2; echo ready; while true; do sleep 0.05; done"};

TEST_F(RunConfig, StopSendsTheImagesStopSignal) {
    make_image("sig", {{"StopSignal", "SIGUSR1"}});
    std::vector<std::string> args{"run", "-d", "--name", "s1", "sig"};
    args.insert(args.end(), kSignalWaiter.begin(), kSignalWaiter.end());
    ASSERT_EQ(kubik(args).exit_code, 0);
    EXPECT_EQ(inspect("s1")["Config"]["StopSignal"], "SIGUSR1");
    std::this_thread::sleep_for(300ms); // the traps are set once "ready" could print
    auto stop = kubik({"stop", "-t", "20", "s1"});
    ASSERT_EQ(stop.exit_code, 0) << stop.describe();
    EXPECT_LT(stop.elapsed, 15s) << "stop waited for the grace period: the signal did not end it";
    EXPECT_EQ(inspect("s1")["State"]["ExitCode"], 71) << "the container did not get SIGUSR1";
}

TEST_F(RunConfig, StopSignalFlagAndStopDashSOverrideTheImage) {
    make_image("sig", {{"StopSignal", "SIGUSR1"}});
    std::vector<std::string> a{"run", "-d", "--name", "s2", "--stop-signal", "USR2", "sig"};
    a.insert(a.end(), kSignalWaiter.begin(), kSignalWaiter.end());
    ASSERT_EQ(kubik(a).exit_code, 0);
    std::vector<std::string> b{"run", "-d", "--name", "s3", "sig"};
    b.insert(b.end(), kSignalWaiter.begin(), kSignalWaiter.end());
    ASSERT_EQ(kubik(b).exit_code, 0);
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(kubik({"stop", "s2"}).exit_code, 0);
    EXPECT_EQ(inspect("s2")["State"]["ExitCode"], 72) << "--stop-signal USR2 was not what stop sent";
    ASSERT_EQ(kubik({"stop", "-s", "SIGUSR2", "s3"}).exit_code, 0);
    EXPECT_EQ(inspect("s3")["State"]["ExitCode"], 72) << "stop -s USR2 was not what stop sent";
}

TEST_F(RunConfig, RealTimeStopSignalAsSystemdImagesGiveIt) {
    // STOPSIGNAL SIGRTMIN+3 (systemd's): signal 37, as docker counts it.
    make_image("rt", {{"StopSignal", "SIGRTMIN+3"}});
    ASSERT_EQ(kubik({"run", "-d", "--name", "rt1", "rt", "sh", "-c",
                     "trap 'exit 73' 37; echo ready; while true; do sleep 0.05; done"})
                  .exit_code,
              0);
    std::this_thread::sleep_for(300ms);
    auto stop = kubik({"stop", "rt1"});
    ASSERT_EQ(stop.exit_code, 0) << stop.describe();
    EXPECT_EQ(stop.err.find("warning"), std::string::npos) << stop.describe();
    EXPECT_EQ(inspect("rt1")["State"]["ExitCode"], 73) << "the container did not get signal 37";
    auto bad = kubik({"run", "--rm", "--stop-signal", "SIGRTMIN+99", "busybox", "true"});
    EXPECT_EQ(bad.exit_code, 125) << bad.describe();
}

TEST_F(RunConfig, DefaultStopSignalIsSigterm) {
    std::vector<std::string> args{"run", "-d", "--name", "s4", "busybox"};
    args.insert(args.end(), kSignalWaiter.begin(), kSignalWaiter.end());
    ASSERT_EQ(kubik(args).exit_code, 0);
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(kubik({"stop", "s4"}).exit_code, 0);
    EXPECT_EQ(inspect("s4")["State"]["ExitCode"], 143);
}

TEST_F(RunConfig, BadSignalsAreRefusedBeforeAnythingIsMade) {
    auto r = kubik({"run", "-d", "--stop-signal", "SIGNOPE", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("invalid signal: SIGNOPE"), std::string::npos) << r.describe();
    expect_no_container_state("after a bad --stop-signal");

    ASSERT_EQ(kubik({"run", "-d", "--name", "s5", "busybox", "sleep", "60"}).exit_code, 0);
    auto stop = kubik({"stop", "-s", "NOPE", "s5"});
    EXPECT_EQ(stop.exit_code, 1) << stop.describe();
    EXPECT_NE(stop.err.find("invalid signal: NOPE"), std::string::npos) << stop.describe();
    EXPECT_EQ(inspect("s5")["State"]["Status"], "running") << "a bad -s must not touch the container";
}

// --- USER, -u ------------------------------------------------------------------

void add_users(const fs::path& rootfs) {
    put(rootfs / "etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\n"
        "app:x:4321:4322:App:/home/app:/bin/sh\n");
    put(rootfs / "etc/group",
        "root:x:0:\n"
        "appgrp:x:4322:\n"
        "extra:x:5000:other,app\n"
        "more:x:5001:app\n");
}

TEST_F(RunConfig, UserFlagSwitchesUidAndGid) {
    auto ids = ids_of({"run", "--rm", "-u", "1000:1001", "busybox"});
    EXPECT_EQ(ids["Uid:"], "1000\t1000\t1000\t1000");
    EXPECT_EQ(ids["Gid:"], "1001\t1001\t1001\t1001");
    // None of root's groups stays.
    EXPECT_EQ(ids["Groups:"], "");
    // A uid without an entry: gid 0, as runc does.
    ids = ids_of({"run", "--rm", "-u", "1234", "busybox"});
    EXPECT_EQ(ids["Uid:"], "1234\t1234\t1234\t1234");
    EXPECT_EQ(ids["Gid:"], "0\t0\t0\t0");
}

TEST_F(RunConfig, UserNamesComeFromTheImagesPasswdAndGroup) {
    add_users(image_rootfs());
    auto ids = ids_of({"run", "--rm", "-u", "app", "busybox"});
    EXPECT_EQ(ids["Uid:"], "4321\t4321\t4321\t4321");
    EXPECT_EQ(ids["Gid:"], "4322\t4322\t4322\t4322");
    EXPECT_EQ(ids["Groups:"], "5000 5001") << "the groups that list app as a member";
    ids = ids_of({"run", "--rm", "-u", "app:extra", "busybox"});
    EXPECT_EQ(ids["Gid:"], "5000\t5000\t5000\t5000");
    // HOME is the passwd entry's, unless someone set it.
    EXPECT_EQ(stdout_of({"run", "--rm", "-u", "app", "busybox", "sh", "-c", "echo $HOME"}), "/home/app\n");
    EXPECT_EQ(stdout_of({"run", "--rm", "-u", "1234", "busybox", "sh", "-c", "echo $HOME"}), "/\n");
    EXPECT_EQ(stdout_of({"run", "--rm", "-u", "app", "-e", "HOME=/x", "busybox", "sh", "-c", "echo $HOME"}), "/x\n");
    EXPECT_EQ(stdout_of({"run", "--rm", "busybox", "sh", "-c", "echo $HOME"}), "/root\n");
}

TEST_F(RunConfig, ImageUserIsTheDefaultAndFilesAreTheirs) {
    add_users(image_rootfs());
    make_image("asapp", {{"User", "app"}});
    auto r = kubik({"run", "--name", "u1", "asapp", "sh", "-c", "touch /tmp/mine; id -u"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "4321\n");
    const json c = inspect("u1");
    EXPECT_EQ(c["Config"]["User"], "app");
    // The kernel's word: the file in the container's layer is app's.
    struct stat st {};
    const fs::path upper = root_ / "containers" / c["Id"].get<std::string>() / "upper/tmp/mine";
    ASSERT_EQ(::stat(upper.c_str(), &st), 0) << upper;
    EXPECT_EQ(st.st_uid, 4321u);
    EXPECT_EQ(st.st_gid, 4322u);
    // -u overrides the image's USER.
    EXPECT_EQ(stdout_of({"run", "--rm", "-u", "0", "asapp", "id", "-u"}), "0\n");
}

TEST_F(RunConfig, UnknownUserFailsTheStartAndLeavesNothing) {
    auto r = kubik({"run", "--rm", "-u", "nobody-here", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("unable to find user nobody-here: no matching entries in passwd file"), std::string::npos)
        << r.describe();
    r = kubik({"run", "-u", "root:nogroup-here", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("unable to find group nogroup-here"), std::string::npos) << r.describe();
    // A bad spec is refused before anything is made.
    r = kubik({"run", "-u", "1000:", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("invalid user \"1000:\""), std::string::npos) << r.describe();
    r = kubik({"run", "-u", "99999999999", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    expect_no_container_state("after failed starts");
}

TEST_F(RunConfig, ExecRunsAsTheContainersUserUnlessToldOtherwise) {
    add_users(image_rootfs());
    make_image("asapp", {{"User", "app"}});
    ASSERT_EQ(kubik({"run", "-d", "--name", "e1", "asapp", "sleep", "60"}).exit_code, 0);
    EXPECT_EQ(stdout_of({"exec", "e1", "id", "-u"}), "4321\n");
    EXPECT_EQ(stdout_of({"exec", "e1", "sh", "-c", "echo $HOME"}), "/home/app\n");
    EXPECT_EQ(stdout_of({"exec", "-u", "0", "e1", "id", "-u"}), "0\n");
    EXPECT_EQ(stdout_of({"exec", "-u", "root", "e1", "sh", "-c", "echo $HOME"}), "/root\n");
    auto r = kubik({"exec", "-u", "ghost", "e1", "true"});
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.err.find("unable to find user ghost"), std::string::npos) << r.describe();
}

// resolve_user() on its own: runc's rules, without a container.
TEST_F(ConfigFunctions, ResolveUserFollowsRuncsRules) {
    const std::string passwd = "# comment\nroot:x:0:0:root:/root:/bin/sh\n\nweb:x:33:33:www:/var/www:/bin/false\n"
                               "broken:x:notanumber:1::/:/bin/sh\n";
    const std::string group = "root:x:0:\nweb:x:33:\nlogs:x:4:web,other\nadm:x:5:other\n";
    ExecUser u = resolve_user("web", passwd, group);
    EXPECT_EQ(u.uid, 33u);
    EXPECT_EQ(u.gid, 33u);
    EXPECT_EQ(u.home, "/var/www");
    EXPECT_EQ(u.groups, (std::vector<gid_t>{4}));
    // A number that has an entry takes the entry's gid and home.
    u = resolve_user("33", passwd, group);
    EXPECT_EQ(u.gid, 33u);
    EXPECT_EQ(u.home, "/var/www");
    u = resolve_user("web:adm", passwd, group);
    EXPECT_EQ(u.gid, 5u);
    EXPECT_TRUE(u.groups.empty()) << "an explicit group replaces the memberships";
    u = resolve_user("7:8", "", "");
    EXPECT_EQ(u.uid, 7u);
    EXPECT_EQ(u.gid, 8u);
    EXPECT_EQ(u.home, "/");
    EXPECT_THROW(resolve_user("broken", passwd, group), kubik::Error);
    EXPECT_THROW(resolve_user("web:nogroup", passwd, group), kubik::Error);
    EXPECT_THROW(resolve_user(":5", passwd, group), kubik::Error);
    EXPECT_THROW(resolve_user("2147483648", passwd, group), kubik::Error);
    EXPECT_NO_THROW(check_user_spec("2147483647:0"));
}

// --- labels, inspect's Config ---------------------------------------------------

TEST_F(RunConfig, InspectShowsTheConfigTheContainerRunsWith) {
    make_image("full", {{"Labels", {{"a", "1"}, {"b", "2"}}},
                        {"ExposedPorts", {{"8080/tcp", json::object()}}},
                        {"Volumes", {{"/data", json::object()}}},
                        {"User", "daemon"},
                        {"StopSignal", "SIGINT"},
                        {"Healthcheck", {{"Test", {"CMD", "true"}}, {"Interval", 1000000000}}}});
    auto r = kubik({"run", "--name", "i1", "--label", "b=3", "-l", "c", "--expose", "53/udp", "--expose", "7000-7001", "full", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const json c = inspect("i1")["Config"];
    EXPECT_EQ(c["Labels"], (json{{"a", "1"}, {"b", "3"}, {"c", ""}}));
    EXPECT_EQ(c["User"], "daemon");
    EXPECT_EQ(c["StopSignal"], "SIGINT");
    EXPECT_EQ(c["ExposedPorts"], (json{{"8080/tcp", json::object()},
                                       {"53/udp", json::object()},
                                       {"7000/tcp", json::object()},
                                       {"7001/tcp", json::object()}}));
    EXPECT_TRUE(c["Volumes"].contains("/data")) << c.dump(2);
    EXPECT_EQ(c["Healthcheck"]["Test"], (json{"CMD", "true"}));
    EXPECT_EQ(c["Healthcheck"]["Interval"], 1000000000);
    auto bad = kubik({"run", "--rm", "--label", "=x", "busybox", "true"});
    EXPECT_EQ(bad.exit_code, 125) << bad.describe();
    for (const char* port : {"http", "0", "90-80", "80/sctpx"}) {
        auto bad_port = kubik({"run", "--rm", "--expose", port, "busybox", "true"});
        EXPECT_EQ(bad_port.exit_code, 125) << bad_port.describe();
        EXPECT_NE(bad_port.err.find("for \"--expose\" flag"), std::string::npos) << bad_port.describe();
    }
    EXPECT_EQ(container_dirs().size(), 1u) << "a refused run left a container";
}

TEST_F(RunConfig, CommitKeepsTheImagesConfig) {
    make_image("full", {{"Labels", {{"a", "1"}}},
                        {"ExposedPorts", {{"8080/tcp", json::object()}}},
                        {"Volumes", {{"/data", json::object()}}},
                        {"User", "daemon"},
                        {"StopSignal", "SIGINT"},
                        {"OnBuild", {"RUN true"}},
                        {"Shell", {"/bin/sh", "-ec"}}});
    ASSERT_EQ(kubik({"run", "--name", "c1", "full", "touch", "/tmp/made"}).exit_code, 0);
    auto r = kubik({"commit", "c1", "committed:1"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const json c = inspect("committed:1")["Config"];
    EXPECT_EQ(c["Labels"], (json{{"a", "1"}}));
    EXPECT_EQ(c["User"], "daemon");
    EXPECT_EQ(c["StopSignal"], "SIGINT");
    EXPECT_TRUE(c["ExposedPorts"].contains("8080/tcp")) << c.dump(2);
    EXPECT_TRUE(c["Volumes"].contains("/data")) << c.dump(2);
    EXPECT_EQ(c["OnBuild"], (json{"RUN true"}));
    EXPECT_EQ(c["Shell"], (json{"/bin/sh", "-ec"}));
    // And a container of it runs as its USER (daemon is uid 1 in busybox).
    EXPECT_EQ(stdout_of({"run", "--rm", "committed:1", "id", "-u"}), "1\n");
}

// --- -P ------------------------------------------------------------------------

// What a TCP server on 127.0.0.1:port sends before it closes; "" on failure.
std::string tcp_read(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string data;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const char request[] = "GET / HTTP/1.0\r\n\r\n";
        (void)!::write(fd, request, sizeof request - 1);
        char buf[4096];
        for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) data.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return data;
}

TEST_F(RunConfig, PublishAllPublishesEveryExposedPort) {
    make_image("web", {{"ExposedPorts", {{"80/tcp", json::object()}, {"81/tcp", json::object()}}}});
    // A network of the test's own, removed at the end with its bridge and rules.
    auto net = kubik({"network", "create", "cfg7"});
    ASSERT_EQ(net.exit_code, 0) << net.describe();
    auto r = kubik({"run", "-d", "--name", "p1", "--network", "cfg7", "-P", "-p", "127.0.0.1:0:81", "web", "sh", "-c",
                    "mkdir -p /www && echo page-80 > /www/index.html && httpd -f -p 80 -h /www"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const json ports = inspect("p1")["NetworkSettings"]["Ports"];
    ASSERT_TRUE(ports.contains("80/tcp") && ports.contains("81/tcp")) << ports.dump(2);
    // -P: every address, a port the kernel chose; -p's own binding is kept.
    EXPECT_EQ(ports["80/tcp"][0]["HostIp"], "0.0.0.0");
    EXPECT_EQ(ports["81/tcp"].size(), 1u) << ports.dump(2);
    EXPECT_EQ(ports["81/tcp"][0]["HostIp"], "127.0.0.1");
    const int port = std::stoi(ports["80/tcp"][0]["HostPort"].get<std::string>());
    EXPECT_GT(port, 0);
    std::string answer;
    for (int i = 0; i < 50 && answer.find("page-80") == std::string::npos; ++i) {
        answer = tcp_read(static_cast<std::uint16_t>(port));
        if (answer.find("page-80") == std::string::npos) std::this_thread::sleep_for(100ms);
    }
    EXPECT_NE(answer.find("page-80"), std::string::npos) << "127.0.0.1:" << port << " said: " << answer;
    ASSERT_EQ(kubik({"rm", "-f", "p1"}).exit_code, 0);
    auto rm = kubik({"network", "rm", "cfg7"});
    EXPECT_EQ(rm.exit_code, 0) << rm.describe();
}

TEST_F(RunConfig, PublishAllWithoutExposedPortsPublishesNothing) {
    auto r = kubik({"run", "--rm", "-P", "--network", "none", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after run --rm -P");
}

} // namespace
} // namespace kubik::test::config7
