// Lesson 1 — chroot: the container sees the image's files and nothing of the
// host's; the image is never written; chroot alone can be escaped, pivot_root
// can't.
//
// Lesson 2 (namespaces) may still be a stub here, so the container may have
// no /proc, /dev or /sys of its own: these tests look at the container's
// filesystem with plain file commands and at the kernel from the host. What
// only lesson 2's mounts would show through kubik (the mounts below the new
// root, where the process is left), the last tests check by calling
// enter_rootfs() and enter_chroot() themselves, in a child process.
#include "kubik_test.hpp"

#include "rootfs.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <map>
#include <set>
#include <sstream>

#ifndef CHROOT_ESCAPE_BIN
#error "CHROOT_ESCAPE_BIN must be defined by tests/CMakeLists.txt"
#endif

namespace kubik::test {
namespace {

class Chroot : public LessonTest {
protected:
    Chroot() : LessonTest(1, "chroot") {}

    RunResult krun(std::vector<std::string> args, const RunOptions& options = {}) {
        args.insert(args.begin(), "run");
        return kubik(args, options);
    }

    // A host file the container must not see. In /tmp, as the lesson text
    // says: a path that certainly exists on the host and not in the image.
    // The build's tag in the name: the leak check removes only its own build's.
    fs::path make_host_marker() {
        std::string templ = "/tmp/kubik-test-marker-" + build_tag() + "-XXXXXX";
        int fd = ::mkstemp(templ.data());
        if (fd < 0) return {};
        ::close(fd);
        remove_at_teardown(templ);
        return templ;
    }

