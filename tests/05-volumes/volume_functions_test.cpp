// Lesson 5 — the volume functions called directly, no kubik binary: the -v
// parser against docker's rules and messages; open_mount_target() on a
// scratch root full of hostile symlinks, checked by device and inode (stat),
// never by the path it printed; bind_mount() in a child's own mount
// namespace, checked in that child's /proc/self/mountinfo and by the EROFS a
// write gets; copy_image_contents() checked with lstat of every entry.
#include "lesson5.hpp"

#include "core/error.hpp"
#include "volumes.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kubik::test {
namespace {

using namespace volumes5;
namespace v = kubik::volumes;
using v::MountType;
using v::Propagation;

void link_at(const fs::path& link, const std::string& to) {
    fs::create_directories(link.parent_path());
    ASSERT_EQ(::symlink(to.c_str(), link.c_str()), 0) << link << ": " << std::strerror(errno);
}

kubik::UniqueFd open_path(const fs::path& p) {
    return kubik::UniqueFd(::open(p.c_str(), O_PATH | O_CLOEXEC));
}

std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const kubik::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not a kubik::Error: ") + e.what();
    }
    return "";
}

// ---------------------------------------------------------------------------
// parse_volume_flag

TEST_F(VolumeFunctions, ParseNamedVolume) {
    const auto s = v::parse_volume_flag("data:/var/lib/db");
    EXPECT_EQ(s.type, MountType::Volume);
    EXPECT_EQ(s.source, "data");
    EXPECT_EQ(s.target, "/var/lib/db");
    EXPECT_FALSE(s.readonly);
    EXPECT_FALSE(s.nocopy);
    EXPECT_FALSE(s.create_source) << "create_source is a bind's";
    EXPECT_EQ(s.propagation, Propagation::RPrivate);
}

TEST_F(VolumeFunctions, ParseBindMount) {
    const auto s = v::parse_volume_flag("/srv/site:/usr/share/www:ro");
    EXPECT_EQ(s.type, MountType::Bind);
    EXPECT_EQ(s.source, "/srv/site");
    EXPECT_EQ(s.target, "/usr/share/www");
    EXPECT_TRUE(s.readonly);
    EXPECT_TRUE(s.create_source) << "-v creates a missing host directory, as docker does";
    EXPECT_EQ(s.propagation, Propagation::RPrivate) << "docker's default propagation is rprivate";
    const auto rw = v::parse_volume_flag("/srv:/srv:rw");
    EXPECT_FALSE(rw.readonly);
}

TEST_F(VolumeFunctions, ParseAnonymousVolume) {
    const auto s = v::parse_volume_flag("/data");
    EXPECT_EQ(s.type, MountType::Volume);
    EXPECT_EQ(s.source, "") << "an anonymous volume has no name yet";
    EXPECT_EQ(s.target, "/data");
    EXPECT_FALSE(s.readonly);
}

TEST_F(VolumeFunctions, ParseOptions) {
    auto s = v::parse_volume_flag("data:/x:ro,nocopy");
    EXPECT_TRUE(s.readonly);
    EXPECT_TRUE(s.nocopy);
    s = v::parse_volume_flag("data:/x:nocopy");
    EXPECT_FALSE(s.readonly);
    EXPECT_TRUE(s.nocopy);
    s = v::parse_volume_flag("data:/x:z");
    EXPECT_FALSE(s.readonly) << "z (SELinux) is accepted and ignored";
    s = v::parse_volume_flag("/h:/x:Z,ro");
    EXPECT_TRUE(s.readonly);
    const std::pair<const char*, Propagation> propagations[] = {
        {"private", Propagation::Private}, {"rprivate", Propagation::RPrivate}, {"slave", Propagation::Slave},
        {"rslave", Propagation::RSlave},   {"shared", Propagation::Shared},     {"rshared", Propagation::RShared},
    };
    for (const auto& [word, p] : propagations) {
        s = v::parse_volume_flag(std::string("/h:/x:rw,") + word);
        EXPECT_EQ(s.propagation, p) << "-v /h:/x:rw," << word;
        EXPECT_FALSE(s.readonly);
    }
}

