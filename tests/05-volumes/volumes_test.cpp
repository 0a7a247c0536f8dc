// Lesson 5 through the kubik binary: -v, --mount and --tmpfs in real
// containers, each checked from the host in the kernel's own words — the
// container's /proc/PID/mountinfo (the mount, its flags, its propagation),
// the host's (nothing there), stat of the volume's files on the host (the
// same inode the container wrote), and the EROFS a write gets.
#include "lesson5.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kubik::test {
namespace {

using namespace volumes5;

// No mount of the test's own mount namespace (the host's) is at or below
// `path`, nor names it as its source root.
std::string host_mounts_naming(const std::string& needle) {
    std::string found;
    for (const auto& m : mounts_of("self"))
        if (m.line.find(needle) != std::string::npos) found += m.line + "\n";
    return found;
}

// Mounts a small tmpfs at `at` (in the namespace of the caller); throws
// when it can't.
void mount_tmpfs(const fs::path& at) {
    fs::create_directories(at);
    if (::mount("tmpfs", at.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") != 0)
        throw std::runtime_error("setup: a tmpfs at " + at.string() + ": " + std::strerror(errno));
}

TEST_F(Lesson5Test, NamedVolumeIsMountedInTheContainerOnly) {
    auto r = kubik({"run", "-d", "--name", "c1", "-v", "data:/data", "busybox", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const pid_t pid = container_pid("c1");
    ASSERT_GT(pid, 0);
    const auto m = mount_at(std::to_string(pid), "/data");
    ASSERT_TRUE(m) << "-v data:/data: no mount at /data in /proc/" << pid << "/mountinfo";
    EXPECT_TRUE(has_option(*m, "rw")) << m->line;
    // Field 4, the mount's root in its filesystem: the volume's directory.
    EXPECT_NE(m->line.find("/volumes/data/_data "), std::string::npos)
        << "the mount's root must be ROOT/volumes/data/_data: " << m->line;
    EXPECT_EQ(propagation_fields(*m), "") << "private by default (docker's rprivate): " << m->line;
    EXPECT_EQ(host_mounts_naming("/volumes/data/_data"), "") << "the volume must not be mounted on the host";

    auto w = kubik({"exec", "c1", "sh", "-c", "echo from-c1 > /data/f"});
    EXPECT_EQ(w.exit_code, 0) << w.describe();
    EXPECT_EQ(slurp(volume_data("data") / "f"), "from-c1\n") << "the write lands in ROOT/volumes/data/_data";
    EXPECT_TRUE(same_file(stat_of(volume_data("data") / "f"), stat_of("/proc/" + std::to_string(pid) + "/root/data/f")))
        << "the container's /data/f and the host's ROOT/volumes/data/_data/f are one inode";
    remove_containers({"c1"});
}

TEST_F(Lesson5Test, DataSurvivesRmAndTheNextContainerSeesIt) {
    auto a = kubik({"run", "--name", "first", "-v", "keep:/var/lib/app", "busybox", "sh", "-c",
                    "echo 42 > /var/lib/app/answer"});
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    auto rm = kubik({"rm", "first"});
    ASSERT_EQ(rm.exit_code, 0) << rm.describe();
    EXPECT_EQ(slurp(volume_data("keep") / "answer"), "42\n") << "kubik rm keeps the named volume's data";
    auto b = kubik({"run", "--rm", "-v", "keep:/elsewhere", "busybox", "cat", "/elsewhere/answer"});
    EXPECT_EQ(b.exit_code, 0) << b.describe();
    EXPECT_EQ(b.out, "42\n") << "the next container sees the first one's data";
    expect_no_container_state("after kubik rm and a --rm run");
}

TEST_F(Lesson5Test, TwoRunningContainersSeeEachOthersWritesAtOnce) {
    for (const std::string name : {"left", "right"}) {
        auto r = kubik({"run", "-d", "--name", name, "-v", "shared:/s", "busybox", "sleep", "100"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    }
    auto w = kubik({"exec", "left", "sh", "-c", "echo hello > /s/note"});
    EXPECT_EQ(w.exit_code, 0) << w.describe();
    auto c = kubik({"exec", "right", "cat", "/s/note"});
    EXPECT_EQ(c.out, "hello\n") << "right sees left's write with no restart\n" << c.describe();
    const std::string l = std::to_string(container_pid("left")), r = std::to_string(container_pid("right"));
    EXPECT_TRUE(same_file(stat_of("/proc/" + l + "/root/s/note"), stat_of("/proc/" + r + "/root/s/note")))
        << "both containers reach the same inode";
    remove_containers({"left", "right"});
}

TEST_F(Lesson5Test, ReadOnlyBindRefusesWritesOnSubmountsToo) {
    const fs::path host = scratch("site");
    put(host / "index.html", "hi");
    fs::create_directories(host / "sub");
    // The host directory has a submount (a tmpfs at site/sub), in the
    // namespace kubik runs from.
    auto r = kubik_in_own_mount_namespace(
        {"run", "-d", "--name", "ro", "-v", host.string() + ":/www:ro", "busybox", "sleep", "100"},
        [&] {
            mount_tmpfs(host / "sub");
            put(host / "sub/inner", "inner");
        });
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string pid = std::to_string(container_pid("ro"));
    const auto top = mount_at(pid, "/www");
    const auto below = mount_at(pid, "/www/sub");
    ASSERT_TRUE(top) << "no mount at /www in /proc/" << pid << "/mountinfo";
    ASSERT_TRUE(below) << "the host's submount (tmpfs at " << host / "sub" << ") must come along: -v is recursive";
    EXPECT_EQ(below->fs_type, "tmpfs");
    EXPECT_TRUE(has_option(*top, "ro")) << top->line;
    EXPECT_TRUE(has_option(*below, "ro")) << "\":ro\" covers the submount too: " << below->line;
    auto c = kubik({"exec", "ro", "cat", "/www/index.html", "/www/sub/inner"});
    EXPECT_EQ(c.out, "hiinner") << c.describe();
    for (const std::string file : {"/www/new", "/www/sub/new", "/www/index.html"}) {
        auto w = kubik({"exec", "ro", "sh", "-c", "echo x >> " + file});
        EXPECT_NE(w.exit_code, 0) << "a write to " << file << " must fail\n" << w.describe();
        EXPECT_NE(w.err.find("Read-only file system"), std::string::npos) << "EROFS for " << file << "\n" << w.describe();
    }
    EXPECT_EQ(slurp(host / "index.html"), "hi");
    remove_containers({"ro"});
}

TEST_F(Lesson5Test, MountFlagReadonlyBindAndAFile) {
    const fs::path dir = scratch("conf");
    put(dir / "app.conf", "x=1\n");
    put(scratch("motd"), "hello from the host\n");
    auto r = kubik({"run", "-d", "--name", "mnt", "--mount",
                    "type=bind,source=" + dir.string() + ",target=/conf,readonly", "-v",
                    scratch("motd").string() + ":/etc/motd:ro", "busybox", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string pid = std::to_string(container_pid("mnt"));
    const auto conf = mount_at(pid, "/conf");
    const auto motd = mount_at(pid, "/etc/motd");
    ASSERT_TRUE(conf && motd) << "mounts at /conf and /etc/motd";
    EXPECT_TRUE(has_option(*conf, "ro")) << conf->line;
    EXPECT_TRUE(has_option(*motd, "ro")) << motd->line;
    auto c = kubik({"exec", "mnt", "cat", "/etc/motd", "/conf/app.conf"});
    EXPECT_EQ(c.out, "hello from the host\nx=1\n") << c.describe();
    remove_containers({"mnt"});
}

TEST_F(Lesson5Test, TmpfsIsMountedWithDockersDefaults) {
    auto r = kubik({"run", "-d", "--name", "tmp", "--tmpfs", "/scratch:size=1m", "busybox", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string pid = std::to_string(container_pid("tmp"));
    const auto m = mount_at(pid, "/scratch");
    ASSERT_TRUE(m) << "no mount at /scratch";
    EXPECT_EQ(m->fs_type, "tmpfs");
    for (const std::string option : {"rw", "nosuid", "nodev", "noexec"})
        EXPECT_TRUE(has_option(*m, option)) << option << ": " << m->line;
    EXPECT_NE(m->line.find("size=1024k"), std::string::npos) << m->line;
    // tmpfs shows mode= only when it isn't its default, 1777: ask stat.
    EXPECT_EQ(stat_of("/proc/" + pid + "/root/scratch").st_mode & 07777, 01777u) << "the tmpfs's root is 1777";
    remove_containers({"tmp"});
}

// A bind source that is a shared mount on the host (as every mount is on a
// systemd host), mounted with bind-propagation=rslave: a mount the host makes
// under it later appears in the container; with the default (rprivate) it
// doesn't. The host's mounts are the test's own, below its state root.
TEST_F(Lesson5Test, RslaveBindReceivesTheHostsLaterMounts) {
    const fs::path shared = scratch("shared");
    fs::create_directories(shared / "late");
    auto a = kubik_in_own_mount_namespace(
        {"run", "-d", "--name", "slave", "--mount",
         "type=bind,source=" + shared.string() + ",target=/in,bind-propagation=rslave", "busybox", "sleep", "100"},
        [&] {
            if (::mount(shared.c_str(), shared.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
                ::mount(nullptr, shared.c_str(), nullptr, MS_SHARED, nullptr) != 0)
                throw std::runtime_error(std::string("setup: a shared mount: ") + std::strerror(errno));
        });
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    const pid_t slave = container_pid("slave");
    ASSERT_GT(slave, 0);
    const auto in_slave = mount_at(std::to_string(slave), "/in");
    ASSERT_TRUE(in_slave);
    EXPECT_NE(propagation_fields(*in_slave).find("master:"), std::string::npos)
        << "rslave: the bind is a slave of the source's peer group: " << in_slave->line;

    // The "host" of this container is the namespace its monitor stays in.
    const auto monitor = process_info(slave);
    ASSERT_TRUE(monitor);
    ASSERT_NE(namespace_of(monitor->ppid, "mnt"), namespace_of(::getpid(), "mnt"));
    EXPECT_EQ(in_mount_namespace_of(monitor->ppid, [&] { mount_tmpfs(shared / "late"); }), "");
    EXPECT_TRUE(mount_at(std::to_string(slave), "/in/late")) << "the host's new mount reaches the rslave bind";
    remove_containers({"slave"});
}

// rshared, as docker: the bind stays a peer of the host's mount, so a
// filesystem the container mounts under it appears on the host (what a
// storage plugin running in a container does).
TEST_F(Lesson5Test, RsharedBindSendsTheContainersMountsBackToTheHost) {
    const fs::path shared = scratch("shared");
    fs::create_directories(shared / "late");
    auto a = kubik_in_own_mount_namespace(
        // --cap-add SYS_ADMIN: the exec below mounts (lesson 8 takes it away).
        {"run", "-d", "--name", "sharer", "--cap-add", "SYS_ADMIN", "--mount",
         "type=bind,source=" + shared.string() + ",target=/in,bind-propagation=rshared", "busybox", "sleep", "100"},
        [&] {
            if (::mount(shared.c_str(), shared.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
                ::mount(nullptr, shared.c_str(), nullptr, MS_SHARED, nullptr) != 0)
                throw std::runtime_error(std::string("setup: a shared mount: ") + std::strerror(errno));
        });
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    const pid_t pid = container_pid("sharer");
    ASSERT_GT(pid, 0);
    const auto in = mount_at(std::to_string(pid), "/in");
    ASSERT_TRUE(in);
    EXPECT_NE(propagation_fields(*in).find("shared:"), std::string::npos) << in->line;
    EXPECT_EQ(propagation_fields(*in).find("master:"), std::string::npos)
        << "a peer of the host's mount, not its slave: " << in->line;
    const auto monitor = process_info(pid);
    ASSERT_TRUE(monitor);
    auto m = kubik({"exec", "sharer", "mount", "-t", "tmpfs", "from-container", "/in/late"});
    ASSERT_EQ(m.exit_code, 0) << m.describe();
    const auto back = mount_at(std::to_string(monitor->ppid), (shared / "late").string());
    ASSERT_TRUE(back) << "the container's mount under the rshared bind reaches the host";
    EXPECT_EQ(back->fs_type, "tmpfs");
    // Its own root and /proc never do.
    const std::string host_mounts = slurp("/proc/" + std::to_string(monitor->ppid) + "/mountinfo");
    EXPECT_EQ(host_mounts.find("/rootfs/proc "), std::string::npos) << host_mounts;
    remove_containers({"sharer"});
}

TEST_F(Lesson5Test, RsharedNeedsASharedSourceMount) {
    const fs::path source = scratch("private");
    fs::create_directories(source);
    auto a = kubik_in_own_mount_namespace(
        {"run", "--rm", "--mount", "type=bind,source=" + source.string() + ",target=/in,bind-propagation=rshared",
         "busybox", "true"},
        [&] {
            if (::mount(source.c_str(), source.c_str(), nullptr, MS_BIND, nullptr) != 0)
                throw std::runtime_error(std::string("setup: a private bind: ") + std::strerror(errno));
        });
    EXPECT_EQ(a.exit_code, 125) << a.describe();
    EXPECT_NE(a.err.find("path " + source.string() + " is mounted on " + source.string() +
                         " but it is not a shared mount"),
              std::string::npos)
        << a.err;
}

TEST_F(Lesson5Test, DefaultBindIsPrivateToTheHostsLaterMounts) {
    const fs::path shared = scratch("shared");
    fs::create_directories(shared / "late");
    auto a = kubik_in_own_mount_namespace(
        {"run", "-d", "--name", "private", "-v", shared.string() + ":/in", "busybox", "sleep", "100"}, [&] {
            if (::mount(shared.c_str(), shared.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
                ::mount(nullptr, shared.c_str(), nullptr, MS_SHARED, nullptr) != 0)
                throw std::runtime_error(std::string("setup: a shared mount: ") + std::strerror(errno));
        });
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    const pid_t pid = container_pid("private");
    ASSERT_GT(pid, 0);
    const auto in = mount_at(std::to_string(pid), "/in");
    ASSERT_TRUE(in);
    EXPECT_EQ(propagation_fields(*in), "") << "rprivate: no peer, no master: " << in->line;
    const auto monitor = process_info(pid);
    ASSERT_TRUE(monitor);
    EXPECT_EQ(in_mount_namespace_of(monitor->ppid, [&] { mount_tmpfs(shared / "late"); }), "");
    EXPECT_FALSE(mount_at(std::to_string(pid), "/in/late")) << "a later mount of the host stays out";
    remove_containers({"private"});
}

// The image's own symlinks aim at the host; every mount still lands inside
// the container's root, or is refused.
TEST_F(Lesson5Test, SymlinkTargetsInTheImageStayInsideTheRoot) {
    const std::string landing = "kubik-test-landing-" + build_tag();
    // A wrong resolution would make these on the host: removed whatever happens.
    remove_at_teardown("/" + landing);
    remove_at_teardown("/etc/kubik-" + landing);
    const fs::path image = image_rootfs();
    ASSERT_EQ(::symlink("../../../../../../../../../..", (image / "up").c_str()), 0) << std::strerror(errno);
    ASSERT_EQ(::symlink("/etc", (image / "etclink").c_str()), 0);
    auto r = kubik({"run", "-d", "--name", "sym", "-v", "va:/up/" + landing, "-v", "vb:/etclink/kubik-" + landing,
                    "busybox", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string pid = std::to_string(container_pid("sym"));
    EXPECT_TRUE(mount_at(pid, "/" + landing)) << "/up/" << landing << " is /" << landing << " inside the root";
    EXPECT_TRUE(mount_at(pid, "/etc/kubik-" + landing)) << "/etclink -> /etc is the container's /etc";
    EXPECT_FALSE(fs::exists("/" + landing)) << "nothing made at the host's /" << landing;
    EXPECT_FALSE(fs::exists("/etc/kubik-" + landing)) << "nothing made in the host's /etc";
    EXPECT_EQ(host_mounts_naming(landing), "") << "no mount of the host names it";
    remove_containers({"sym"});
    std::error_code ec;
    fs::remove("/" + landing, ec);
    fs::remove("/etc/kubik-" + landing, ec);
}

// A container may leave a symlink in a volume; the next container that
// mounts something below it must still land inside its own root.
TEST_F(Lesson5Test, SymlinkAContainerLeftInAVolumeStaysInsideTheNextRoot) {
    auto a = kubik({"run", "--rm", "-v", "trap:/data", "busybox", "ln", "-s", "/etc", "/data/conf"});
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    ASSERT_TRUE(fs::is_symlink(volume_data("trap") / "conf"));
    const auto host_etc = mount_at("self", "/etc");
    // A wrong resolution would make this on the host: remove it whatever happens.
    const std::string inner = "kubik-inner-" + build_tag();
    remove_at_teardown("/etc/" + inner);
    auto b = kubik({"run", "-d", "--name", "next", "-v", "trap:/data", "-v", "inner:/data/conf/" + inner, "busybox",
                    "sleep", "100"});
    ASSERT_EQ(b.exit_code, 0) << b.describe();
    const std::string pid = std::to_string(container_pid("next"));
    EXPECT_TRUE(mount_at(pid, "/etc/" + inner)) << "/data/conf -> /etc is the container's /etc";
    EXPECT_FALSE(fs::exists("/etc/" + inner)) << "never the host's /etc";
    EXPECT_EQ(mount_at("self", "/etc/" + inner).has_value(), false);
    EXPECT_EQ(mount_at("self", "/etc").has_value(), host_etc.has_value());
    remove_containers({"next"});
}

TEST_F(Lesson5Test, TargetInProcIsRefusedAndNothingIsLeft) {
    const fs::path image = image_rootfs();
    ASSERT_EQ(::symlink("/proc", (image / "procs").c_str()), 0) << std::strerror(errno);
    const auto before = mount_table();
    for (const std::string target : {"/proc/sys", "/procs/sys"}) {
        auto r = kubik({"run", "--name", "bad", "-v", "fresh:" + target, "busybox", "true"});
        EXPECT_EQ(r.exit_code, 125) << r.describe();
        EXPECT_NE(r.err.find(target), std::string::npos) << "the error names the target\n" << r.describe();
        EXPECT_FALSE(fs::exists(root_ / "volumes/fresh")) << "a failed run leaves no new volume";
        expect_no_container_state("after a refused -v fresh:" + target);
        EXPECT_EQ(mount_table(), before) << "the host's mount table is as it was";
    }
}

TEST_F(Lesson5Test, NewVolumeOverEtcStartsWithTheImagesEtc) {
    const fs::path etc = image_rootfs() / "etc";
    put(etc / "kubik-secret", "s3cret\n");
    ASSERT_EQ(::chown((etc / "kubik-secret").c_str(), 1234, 5678), 0);
    ASSERT_EQ(::chmod((etc / "kubik-secret").c_str(), 0640), 0);
    put(etc / "kubik-setuid", "#!/bin/sh\n");
    ASSERT_EQ(::chown((etc / "kubik-setuid").c_str(), 1234, 5678), 0);
    ASSERT_EQ(::chmod((etc / "kubik-setuid").c_str(), 04755), 0);
    ASSERT_EQ(::symlink("/etc/passwd", (etc / "kubik-link").c_str()), 0);

    auto r = kubik({"run", "--rm", "-v", "etcvol:/etc", "busybox", "sh", "-c",
                    "cat /etc/kubik-secret; grep -c root /etc/passwd; rm /etc/kubik-secret"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "s3cret\n1\n") << "the container sees the image's /etc through the volume";
    const fs::path data = volume_data("etcvol");
    const auto passwd = stat_of(data / "passwd", false);
    EXPECT_TRUE(S_ISREG(passwd.st_mode)) << "the image's /etc/passwd copied into the volume";
    const auto setuid = stat_of(data / "kubik-setuid", false);
    EXPECT_EQ(setuid.st_uid, 1234u);
    EXPECT_EQ(setuid.st_gid, 5678u);
    EXPECT_EQ(setuid.st_mode & 07777, 04755u) << "owner and mode (set-uid included) kept";
    EXPECT_TRUE(fs::is_symlink(data / "kubik-link")) << "a symlink stays a symlink";
    EXPECT_EQ(stat_of(data).st_mode & 07777, stat_of(etc).st_mode & 07777) << "the volume takes /etc's mode";
    EXPECT_FALSE(fs::exists(data / "kubik-secret")) << "the container's rm went to the volume";

    // The volume is no longer empty: no second copy.
    auto again = kubik({"run", "--rm", "-v", "etcvol:/etc", "busybox", "ls", "/etc/kubik-secret"});
    EXPECT_NE(again.exit_code, 0) << "a volume that has files is mounted as it is\n" << again.describe();

    // An empty directory of the image gives its owner and mode all the same.
    auto tmp = kubik({"run", "--rm", "-v", "tmpvol:/tmp", "busybox", "true"});
    EXPECT_EQ(tmp.exit_code, 0) << tmp.describe();
    EXPECT_EQ(stat_of(volume_data("tmpvol")).st_mode & 07777, stat_of(image_rootfs() / "tmp").st_mode & 07777)
        << "-v tmpvol:/tmp: the volume's directory takes the image's /tmp mode";

    auto nocopy = kubik({"run", "--rm", "-v", "bare:/etc:nocopy", "busybox", "true"});
    EXPECT_EQ(nocopy.exit_code, 0) << nocopy.describe();
    EXPECT_TRUE(fs::is_empty(volume_data("bare"))) << ":nocopy: the new volume stays empty";
}

TEST_F(Lesson5Test, MissingHostDirectoryOfDashVIsCreated) {
    const fs::path host = scratch("made-by-run");
    auto r = kubik({"run", "--rm", "-v", host.string() + ":/m", "busybox", "sh", "-c", "echo ok > /m/f"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(slurp(host / "f"), "ok\n");
}

TEST_F(Lesson5Test, AnonymousVolumeIsANewDirectoryOfItsOwn) {
    auto r = kubik({"run", "-d", "--name", "anon", "-v", "/cache", "busybox", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto m = mount_at(std::to_string(container_pid("anon")), "/cache");
    ASSERT_TRUE(m) << "-v /cache: a mount at /cache";
    const auto at = m->line.find("/volumes/");
    ASSERT_NE(at, std::string::npos) << "the mount's root is a volume's directory: " << m->line;
    const std::string name = m->line.substr(at + 9, 64);
    EXPECT_EQ(name.find_first_not_of("0123456789abcdef"), std::string::npos) << "64 hex digits: " << m->line;
    EXPECT_EQ(m->line.substr(at + 9 + 64, 7), "/_data ") << m->line;
    EXPECT_TRUE(fs::is_directory(volume_data(name)));
    remove_containers({"anon"});
}

TEST_F(Lesson5Test, BindSourceSymlinkIsFollowedOnTheHost) {
    const fs::path real = scratch("real");
    put(real / "f", "real\n");
    fs::create_directories(scratch("links"));
    ASSERT_EQ(::symlink(real.c_str(), scratch("links/site").c_str()), 0) << std::strerror(errno);
    auto r = kubik({"run", "--rm", "-v", scratch("links/site").string() + ":/site", "busybox", "sh", "-c",
                    "cat /site/f; test -L /site && echo link || echo dir"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "real\ndir\n") << "a bind source that is a symlink is followed on the host, and the "
                                       "container sees a directory";
}

TEST_F(Lesson5Test, BadVolumeFlagsAre125) {
    const std::pair<std::string, std::string> cases[] = {
        {"::", "invalid volume specification: '::'"},
        {":/x", "invalid volume specification: ':/x'"},
        {"a:/b:ro:x", "invalid volume specification: 'a:/b:ro:x'"},
        {"a/b:/x", "includes invalid characters for a local volume name"},
        {"data:/x:bogus", "invalid mode: bogus"},
        {"data:/x:ro,rw", "invalid mode: ro,rw"},
        {"data:relative", "mount path must be absolute"},
    };
    for (const auto& [spec, message] : cases) {
        auto r = kubik({"run", "--rm", "-v", spec, "busybox", "true"});
        EXPECT_EQ(r.exit_code, 125) << "-v " << spec << "\n" << r.describe();
        EXPECT_NE(r.err.find(message), std::string::npos) << "-v " << spec << ": docker's message\n" << r.describe();
    }
    EXPECT_FALSE(fs::exists(root_ / "volumes/data")) << "nothing made by a refused flag";
    expect_no_container_state("after refused -v flags");
}

} // namespace
} // namespace kubik::test
