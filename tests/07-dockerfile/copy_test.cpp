// Lesson 7 — copy_into_root() called directly: sources in a scratch
// "context", an image root of hostile symlinks opened as root_fd, and
// every result checked with lstat (owner, mode, mtime, inode, link text),
// never by what the function says it did. "host/" beside the root stands
// for the host: a copy that reaches it escaped the image.
#include "context_helpers.hpp"

#include <sys/sysmacros.h>

namespace kubik::test {
namespace {

using namespace context7;
using kubik::dockerfile::copy_into_root;
using kubik::dockerfile::CopyOptions;

TEST_F(ContextTest, CopyFileToExactPathMakesParents) {
    make_file(context() / "app.conf", "listen 80\n", 0640);
    set_mtime(context() / "app.conf", 1500000000, 123456789);
    // The parents must come out 0755 whatever the process's umask is.
    const mode_t old = ::umask(077);
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "app.conf", root_fd(), "/etc/app/app.conf", {}); }), "");
    ::umask(old);

    EXPECT_EQ(slurp(root() / "etc/app/app.conf"), "listen 80\n");
    const auto st = lstat_of(root() / "etc/app/app.conf");
    EXPECT_EQ(st.st_mode & 07777, 0640u) << "a file keeps its mode";
    EXPECT_EQ(st.st_mtim.tv_sec, 1500000000) << "a file keeps its mtime";
    EXPECT_EQ(st.st_mtim.tv_nsec, 123456789);
    EXPECT_EQ(st.st_uid, 0u);
    EXPECT_EQ(st.st_gid, 0u);
    for (const char* dir : {"etc", "etc/app"}) {
        const auto d = lstat_of(root() / dir);
        ASSERT_TRUE(S_ISDIR(d.st_mode)) << dir;
        EXPECT_EQ(d.st_mode & 07777, 0755u) << "a parent COPY makes is 0755: " << dir;
        EXPECT_EQ(d.st_uid, 0u) << dir;
    }
}

TEST_F(ContextTest, CopyGivesChownOwnerAndKeepsSetuidBits) {
    make_file(context() / "tool", "#!/bin/sh\n", 04755);
    CopyOptions options;
    options.uid = 1000;
    options.gid = 2000;
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "tool", root_fd(), "/usr/bin/tool", options); }), "");
    const auto st = lstat_of(root() / "usr/bin/tool");
    EXPECT_EQ(st.st_uid, 1000u);
    EXPECT_EQ(st.st_gid, 2000u);
    EXPECT_EQ(st.st_mode & 07777, 04755u) << "chown clears setuid: it must come before chmod";
    const auto parent = lstat_of(root() / "usr/bin");
    EXPECT_EQ(parent.st_uid, 0u) << "parents COPY makes are root's";
}

TEST_F(ContextTest, CopyChmodAppliesToFilesAndDirectories) {
    make_file(context() / "src/a.txt", "a", 0600);
    make_file(context() / "src/sub/b.txt", "b", 0600);
    ASSERT_EQ(::chmod((context() / "src/sub").c_str(), 0700), 0);
    CopyOptions options;
    options.mode = 0751;
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "src", root_fd(), "/app", options); }), "");
    for (const char* p : {"app", "app/a.txt", "app/sub", "app/sub/b.txt"})
        EXPECT_EQ(lstat_of(root() / p).st_mode & 07777, 0751u) << p;
}

TEST_F(ContextTest, CopyDirectoryIsRecursiveWithModesMtimesAndLinksAsLinks) {
    make_file(context() / "src/main.c", "int main;\n", 0644);
    make_file(context() / "src/lib/util.c", "util\n", 0600);
    ASSERT_EQ(::chmod((context() / "src/lib").c_str(), 0750), 0);
    make_link(context() / "src/passwd", "/etc/passwd");
    make_link(context() / "src/up", "../../..");
    set_mtime(context() / "src/lib/util.c", 1400000000);
    set_mtime(context() / "src/lib", 1300000000);
    set_mtime(context() / "src", 1200000000);
    CopyOptions options;
    options.uid = 7;
    options.gid = 8;
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "src", root_fd(), "/app", options); }), "");

    EXPECT_EQ(slurp(root() / "app/main.c"), "int main;\n");
    EXPECT_EQ(slurp(root() / "app/lib/util.c"), "util\n");
    EXPECT_EQ(lstat_of(root() / "app/lib/util.c").st_mode & 07777, 0600u);
    EXPECT_EQ(lstat_of(root() / "app/lib/util.c").st_mtim.tv_sec, 1400000000);
    const auto lib = lstat_of(root() / "app/lib");
    EXPECT_EQ(lib.st_mode & 07777, 0750u) << "a directory keeps its mode";
    EXPECT_EQ(lib.st_mtim.tv_sec, 1300000000) << "a directory's mtime is set after its children are in";
    EXPECT_EQ(lstat_of(root() / "app").st_mtim.tv_sec, 1200000000);
    for (const char* p : {"app", "app/lib", "app/main.c", "app/lib/util.c", "app/passwd", "app/up"}) {
        EXPECT_EQ(lstat_of(root() / p).st_uid, 7u) << p;
        EXPECT_EQ(lstat_of(root() / p).st_gid, 8u) << p;
    }
    // Symlinks are copied as links, with their text: never followed, or
    // the host's /etc/passwd would be in the image.
    ASSERT_TRUE(S_ISLNK(lstat_of(root() / "app/passwd").st_mode));
    EXPECT_EQ(link_target(root() / "app/passwd"), "/etc/passwd");
    ASSERT_TRUE(S_ISLNK(lstat_of(root() / "app/up").st_mode));
    EXPECT_EQ(link_target(root() / "app/up"), "../../..");
}