TEST_F(VolumeFunctions, ParseRefusesBadSpecsWithDockersMessages) {
    const std::pair<std::string, std::string> cases[] = {
        {"", "invalid volume specification: ''"},
        {":/x", "invalid volume specification: ':/x'"},
        {"::", "invalid volume specification: '::'"},
        {"data:", "invalid volume specification: 'data:'"},
        {"data::ro", "invalid volume specification: 'data::ro'"},
        {"data:/x:", "invalid volume specification: 'data:/x:'"},
        {"a:/b:ro:x", "invalid volume specification: 'a:/b:ro:x'"},
        {"data:/x:bogus", "invalid mode: bogus"},
        {"data:/x:ro,rw", "invalid mode: ro,rw"},
        {"data:/x:ro,ro", "invalid mode: ro,ro"},
        {"data:/x:RO", "invalid mode: RO"},
        {"data:/x:rshared", "invalid mode: rshared"},
        {"/h:/x:nocopy", "invalid mode: nocopy"},
        {"/h:/x:private,shared", "invalid mode: private,shared"},
        {"data:relative", "mount path must be absolute"},
        {"relative", "mount path must be absolute"},
        {"/h:x", "mount path must be absolute"},
        {"a/b:/x", "includes invalid characters for a local volume name"},
        {"x:/y", "includes invalid characters for a local volume name"},
        {"-x:/y", "includes invalid characters for a local volume name"},
        {"da$ta:/y", "includes invalid characters for a local volume name"},
    };
    for (const auto& [spec, message] : cases) {
        const std::string error = error_of([&] { (void)v::parse_volume_flag(spec); });
        EXPECT_NE(error.find(message), std::string::npos)
            << "-v '" << spec << "' must be refused with a kubik::Error saying \"" << message << "\"; got: "
            << (error.empty() ? "no error" : error);
    }
}

TEST_F(VolumeFunctions, ParseAcceptsDockersNames) {
    for (const std::string name : {"db", "my-data", "a.b_c-9", "0x", "ABC"}) {
        const std::string error = error_of([&] { (void)v::parse_volume_flag(name + ":/x"); });
        EXPECT_EQ(error, "") << name << " is a valid volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)";
    }
}

// ---------------------------------------------------------------------------
// open_mount_target

struct Root {
    ScratchDir scratch;
    fs::path dir = scratch.path() / "root";
    kubik::UniqueFd fd;
    Root() {
        fs::create_directories(dir / "etc");
        fs::create_directories(dir / "proc");
        put(dir / "etc/hostname", "inside\n");
        fd.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    }
};

// Where open_mount_target(target) leads: the path below the root whose inode
// it is, or what it threw.
std::string target_of(Root& root, const std::string& target, bool directory = true) {
    try {
        const kubik::UniqueFd fd = v::open_mount_target(root.fd.get(), target, directory);
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return "fstat failed";
        if (same_file(st, stat_of(root.dir))) return "/";
        for (const auto& entry : fs::recursive_directory_iterator(root.dir))
            if (!entry.is_symlink() && same_file(st, stat_of(entry.path(), false)))
                return "/" + fs::relative(entry.path(), root.dir).string();
        if (same_file(st, stat_of("/etc"))) return "THE HOST'S /etc";
        if (same_file(st, stat_of("/"))) return "THE HOST'S /";
        return "somewhere outside the root";
    } catch (const kubik::Error& e) {
        return std::string("refused: ") + e.what();
    }
}

TEST_F(VolumeFunctions, TargetPlainAndMissingComponents) {
    Root root;
    EXPECT_EQ(target_of(root, "/etc"), "/etc");
    EXPECT_EQ(target_of(root, "/new/deep/dir"), "/new/deep/dir") << "missing components are created";
    EXPECT_TRUE(fs::is_directory(root.dir / "new/deep/dir"));
    EXPECT_EQ(stat_of(root.dir / "new").st_mode & 07777, 0755u);
    EXPECT_EQ(target_of(root, "/files/hosts", false), "/files/hosts");
    const auto st = stat_of(root.dir / "files/hosts", false);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << "a file's mount point is an empty regular file";
    EXPECT_EQ(st.st_size, 0);
    EXPECT_EQ(target_of(root, "/etc/../data/"), "/data");
}

TEST_F(VolumeFunctions, TargetSymlinkToHostEtcStaysInTheRoot) {
    Root root;
    link_at(root.dir / "data", "/etc");
    EXPECT_EQ(target_of(root, "/data"), "/etc") << "/data -> /etc in the image is ROOT/etc, never the host's /etc";
    link_at(root.dir / "conf", "/etc/hostname");
    EXPECT_EQ(target_of(root, "/conf", false), "/etc/hostname");
}