    // The image "escape": busybox plus the static escape demo at
    // /chroot_escape.
    void make_escape_image() {
        // The test's own store: the demo goes into busybox's only layer, and
        // "escape" is a second name for that image.
        auto r = kubik({"tag", "busybox", "escape"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
        const fs::path demo = image_rootfs("escape") / "chroot_escape";
        fs::copy_file(CHROOT_ESCAPE_BIN, demo);
        fs::permissions(demo, static_cast<fs::perms>(0755));
    }
};

std::set<std::string> names_in(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

std::set<std::string> lines_set(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line != "." && line != "..") out.insert(line);
    return out;
}

std::string joined(const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
    return out;
}

// FNV-1a: enough to notice any change to a file's bytes.
std::string content_hash(const fs::path& file) {
    auto text = read_text(file);
    if (!text) return "unreadable";
    unsigned long long h = 1469598103934665603ULL;
    for (unsigned char c : *text) h = (h ^ c) * 1099511628211ULL;
    std::ostringstream s;
    s << std::hex << h;
    return s.str();
}

// What could tell that something wrote to a tree: every entry's type, mode,
// owner, size, mtime, link target and content. Directory mtimes change when
// an entry is added or removed in them.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> out;
    auto add = [&](const fs::path& p) {
        struct stat st;
        std::ostringstream d;
        if (::lstat(p.c_str(), &st) != 0) {
            d << "lstat failed";
        } else {
            d << std::oct << st.st_mode << std::dec << " " << st.st_uid << ":" << st.st_gid << " size "
              << st.st_size << " mtime " << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
            if (S_ISLNK(st.st_mode)) d << " -> " << fs::read_symlink(p).string();
            if (S_ISREG(st.st_mode)) d << " fnv " << content_hash(p);
        }
        out[fs::relative(p, dir).string()] = d.str();
    };
    add(dir);
    for (const auto& e : fs::recursive_directory_iterator(dir)) add(e.path());
    return out;
}

std::string diff(const std::map<std::string, std::string>& before,
                 const std::map<std::string, std::string>& after) {
    std::ostringstream d;
    for (const auto& [path, desc] : before) {
        auto it = after.find(path);
        if (it == after.end()) d << "  removed: " << path << "\n";
        else if (it->second != desc) d << "  changed: " << path << " (" << desc << " => " << it->second << ")\n";
    }
    for (const auto& [path, desc] : after)
        if (!before.count(path)) d << "  added: " << path << "\n";
    return d.str();
}

TEST_F(Chroot, HostFilesAreUnreachable) {
    const fs::path marker = make_host_marker();
    ASSERT_FALSE(marker.empty());
    const std::string probe = "for p in \"$@\"; do if [ -e \"$p\" ]; then echo \"visible $p\"; "
                              "else echo \"hidden $p\"; fi; done";
    auto r = krun({"--rm", "busybox", "sh", "-c", probe, "sh", marker.string(), root_.string(),
                   kubik_binary()});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    // "hidden" means something only while the files exist on the host.
    ASSERT_TRUE(fs::exists(marker)) << "the host marker " << marker << " is gone after the run";
    EXPECT_EQ(r.out, "hidden " + marker.string() + "\nhidden " + root_.string() + "\nhidden " +
                         kubik_binary() + "\n")
        << "host files (a marker in /tmp, the state root, kubik itself) must not be visible\n"
        << r.describe();
}

TEST_F(Chroot, RootDirectoryIsTheImage) {
    auto r = krun({"--rm", "busybox", "ls", "-1a", "/"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    const auto inside = lines_set(r.out);
    const auto image = names_in(image_rootfs());
    EXPECT_EQ(joined(inside), joined(image))
        << "`ls -a /` in the container must list exactly the top of the image's rootfs ("
        << image_rootfs().string() << ")\n" << r.describe();
}

TEST_F(Chroot, ImageIsUnchangedByContainerWrites) {
    const fs::path rootfs = image_rootfs();
    const auto before = snapshot(rootfs);
    auto r = krun({"busybox", "sh", "-c",
                   "echo new > /newfile && mkdir -p /newdir/sub && echo more >> /etc/passwd && "
                   "rm /etc/nsswitch.conf && rm /bin/ls && chmod 600 /etc/group && touch /bin && "
                   "cat /newfile && tail -n 1 /etc/passwd && test ! -e /etc/nsswitch.conf && echo done"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "new\nmore\ndone\n") << "the container must see its own writes\n" << r.describe();
    const auto after = snapshot(rootfs);
    EXPECT_EQ(diff(before, after), "") << "the image's rootfs was modified by a container";
}

TEST_F(Chroot, WritesDoNotReachTheNextContainer) {
    // Not /etc/hosts: from lesson 6 on it is a file bind-mounted from the
    // container's directory (as docker's), which rm can't remove (EBUSY).
    auto first = krun({"busybox", "sh", "-c", "echo x > /persist-check && rm /etc/nsswitch.conf"});
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    auto second = krun({"--rm", "busybox", "sh", "-c",
                        "if [ -e /persist-check ]; then echo present; else echo absent; fi; "
                        "if [ -e /etc/nsswitch.conf ]; then echo kept; else echo removed; fi"});
    EXPECT_EQ(second.exit_code, 0) << second.describe();
    EXPECT_EQ(second.out, "absent\nkept\n")
        << "each container starts from the image, not from the previous container's files\n"
        << second.describe();
}

TEST_F(Chroot, ChrootAloneCanBeEscaped) {
    ASSERT_NO_FATAL_FAILURE(make_escape_image());
    const fs::path marker = make_host_marker();
    ASSERT_FALSE(marker.empty());
    auto r = krun({"--rm", "--isolation", "chroot", "escape", "/chroot_escape", marker.string()});
    EXPECT_EQ(r.exit_code, 0)
        << "with --isolation chroot the classic escape must reach the host's root "
           "(lessons/01-chroot/chroot_escape.cpp explains why)\n" << r.describe();
    EXPECT_EQ(r.out.rfind("ESCAPED", 0), 0u) << r.describe();
    expect_no_container_state("after the escape demo");
}

TEST_F(Chroot, PivotRootCannotBeEscaped) {
    ASSERT_NO_FATAL_FAILURE(make_escape_image());
    const fs::path marker = make_host_marker();
    ASSERT_FALSE(marker.empty());
    for (const std::vector<std::string>& isolation :
         {std::vector<std::string>{}, std::vector<std::string>{"--isolation", "pivot_root"}}) {
        std::vector<std::string> args{"--rm"};
        args.insert(args.end(), isolation.begin(), isolation.end());
        args.insert(args.end(), {"escape", "/chroot_escape", marker.string()});
        auto r = krun(args);
        EXPECT_EQ(r.exit_code, 1) << "after pivot_root and detaching the old root there is no "
                                     "host root left to climb to\n" << r.describe();
        EXPECT_EQ(r.out.rfind("CONTAINED", 0), 0u) << r.describe();
        EXPECT_NE(r.out.find("climbed to the top"), std::string::npos)
            << "the demo must have run its climb, not failed on the way\n" << r.describe();
    }
    expect_no_container_state("after the escape demo");
}

TEST_F(Chroot, HostMountTableIsUnchanged) {
    const auto before = mount_table();
    for (const char* isolation : {"pivot_root", "chroot"}) {
        auto r = krun({"--rm", "--isolation", isolation, "busybox", "true"});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        const auto after = mount_table();
        std::string added, removed;
        for (const auto& l : after)
            if (!before.count(l)) added += "  + " + l + "\n";
        for (const auto& l : before)
            if (!after.count(l)) removed += "  - " + l + "\n";
        EXPECT_EQ(added + removed, "") << "the host's /proc/self/mountinfo changed with --isolation "
                                       << isolation;
    }
}

// ---------------------------------------------------------------------------
// The lesson's two functions, called directly in a child of the test (they
// change the calling process's root for good), on a root with a mount below
// it, as lesson 2's /proc, /dev and /sys will be.

// The kernel's own answer: glibc's getcwd() hides a directory outside the
// root, the system call prefixes it with "(unreachable)".
std::string raw_cwd() {
    char buf[4096];
    long n = ::syscall(SYS_getcwd, buf, sizeof buf);
    return n > 0 ? std::string(buf) : "(getcwd failed: " + std::string(std::strerror(errno)) + ")";
}

bool same_directory(const char* a, const char* b) {
    struct stat sa {}, sb {};
    return ::stat(a, &sa) == 0 && ::stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/// A root with a file at the top and a tmpfs mounted at sub/ holding a file,
/// made in the child's own mount namespace; the child starts outside it.
void make_root_with_a_mount(const fs::path& root, std::ostream& out) {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        out << "setup: a private mount namespace: " << std::strerror(errno) << "\n";
        return;
    }
    fs::create_directories(root / "sub");
    std::ofstream(root / "top-file") << "top\n";
    if (::mount("kubik-test", (root / "sub").c_str(), "tmpfs", 0, "size=1m") != 0) {
        out << "setup: mount a tmpfs on " << (root / "sub").string() << ": " << std::strerror(errno) << "\n";
        return;
    }
    std::ofstream(root / "sub/below-file") << "below\n";
    if (::chdir(root.parent_path().c_str()) != 0) out << "setup: chdir: " << std::strerror(errno) << "\n";
}

TEST(RootFunctions, EnterRootfsKeepsTheMountsBelowTheRootAndLeavesTheProcessInIt) {
    ScratchDir scratch;
    const fs::path root = scratch.path() / "root";
    const std::string report = in_child([&](std::ostream& out) {
        make_root_with_a_mount(root, out);
        kubik::rootfs::enter_rootfs(root);
        out << "top-file " << (::access("/top-file", F_OK) == 0 ? "seen" : "missing") << "\n";
        out << "below-file " << (::access("/sub/below-file", F_OK) == 0 ? "seen" : "missing") << "\n";
        out << "cwd " << raw_cwd() << (same_directory(".", "/") ? "" : " (not the root)") << "\n";
        out << "old root " << (::access(scratch.path().c_str(), F_OK) == 0 ? "reachable" : "gone") << "\n";
    });
    EXPECT_EQ(report, "top-file seen\nbelow-file seen\ncwd /\nold root gone\n")
        << "enter_rootfs(" << root.string() << "), where " << (root / "sub").string()
        << " is a tmpfs holding below-file; expected the new root's own files AND the mount below it "
           "(the bind mount must be recursive: MS_REC), the process in the new /, the old root gone";
}

TEST(RootFunctions, EnterChrootLeavesTheProcessInTheNewRoot) {
    ScratchDir scratch;
    const fs::path root = scratch.path() / "root";
    const std::string report = in_child([&](std::ostream& out) {
        make_root_with_a_mount(root, out);
        kubik::rootfs::enter_chroot(root);
        out << "top-file " << (::access("/top-file", F_OK) == 0 ? "seen" : "missing") << "\n";
        out << "cwd " << raw_cwd() << (same_directory(".", "/") ? "" : " (not the root)") << "\n";
    });
    EXPECT_EQ(report, "top-file seen\ncwd /\n")
        << "enter_chroot(" << root.string() << ") called from " << scratch.path().string()
        << ": chroot() changes only the root; a process still in a directory outside it can walk `..` "
           "to the host's files";
}

}  // namespace
}  // namespace kubik::test