TEST_F(ContextTest, CopyTopLevelSymlinkIsCopiedAsLink) {
    make_link(context() / "current", "releases/42");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "current", root_fd(), "/srv/current", {}); }), "");
    ASSERT_TRUE(S_ISLNK(lstat_of(root() / "srv/current").st_mode));
    EXPECT_EQ(link_target(root() / "srv/current"), "releases/42");
}

TEST_F(ContextTest, CopyFollowsAbsoluteImageSymlinkInsideTheRoot) {
    // `RUN ln -s / /x` then `COPY f /x/etc/f`: lands in the image's /etc.
    make_link(root() / "x", "/");
    make_file(context() / "f", "inside\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "f", root_fd(), "/x/etc/f", {}); }), "");
    EXPECT_EQ(slurp(root() / "etc/f"), "inside\n");
    EXPECT_TRUE(S_ISLNK(lstat_of(root() / "x").st_mode)) << "the image's symlink is left as it is";
}

TEST_F(ContextTest, CopyNeverLeavesTheRootThroughImageSymlinks) {
    fs::create_directories(host());
    make_file(host() / "secret", "host's\n");
    // Three ways out for a plain open(): "..", an absolute host path, and
    // a symlink to the host's directory by its real name.
    make_link(root() / "up", "../../../../../../../../..");
    make_link(root() / "abs", host().string());
    make_link(root() / "rel", "../host");
    make_file(context() / "f", "copied\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "f", root_fd(), "/up" + host().string() + "/secret", {}); }), "");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "f", root_fd(), "/abs/new", {}); }), "");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "f", root_fd(), "/rel/secret", {}); }), "");

    EXPECT_EQ(slurp(host() / "secret"), "host's\n") << "the host's file was overwritten";
    EXPECT_FALSE(exists_no_follow(host() / "new")) << "a file was made on the host";
    // Each went where the image's own "/" says.
    EXPECT_EQ(slurp(root() / host().relative_path() / "secret"), "copied\n");
    EXPECT_EQ(slurp(root() / host().relative_path() / "new"), "copied\n");
    EXPECT_EQ(slurp(root() / "host/secret"), "copied\n");
}

TEST_F(ContextTest, CopyReplacesADestinationSymlinkInsteadOfWritingThroughIt) {
    fs::create_directories(host());
    make_file(host() / "passwd", "root:x:0:0\n");
    fs::create_directories(root() / "etc");
    make_link(root() / "etc/passwd", host() / "passwd");
    make_file(context() / "passwd", "image's\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "passwd", root_fd(), "/etc/passwd", {}); }), "");
    EXPECT_EQ(slurp(host() / "passwd"), "root:x:0:0\n");
    EXPECT_TRUE(S_ISREG(lstat_of(root() / "etc/passwd").st_mode)) << "the symlink is replaced by the file";
    EXPECT_EQ(slurp(root() / "etc/passwd"), "image's\n");
}

TEST_F(ContextTest, CopyReplacesAFileWithANewInode) {
    // A hardlink in the image: writing into the old inode would change the
    // other name too (and a file of a lower layer, through overlayfs).
    make_file(root() / "bin/a", "old\n", 0755);
    ASSERT_EQ(::link((root() / "bin/a").c_str(), (root() / "bin/b").c_str()), 0);
    make_file(context() / "a", "new\n", 0700);
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "a", root_fd(), "/bin/a", {}); }), "");
    EXPECT_EQ(slurp(root() / "bin/a"), "new\n");
    EXPECT_EQ(slurp(root() / "bin/b"), "old\n") << "the copy wrote through a hardlink";
    EXPECT_EQ(lstat_of(root() / "bin/a").st_mode & 07777, 0700u);
}