TEST_F(VolumeFunctions, TargetSymlinkClimbingOutStaysInTheRoot) {
    Root root;
    // Enough ".." to reach the host's "/" from any scratch directory; a
    // wrong resolution would make the host's /NAME, removed below whatever
    // happens.
    const std::string made = "kubik-test-made-" + build_tag();
    fs::create_directories(root.dir / "var/lib");
    link_at(root.dir / "var/lib/data", "../../../../../../../../../../../../../../../..");
    EXPECT_EQ(target_of(root, "/var/lib/data"), "/") << "\"..\" at the root stays at the root";
    EXPECT_EQ(target_of(root, "/var/lib/data/etc"), "/etc");
    EXPECT_EQ(target_of(root, "/var/lib/data/" + made), "/" + made);
    EXPECT_FALSE(fs::exists("/" + made)) << "nothing made outside the root";
    std::error_code ec;
    fs::remove_all("/" + made, ec);
}

TEST_F(VolumeFunctions, TargetChainOfSymlinks) {
    Root root;
    link_at(root.dir / "a", "/b");
    link_at(root.dir / "b", "c");
    link_at(root.dir / "c", "/etc/../../../etc");
    EXPECT_EQ(target_of(root, "/a"), "/etc");
}

TEST_F(VolumeFunctions, TargetDanglingSymlinkIsMadeInsideTheRoot) {
    Root root;
    const std::string away = "kubik-test-dangling-" + build_tag();
    link_at(root.dir / "data", "/" + away + "/deep");
    EXPECT_EQ(target_of(root, "/data"), "/" + away + "/deep");
    EXPECT_TRUE(fs::is_directory(root.dir / away / "deep"));
    EXPECT_FALSE(fs::exists("/" + away)) << "the host's /" << away << " must not be made";
    std::error_code ec;
    fs::remove_all("/" + away, ec);
}

TEST_F(VolumeFunctions, TargetInProcIsRefused) {
    Root root;
    link_at(root.dir / "data", "/proc");
    link_at(root.dir / "sys-link", "../proc/sys");
    for (const std::string target : {"/proc", "/proc/sys", "/data", "/data/x", "/etc/../proc", "/sys-link"}) {
        const std::string where = target_of(root, target);
        EXPECT_TRUE(where.starts_with("refused: ") && where.find(target) != std::string::npos)
            << target << ": a mount at /proc or below is refused, with an error naming the target; got " << where;
    }
    EXPECT_EQ(target_of(root, "/procfs"), "/procfs") << "only /proc itself and below";
}

TEST_F(VolumeFunctions, TargetFileOrDirectoryMismatchIsRefused) {
    Root root;
    EXPECT_TRUE(target_of(root, "/etc/hostname", true).starts_with("refused: "))
        << "a directory's mount point must not be a file";
    EXPECT_TRUE(target_of(root, "/etc", false).starts_with("refused: "))
        << "a file's mount point must not be a directory";
}

TEST_F(VolumeFunctions, TargetThroughProcMagicLinkIsRefused) {
    Root root;
    // A real procfs at ROOT/proc (in a child's own mount namespace), and a
    // symlink through /proc/self/root: a magic link, which jumps to the
    // calling process's root, the host's.
    link_at(root.dir / "data", "/proc/self/root/etc");
    const std::string report = in_child([&](std::ostream& out) {
        if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("proc", (root.dir / "proc").c_str(), "proc", 0, nullptr) != 0) {
            out << "setup: " << std::strerror(errno) << "\n";
            return;
        }
        out << target_of(root, "/data").substr(0, 8) << "\n";
    });
    EXPECT_EQ(report, "refused:\n") << "/data -> /proc/self/root/etc must be refused (RESOLVE_NO_MAGICLINKS, or "
                                       "as below /proc), never the host's /etc";
}

// ---------------------------------------------------------------------------
// bind_mount, in a child's own mount namespace

bool private_mount_namespace(std::ostream& out) {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        out << "setup: a private mount namespace: " << std::strerror(errno) << "\n";
        return false;
    }
    return true;
}

// "ok" or the errno name of a write of a new file at `p`.
std::string write_result(const fs::path& p) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno == EROFS ? "EROFS" : std::strerror(errno);
    ::close(fd);
    return "ok";
}

struct BindScene {
    ScratchDir scratch;
    fs::path source = scratch.path() / "source";
    fs::path target = scratch.path() / "root/mnt";
    BindScene() {
        fs::create_directories(source / "sub");
        fs::create_directories(target);
        put(source / "file", "host");
    }
};

// In the child: a tmpfs at SOURCE/sub (the submount a host dir may have),
// then bind_mount(SOURCE, TARGET).
void bind_with_submount(const BindScene& s, bool readonly, Propagation p) {
    if (::mount("tmpfs", (s.source / "sub").c_str(), "tmpfs", 0, "size=1m") != 0)
        throw std::runtime_error(std::string("setup: tmpfs: ") + std::strerror(errno));
    const auto src = open_path(s.source);
    const auto dst = open_path(s.target);
    v::bind_mount(src.get(), dst.get(), readonly, p);
}

TEST_F(VolumeFunctions, BindMountIsRecursiveAndSharesTheInodes) {
    BindScene s;
    const std::string report = in_child([&](std::ostream& out) {
        if (!private_mount_namespace(out)) return;
        bind_with_submount(s, false, Propagation::RPrivate);
        const auto top = mount_at("self", s.target.string());
        const auto sub = mount_at("self", (s.target / "sub").string());
        out << "top " << (top ? "mounted" : "missing") << (top && has_option(*top, "rw") ? " rw" : "") << "\n";
        out << "sub " << (sub ? sub->fs_type : "missing") << "\n";
        out << "file " << slurp(s.target / "file") << "\n";
        put(s.target / "new", "from the container");
        out << "seen " << slurp(s.source / "new") << "\n";
    });
    EXPECT_EQ(report, "top mounted rw\nsub tmpfs\nfile host\nseen from the container\n")
        << "bind_mount() of a directory with a tmpfs below it: one mount at the target (rw), the submount too "
           "(open_tree with AT_RECURSIVE), the same inodes both ways";
    EXPECT_FALSE(mount_at("self", s.target.string())) << "the bind must not reach the test's mount namespace";
}

TEST_F(VolumeFunctions, BindMountReadOnlyCoversSubmounts) {
    BindScene s;
    const std::string report = in_child([&](std::ostream& out) {
        if (!private_mount_namespace(out)) return;
        bind_with_submount(s, true, Propagation::RPrivate);
        const auto top = mount_at("self", s.target.string());
        const auto sub = mount_at("self", (s.target / "sub").string());
        out << "top " << (top && has_option(*top, "ro") ? "ro" : "not ro") << "\n";
        out << "sub " << (sub && has_option(*sub, "ro") ? "ro" : "not ro") << "\n";
        out << "write " << write_result(s.target / "x") << "\n";
        out << "write sub " << write_result(s.target / "sub/x") << "\n";
        out << "source " << write_result(s.source / "x") << "\n";
        out << "source sub " << write_result(s.source / "sub/x") << "\n";
    });
    EXPECT_EQ(report, "top ro\nsub ro\nwrite EROFS\nwrite sub EROFS\nsource ok\nsource sub ok\n")
        << "a read-only bind: \"ro\" on the mount AND on the submount below it (mount_setattr MOUNT_ATTR_RDONLY "
           "with AT_RECURSIVE), writes through it get EROFS, the source itself stays writable";
}

TEST_F(VolumeFunctions, BindMountOfAFile) {
    BindScene s;
    put(s.scratch.path() / "root/hosts", "");
    const std::string report = in_child([&](std::ostream& out) {
        if (!private_mount_namespace(out)) return;
        const auto src = open_path(s.source / "file");
        const auto dst = open_path(s.scratch.path() / "root/hosts");
        v::bind_mount(src.get(), dst.get(), true, Propagation::RPrivate);
        out << slurp(s.scratch.path() / "root/hosts") << " "
            << write_result(s.scratch.path() / "root/hosts") << "\n";
    });
    EXPECT_EQ(report, "host EROFS\n") << "a file bind-mounted read-only onto a file";
}