TEST_F(ContextTest, CopyMakesWhatADanglingImageSymlinkNamesInsideTheRoot) {
    make_link(root() / "data", "/var/lib/data");
    make_file(context() / "db", "rows\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "db", root_fd(), "/data/db", {}); }), "");
    EXPECT_EQ(slurp(root() / "var/lib/data/db"), "rows\n");
    EXPECT_TRUE(S_ISLNK(lstat_of(root() / "data").st_mode));
}

TEST_F(ContextTest, CopyDirectoryMergesIntoAnExistingOneAndFollowsALinkToIt) {
    make_file(root() / "app/old.txt", "old\n");
    ASSERT_EQ(::chmod((root() / "app").c_str(), 0711), 0);
    make_file(context() / "src/new.txt", "new\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "src", root_fd(), "/app", {}); }), "");
    EXPECT_EQ(slurp(root() / "app/old.txt"), "old\n") << "what was there stays";
    EXPECT_EQ(slurp(root() / "app/new.txt"), "new\n");
    EXPECT_EQ(lstat_of(root() / "app").st_mode & 07777, 0711u) << "an existing directory keeps its mode";

    // /www -> /app: a directory copied to /www lands in /app.
    make_link(root() / "www", "/app");
    make_file(context() / "site/index.html", "<h1>\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "site", root_fd(), "/www", {}); }), "");
    EXPECT_EQ(slurp(root() / "app/index.html"), "<h1>\n");
    EXPECT_TRUE(S_ISLNK(lstat_of(root() / "www").st_mode));
}

TEST_F(ContextTest, CopyDirectoryFollowsTheImagesDirectoryLinksBelowDest) {
    // /app/lib -> /usr/lib in the image; `COPY src /app` with src/lib/x.so
    // lands in /usr/lib, and the link stays (never a path on the host).
    fs::create_directories(root() / "usr/lib");
    fs::create_directories(root() / "app");
    make_link(root() / "app/lib", "/usr/lib");
    fs::create_directories(host());
    make_link(root() / "app/out", host().string());
    make_file(context() / "src/lib/x.so", "elf\n");
    make_file(context() / "src/out/f", "f\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "src", root_fd(), "/app", {}); }), "");
    EXPECT_EQ(slurp(root() / "usr/lib/x.so"), "elf\n");
    EXPECT_TRUE(S_ISLNK(lstat_of(root() / "app/lib").st_mode));
    EXPECT_TRUE(fs::is_empty(host())) << "a link of the image to a host path was followed on the host";
}

TEST_F(ContextTest, CopyDirectoryToTheImageRoot) {
    make_file(context() / "tree/etc/motd", "hi\n");
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "tree", root_fd(), "/", {}); }), "");
    EXPECT_EQ(slurp(root() / "etc/motd"), "hi\n");
}

TEST_F(ContextTest, CopyFifoAsANode) {
    ASSERT_EQ(::mkfifo((context() / "pipe").c_str(), 0600), 0);
    ASSERT_EQ(::chmod((context() / "pipe").c_str(), 0620), 0);
    EXPECT_EQ(sandbox([&] { copy_into_root(context() / "pipe", root_fd(), "/run/pipe", {}); }), "");
    const auto st = lstat_of(root() / "run/pipe");
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "a FIFO is made, never opened (that would block)";
    EXPECT_EQ(st.st_mode & 07777, 0620u);
}

TEST_F(ContextTest, CopyErrorsNameThePath) {
    make_file(context() / "f", "x");
    make_file(root() / "etc", "a file, not a directory");
    std::string err = sandbox([&] { copy_into_root(context() / "f", root_fd(), "/etc/f", {}); });
    EXPECT_NE(err.find("/etc"), std::string::npos) << err;
    EXPECT_NE(err.find("not a directory"), std::string::npos) << err;

    err = sandbox([&] { copy_into_root(context() / "missing", root_fd(), "/m", {}); });
    EXPECT_NE(err.find("missing"), std::string::npos) << err;

    err = sandbox([&] { copy_into_root(context() / "f", root_fd(), "relative/f", {}); });
    EXPECT_NE(err.find("relative/f"), std::string::npos) << err;

    fs::create_directories(root() / "dir/sub");
    err = sandbox([&] { copy_into_root(context() / "f", root_fd(), "/dir", {}); });
    EXPECT_NE(err.find("/dir"), std::string::npos) << "a directory is never replaced by a file: " << err;
    EXPECT_TRUE(fs::is_directory(root() / "dir/sub"));
}

} // namespace
} // namespace kubik::test