TEST_F(VolumeFunctions, BindMountPropagation) {
    // Each case: the propagation asked for, then the optional fields of the
    // top mount and of its submount, as mountinfo shows them.
    struct Case {
        Propagation p;
        bool top_shared, sub_shared;
    };
    const Case cases[] = {
        {Propagation::Private, false, false},
        {Propagation::RPrivate, false, false},
        {Propagation::Shared, true, false},
        {Propagation::RShared, true, true},
    };
    for (const auto& c : cases) {
        BindScene s;
        const std::string report = in_child([&](std::ostream& out) {
            if (!private_mount_namespace(out)) return;
            bind_with_submount(s, false, c.p);
            const auto top = mount_at("self", s.target.string());
            const auto sub = mount_at("self", (s.target / "sub").string());
            if (!top || !sub) {
                out << "missing mounts\n";
                return;
            }
            out << (propagation_fields(*top).find("shared:") != std::string::npos) << " "
                << (propagation_fields(*sub).find("shared:") != std::string::npos) << "\n";
        });
        EXPECT_EQ(report, std::to_string(c.top_shared) + " " + std::to_string(c.sub_shared) + "\n")
            << "propagation " << static_cast<int>(c.p) << ": \"shared:N\" on the top mount (1/0), on the submount "
            << "(1/0); the r forms cover every mount of the tree";
    }
}

TEST_F(VolumeFunctions, BindMountSlaveReceivesTheSourcesMounts) {
    for (const auto p : {Propagation::RSlave, Propagation::RPrivate}) {
        BindScene s;
        const std::string report = in_child([&](std::ostream& out) {
            if (!private_mount_namespace(out)) return;
            // The source as a shared mount of its own, as a host's is.
            if (::mount(s.source.c_str(), s.source.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
                ::mount(nullptr, s.source.c_str(), nullptr, MS_SHARED, nullptr) != 0) {
                out << "setup: " << std::strerror(errno) << "\n";
                return;
            }
            const auto src = open_path(s.source);
            const auto dst = open_path(s.target);
            v::bind_mount(src.get(), dst.get(), false, p);
            const auto top = mount_at("self", s.target.string());
            out << "master " << (top && propagation_fields(*top).find("master:") != std::string::npos) << "\n";
            // A mount made under the source after the bind.
            if (::mount("tmpfs", (s.source / "sub").c_str(), "tmpfs", 0, "size=1m") != 0) {
                out << "setup: late tmpfs: " << std::strerror(errno) << "\n";
                return;
            }
            out << "late " << mount_at("self", (s.target / "sub").string()).has_value() << "\n";
        });
        const bool slave = p == Propagation::RSlave;
        EXPECT_EQ(report, "master " + std::to_string(slave) + "\nlate " + std::to_string(slave) + "\n")
            << (slave ? "rslave: the bind is a slave of the source's peer group (\"master:N\"), and a mount made "
                        "under the source later appears under the target"
                      : "rprivate: no \"master:\", and a later mount under the source does not travel");
    }
}

// ---------------------------------------------------------------------------
// copy_image_contents

std::string describe(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return "missing";
    std::ostringstream out;
    if (S_ISDIR(st.st_mode)) out << "dir";
    else if (S_ISREG(st.st_mode)) out << "file \"" << slurp(p) << "\"";
    else if (S_ISLNK(st.st_mode)) out << "symlink -> " << fs::read_symlink(p).string();
    else if (S_ISCHR(st.st_mode)) out << "char " << major(st.st_rdev) << ":" << minor(st.st_rdev);
    else if (S_ISBLK(st.st_mode)) out << "block " << major(st.st_rdev) << ":" << minor(st.st_rdev);
    else if (S_ISFIFO(st.st_mode)) out << "fifo";
    else out << "other";
    out << " " << st.st_uid << ":" << st.st_gid;
    if (!S_ISLNK(st.st_mode)) out << " " << std::oct << (st.st_mode & 07777) << std::dec;
    out << " mtime " << st.st_mtim.tv_sec;
    return out.str();
}

void set_owner_mode_time(const fs::path& p, uid_t uid, gid_t gid, mode_t mode, time_t mtime) {
    ASSERT_EQ(::lchown(p.c_str(), uid, gid), 0) << p << ": " << std::strerror(errno);
    if (!fs::is_symlink(p)) {
        ASSERT_EQ(::chmod(p.c_str(), mode), 0) << p << ": " << std::strerror(errno);
    }
    const timespec times[2] = {{mtime, 0}, {mtime, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << p;
}

TEST_F(VolumeFunctions, CopyKeepsOwnersModesTimesAndKinds) {
    ScratchDir scratch;
    const fs::path from = scratch.path() / "image-etc", to = scratch.path() / "volume";
    fs::create_directories(from / "ssl/private");
    fs::create_directories(to);
    put(from / "passwd", "root:x:0:0::/root:/bin/sh\n");
    put(from / "su", "#!/bin/sh\n");
    put(from / "ssl/private/key", "secret");
    put(from / "shadow", "hashes");
    ASSERT_EQ(::link((from / "passwd").c_str(), (from / "passwd-hardlink").c_str()), 0);
    link_at(from / "abs-link", "/etc/hostname");
    link_at(from / "rel-link", "passwd");
    ASSERT_EQ(::mknod((from / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << std::strerror(errno);
    ASSERT_EQ(::mkfifo((from / "fifo").c_str(), 0620), 0);
    // Owners that are not the copier's, a set-uid file owned by someone else
    // (chown after chmod would clear its bit), modes a umask would cut.
    set_owner_mode_time(from / "passwd", 0, 0, 0644, 1000000001);
    set_owner_mode_time(from / "su", 1234, 5678, 04755, 1000000002);
    set_owner_mode_time(from / "shadow", 0, 42, 0640, 1000000003);
    set_owner_mode_time(from / "ssl/private/key", 101, 102, 0600, 1000000004);
    set_owner_mode_time(from / "ssl/private", 101, 102, 02750, 1000000005);
    set_owner_mode_time(from / "ssl", 0, 0, 0777, 1000000006);
    set_owner_mode_time(from / "abs-link", 7, 8, 0, 1000000007);
    set_owner_mode_time(from / "null", 0, 0, 0666, 1000000008);
    set_owner_mode_time(from / "fifo", 9, 10, 0620, 1000000009);
    set_owner_mode_time(from, 1000, 1001, 01777, 1000000010);
    if (HasFatalFailure()) return;

    const mode_t old_umask = ::umask(077);
    const std::string error = error_of([&] {
        const auto a = open_path(from), b = open_path(to);
        v::copy_image_contents(a.get(), b.get());
    });
    ::umask(old_umask);
    ASSERT_EQ(error, "") << "copy_image_contents() of a tree with files, links, a device and a fifo";

    for (const std::string name : {"passwd", "su", "shadow", "ssl", "ssl/private", "ssl/private/key", "abs-link",
                                   "rel-link", "null", "fifo"})
        EXPECT_EQ(describe(to / name), describe(from / name))
            << name << ": the copy has the image's kind, content, owner, mode (set-id bits included, whatever "
            << "the umask) and modification time";
    const auto hard = stat_of(to / "passwd-hardlink", false);
    EXPECT_TRUE(S_ISREG(hard.st_mode));
    EXPECT_EQ(slurp(to / "passwd-hardlink"), slurp(from / "passwd"));
    EXPECT_FALSE(same_file(hard, stat_of(from / "passwd"))) << "a copy, not a link to the image's file";
    EXPECT_TRUE(fs::is_symlink(to / "abs-link")) << "a symlink is copied as one, never followed to the host";
    const auto top = stat_of(to);
    EXPECT_EQ(top.st_mode & 07777, 01777u) << "the volume's directory takes the image directory's mode (/tmp)";
    EXPECT_EQ(top.st_uid, 1000u);
    EXPECT_EQ(top.st_gid, 1001u);
}

TEST_F(VolumeFunctions, CopyOfAnEmptyDirectoryTakesOnlyItsOwnerAndMode) {
    ScratchDir scratch;
    const fs::path from = scratch.path() / "image-tmp", to = scratch.path() / "volume";
    fs::create_directories(from);
    fs::create_directories(to);
    set_owner_mode_time(from, 0, 0, 01777, 1000000000);
    if (HasFatalFailure()) return;
    const auto a = open_path(from), b = open_path(to);
    EXPECT_EQ(error_of([&] { v::copy_image_contents(a.get(), b.get()); }), "");
    EXPECT_EQ(stat_of(to).st_mode & 07777, 01777u);
    EXPECT_TRUE(fs::is_empty(to));
}

} // namespace
} // namespace kubik::test
