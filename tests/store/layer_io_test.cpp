// The layer I/O library (src/core/sha256, src/image/tar_*, layer_root) on
// real files: digests checked against sha256sum, gzip and zstd streams made
// by the real tools, a TarWriter → TarReader → LayerRoot round trip checked
// with lstat and getxattr, and hostile tars (made with Python's tarfile)
// that must be refused without touching anything outside the layer.
#include "kubik_test.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "image/layer_root.hpp"
#include "image/tar_reader.hpp"
#include "image/tar_writer.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using kubik::image::LayerRoot;
using kubik::image::TarEntry;
using kubik::image::TarReader;
using kubik::image::TarWriter;

void write_file(const fs::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    ASSERT_TRUE(out.good()) << "write " << path;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs `command` with /bin/sh and returns its stdout; fails the test on a
// non-zero exit.
std::string shell(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) {
        ADD_FAILURE() << "popen " << command;
        return {};
    }
    std::string out;
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    const int status = ::pclose(pipe);
    EXPECT_EQ(status, 0) << command << "\n" << out;
    return out;
}

std::string q(const fs::path& path) { return "'" + path.string() + "'"; }

// The digest an independent tool computes.
std::string sha256sum(const fs::path& file) {
    return "sha256:" + shell("sha256sum < " + q(file)).substr(0, 64);
}

std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 gen(seed);
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(gen());
    return out;
}

struct TarFile {
    kubik::UniqueFd fd;
    explicit TarFile(const fs::path& path, int flags = O_RDONLY)
        : fd(::open(path.c_str(), flags | O_CLOEXEC, 0644)) {
        EXPECT_TRUE(fd) << "open " << path << ": " << std::strerror(errno);
    }
};

// Reads a whole stream, entries and data; returns the entries.
std::vector<TarEntry> read_all(const fs::path& file, std::map<std::string, std::string>* data) {
    TarFile in(file);
    TarReader tar(in.fd.get(), "archive " + file.filename().string());
    std::vector<TarEntry> entries;
    TarEntry entry;
    while (tar.next(entry)) {
        if (data && entry.type == TarEntry::Type::Regular) (*data)[entry.path] = tar.read_data(1 << 26);
        entries.push_back(entry);
    }
    return entries;
}

// Unpacks `file` into `layer` the way the store does. Returns the error's
// message, or "" when it unpacked.
std::string unpack(const fs::path& file, const fs::path& layer) {
    try {
        TarFile in(file);
        TarReader tar(in.fd.get(), "layer " + file.filename().string());
        LayerRoot root(layer);
        TarEntry entry;
        while (tar.next(entry)) root.extract(entry, tar);
        root.finish();
        return "";
    } catch (const kubik::Error& e) {
        return e.what();
    }
}

// Writes a tar with Python's tarfile: `body` calls f(name, data), d(name),
// sym(name, target), hard(name, target).
void python_tar(const fs::path& out, const std::string& body) {
    const fs::path script = out.string() + ".py";
    write_file(script,
               "import io, sys, tarfile\n"
               "t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)\n"
               "def f(name, data=b'evil'):\n"
               "    i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644\n"
               "    t.addfile(i, io.BytesIO(data))\n"
               "def d(name):\n"
               "    i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)\n"
               "def sym(name, target):\n"
               "    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)\n"
               "def hard(name, target):\n"
               "    i = tarfile.TarInfo(name); i.type = tarfile.LNKTYPE; i.linkname = target; t.addfile(i)\n" +
                   body + "\nt.close()\n");
    shell("python3 " + q(script) + " " + q(out));
}

// Everything below `dir`: relative path → a description of type, size,
// mode, owner, link count, mtime and content digest (files).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        struct stat st {};
        ::lstat(it->path().c_str(), &st);
        std::ostringstream d;
        d << std::oct << st.st_mode << std::dec << " " << st.st_uid << ":" << st.st_gid << " n" << st.st_nlink
          << " s" << st.st_size << " t" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
        if (S_ISREG(st.st_mode)) d << " " << kubik::sha256_digest(read_file(it->path()));
        out[fs::relative(it->path(), dir).string()] = d.str();
    }
    return out;
}

std::string get_xattr(const fs::path& path, const std::string& name) {
    std::string value(4096, '\0');
    const ssize_t n = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (n < 0) return "<" + std::string(std::strerror(errno)) + ">";
    value.resize(static_cast<std::size_t>(n));
    return value;
}

// A file capability (struct vfs_cap_data, revision 2): cap_net_bind_service
// permitted and effective.
std::string net_bind_capability() {
    std::string cap(20, '\0');
    const std::uint32_t magic = 0x02000000 | 1;  // VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE
    const std::uint32_t permitted = 1u << 10;    // CAP_NET_BIND_SERVICE
    std::memcpy(cap.data(), &magic, 4);
    std::memcpy(cap.data() + 4, &permitted, 4);
    return cap;
}

class LayerIo : public ::testing::Test {
protected:
    kubik::test::ScratchDir scratch;
    fs::path dir(const std::string& name) {
        fs::path p = scratch.path() / name;
        fs::create_directories(p);
        return p;
    }
};

// --- sha256 -------------------------------------------------------------------

TEST(Sha256, KnownVectorsAndDigestSyntax) {
    EXPECT_EQ(kubik::sha256_digest(""),
              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(kubik::sha256_digest("abc"),
              "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    kubik::Sha256 pieces;
    pieces.update("a");
    pieces.update("bc");
    EXPECT_EQ(pieces.digest(), kubik::sha256_digest("abc"));

    const std::string good = kubik::sha256_digest("x");
    EXPECT_TRUE(kubik::is_sha256_digest(good));
    EXPECT_FALSE(kubik::is_sha256_digest(good.substr(0, good.size() - 1)));
    EXPECT_FALSE(kubik::is_sha256_digest("sha512:" + good.substr(7)));
    std::string upper = good;
    upper[10] = 'A';
    EXPECT_FALSE(kubik::is_sha256_digest(upper));
    EXPECT_EQ(kubik::digest_hex(good), good.substr(7));
    EXPECT_THROW(kubik::digest_hex("sha256:xyz"), kubik::Error);
}

// --- digests of plain, gzip, zstd and xz streams --------------------------------

TEST_F(LayerIo, BothDigestsOfEveryCompressionEqualSha256OfTheBytes) {
    const fs::path src = dir("src");
    write_file(src / "big", random_bytes(3 << 20, 1));  // several read blocks
    write_file(src / "small", "hello\n");
    fs::create_directories(src / "sub");
    write_file(src / "sub/text", std::string(100000, 'a'));

    const fs::path tar = scratch.path() / "layer.tar";
    {
        TarFile out(tar, O_WRONLY | O_CREAT | O_TRUNC);
        TarWriter writer(out.fd.get(), "layer.tar");
        writer.add_from_disk(src / "sub", "sub");
        writer.add_from_disk(src / "big", "big");
        writer.add_from_disk(src / "small", "small");
        writer.add_from_disk(src / "sub/text", "sub/text");
        writer.finish();
        EXPECT_EQ(writer.size(), fs::file_size(tar));
        EXPECT_EQ(writer.digest(), sha256sum(tar));
    }
    // GNU tar pads to 10 KiB records: the padding is part of the diff ID.
    const fs::path gnu = scratch.path() / "gnu.tar";
    shell("tar -cf " + q(gnu) + " -C " + q(src) + " .");

    for (const fs::path& plain : {tar, gnu}) {
        const std::vector<std::pair<std::string, std::string>> forms = {
            {"", ""}, {".gz", "gzip -c"}, {".zst", "zstd -q -c"}, {".xz", "xz -c"}, {".bz2", "bzip2 -c"},
            // Two gzip members, split in the middle of an entry (RFC 1952 allows it; pigz makes them).
            {".2.gz", "sh -c 'head -c 1000000 \"$0\" | gzip -c; tail -c +1000001 \"$0\" | gzip -c'"}};
        for (const auto& [ext, tool] : forms) {
            fs::path file = plain;
            if (!tool.empty()) {
                file = plain.string() + ext;
                shell(tool + " " + q(plain) + " > " + q(file));
            }
            SCOPED_TRACE(file.filename().string());
            TarFile in(file);
            TarReader reader(in.fd.get(), "archive " + file.filename().string());
            TarEntry entry;
            std::set<std::string> names;
            while (reader.next(entry)) names.insert(entry.path);
            EXPECT_TRUE(names.count("big") || names.count("./big")) << file;
            EXPECT_EQ(reader.compressed_digest(), sha256sum(file));
            EXPECT_EQ(reader.diff_id(), sha256sum(plain));
            EXPECT_EQ(reader.compressed_size(), fs::file_size(file));
            EXPECT_EQ(reader.uncompressed_size(), fs::file_size(plain));
            EXPECT_FALSE(reader.next(entry));  // stays at the end
        }
    }
}

TEST_F(LayerIo, TheSameFilesMakeTheSameTar) {
    const fs::path src = dir("src");
    write_file(src / "a", "a");
    fs::create_directories(src / "d");
    ::symlink("a", (src / "l").c_str());
    std::string digests[2];
    for (int i = 0; i < 2; ++i) {
        const fs::path tar = scratch.path() / ("t" + std::to_string(i) + ".tar");
        TarFile out(tar, O_WRONLY | O_CREAT | O_TRUNC);
        TarWriter writer(out.fd.get(), "t.tar");
        writer.add_from_disk(src / "d", "d");
        writer.add_from_disk(src / "a", "d/a");
        writer.add_from_disk(src / "l", "l");
        writer.add_empty_file("d/.wh..wh..opq");
        writer.finish();
        digests[i] = writer.digest();
        // Listed by GNU tar, in order, with no owner names.
        const std::string listing = shell("tar -tvf " + q(tar));
        EXPECT_EQ(shell("tar -tf " + q(tar)), "d/\nd/a\nl\nd/.wh..wh..opq\n");
        EXPECT_NE(listing.find("0/0"), std::string::npos) << listing;
    }
    EXPECT_EQ(digests[0], digests[1]);
}

// --- round trip: TarWriter → TarReader → LayerRoot -------------------------------

TEST_F(LayerIo, RoundTripKeepsModesOwnersTimesXattrsAndSpecialFiles) {
    const fs::path src = dir("src");
    const struct timespec when[2] = {{1600000000, 123456789}, {1600000000, 123456789}};
    const std::string cap = net_bind_capability();

    fs::create_directories(src / "dir");
    ASSERT_EQ(::chown((src / "dir").c_str(), 11, 12), 0);
    ASSERT_EQ(::chmod((src / "dir").c_str(), 02750), 0);
    fs::create_directories(src / "tmp");
    ASSERT_EQ(::chmod((src / "tmp").c_str(), 01777), 0);

    write_file(src / "dir/suid", "#!/bin/sh\n");
    ASSERT_EQ(::chown((src / "dir/suid").c_str(), 1234, 5678), 0);
    ASSERT_EQ(::chmod((src / "dir/suid").c_str(), 04755), 0);
    write_file(src / "ping", random_bytes(70000, 2));
    ASSERT_EQ(::chmod((src / "ping").c_str(), 0711), 0);
    ASSERT_EQ(::setxattr((src / "ping").c_str(), "security.capability", cap.data(), cap.size(), 0), 0)
        << std::strerror(errno);
    ASSERT_EQ(::setxattr((src / "ping").c_str(), "user.note", "hello", 5, 0), 0) << std::strerror(errno);
    ASSERT_EQ(::setxattr((src / "ping").c_str(), "trusted.overlay.origin", "x", 1, 0), 0) << std::strerror(errno);
    ASSERT_EQ(::link((src / "ping").c_str(), (src / "dir/ping-link").c_str()), 0);
    ASSERT_EQ(::symlink("../ping", (src / "dir/sym").c_str()), 0);
    ASSERT_EQ(::lchown((src / "dir/sym").c_str(), 42, 43), 0);
    ASSERT_EQ(::mknod((src / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
    ASSERT_EQ(::mknod((src / "loop").c_str(), S_IFBLK | 0660, makedev(7, 200)), 0);
    ASSERT_EQ(::mknod((src / "whiteout").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
    ASSERT_EQ(::mkfifo((src / "fifo").c_str(), 0620), 0);
    ASSERT_EQ(::chown((src / "fifo").c_str(), 7, 8), 0);

    const std::vector<std::string> order = {"dir", "tmp", "dir/suid", "ping", "dir/ping-link", "dir/sym",
                                            "null", "loop", "whiteout", "fifo"};
    for (auto it = order.rbegin(); it != order.rend(); ++it)
        ASSERT_EQ(::utimensat(AT_FDCWD, (src / *it).c_str(), when, AT_SYMLINK_NOFOLLOW), 0) << *it;

    const fs::path tar = scratch.path() / "layer.tar";
    {
        TarFile out(tar, O_WRONLY | O_CREAT | O_TRUNC);
        TarWriter writer(out.fd.get(), "layer.tar");
        for (const auto& name : order) writer.add_from_disk(src / name, name);
        writer.finish();
    }

    std::map<std::string, std::string> data;
    const std::vector<TarEntry> entries = read_all(tar, &data);
    ASSERT_EQ(entries.size(), order.size());
    std::map<std::string, TarEntry> by_name;
    for (const auto& e : entries) by_name[e.path] = e;
    EXPECT_EQ(by_name["dir/"].type, TarEntry::Type::Directory);
    EXPECT_EQ(by_name["dir/"].mode, 02750u);
    EXPECT_EQ(by_name["dir/suid"].mode, 04755u);
    EXPECT_EQ(by_name["dir/suid"].uid, 1234u);
    EXPECT_EQ(by_name["dir/suid"].gid, 5678u);
    EXPECT_EQ(by_name["dir/suid"].mtime.tv_sec, 1600000000);
    EXPECT_EQ(by_name["dir/ping-link"].type, TarEntry::Type::Hardlink);
    EXPECT_EQ(by_name["dir/ping-link"].link_target, "ping");
    EXPECT_EQ(by_name["dir/sym"].type, TarEntry::Type::Symlink);
    EXPECT_EQ(by_name["dir/sym"].link_target, "../ping");
    EXPECT_EQ(by_name["null"].type, TarEntry::Type::CharDevice);
    EXPECT_EQ(by_name["null"].dev_major, 1u);
    EXPECT_EQ(by_name["null"].dev_minor, 3u);
    EXPECT_EQ(by_name["loop"].type, TarEntry::Type::BlockDevice);
    EXPECT_EQ(by_name["loop"].dev_minor, 200u);
    EXPECT_EQ(by_name["fifo"].type, TarEntry::Type::Fifo);
    EXPECT_EQ(data["ping"], read_file(src / "ping"));
    std::map<std::string, std::string> xattrs(by_name["ping"].xattrs.begin(), by_name["ping"].xattrs.end());
    EXPECT_EQ(xattrs["security.capability"], cap);
    EXPECT_EQ(xattrs["user.note"], "hello");
    EXPECT_EQ(xattrs.count("trusted.overlay.origin"), 0u) << "overlayfs's own xattrs stay out of layers";

    const fs::path layer = dir("layer");
    ASSERT_EQ(unpack(tar, layer), "");
    for (const auto& name : order) {
        SCOPED_TRACE(name);
        struct stat a {}, b {};
        ASSERT_EQ(::lstat((src / name).c_str(), &a), 0);
        ASSERT_EQ(::lstat((layer / name).c_str(), &b), 0) << std::strerror(errno);
        EXPECT_EQ(a.st_mode, b.st_mode);  // type and all of 07777, setuid included
        EXPECT_EQ(a.st_uid, b.st_uid);
        EXPECT_EQ(a.st_gid, b.st_gid);
        EXPECT_EQ(a.st_rdev, b.st_rdev);
        EXPECT_EQ(a.st_size, b.st_size);
        EXPECT_EQ(b.st_mtim.tv_sec, 1600000000);
        // pax keeps sub-second times where libarchive writes a pax header;
        // what was written must be what is read back.
        if (b.st_mtim.tv_nsec != 0) {
            EXPECT_EQ(b.st_mtim.tv_nsec, 123456789);
        }
    }
    EXPECT_EQ(read_file(layer / "ping"), read_file(src / "ping"));
    EXPECT_EQ(fs::read_symlink(layer / "dir/sym"), "../ping");
    struct stat p {}, l {};
    ::lstat((layer / "ping").c_str(), &p);
    ::lstat((layer / "dir/ping-link").c_str(), &l);
    EXPECT_EQ(p.st_ino, l.st_ino) << "the hardlink is the same inode";
    EXPECT_EQ(p.st_nlink, 2u);
    // Set after chown, which would have cleared it.
    EXPECT_EQ(get_xattr(layer / "ping", "security.capability"), cap);
    EXPECT_EQ(get_xattr(layer / "ping", "user.note"), "hello");
    EXPECT_EQ(get_xattr(layer / "ping", "trusted.overlay.origin"), "<No data available>");
}

TEST_F(LayerIo, NanosecondMtimesSurviveWhenThePaxHeaderHasThem) {
    const fs::path tar = scratch.path() / "ns.tar";
    shell("python3 -c \"import tarfile,io,sys\n"
          "t=tarfile.open(sys.argv[1],'w',format=tarfile.PAX_FORMAT)\n"
          "i=tarfile.TarInfo('f'); i.size=1; i.mtime=1600000000.5; i.pax_headers={'mtime':'1600000000.123456789'}\n"
          "t.addfile(i, io.BytesIO(b'x')); t.close()\" " + q(tar));
    const fs::path layer = dir("layer");
    ASSERT_EQ(unpack(tar, layer), "");
    struct stat st {};
    ASSERT_EQ(::lstat((layer / "f").c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 1600000000);
    EXPECT_EQ(st.st_mtim.tv_nsec, 123456789);
}

TEST_F(LayerIo, DirectoryTimesAreSetLastAndExistingEntriesAreReplaced) {
    const fs::path tar = scratch.path() / "t.tar";
    python_tar(tar,
               "i = tarfile.TarInfo('./'); i.type = tarfile.DIRTYPE; i.mode = 0o751; i.mtime = 1000; t.addfile(i)\n"
               "i = tarfile.TarInfo('d'); i.type = tarfile.DIRTYPE; i.mode = 0o700; i.mtime = 2000; t.addfile(i)\n"
               "f('d/x', b'first')\n"
               "f('d/x', b'second')\n"       // a file replaces a file
               "sym('d/s', 'x')\n"
               "f('d/s', b'not a link')\n"    // and a symlink
               "f('deep/er/file')\n"          // parents made on the way
               "f('dd/y')\n"
               "f('dd', b'file now')\n");     // a file replaces a directory
    const fs::path layer = dir("layer");
    ASSERT_EQ(unpack(tar, layer), "");
    EXPECT_EQ(read_file(layer / "d/x"), "second");
    EXPECT_FALSE(fs::is_symlink(layer / "d/s"));
    EXPECT_EQ(read_file(layer / "d/s"), "not a link");
    EXPECT_EQ(read_file(layer / "dd"), "file now");
    EXPECT_EQ(fs::status(layer / "deep/er").permissions(), fs::perms(0755));
    struct stat st {};
    ASSERT_EQ(::stat((layer / "d").c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 2000);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    ASSERT_EQ(::stat(layer.c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 1000);
    EXPECT_EQ(st.st_mode & 07777, 0751u);
}

TEST_F(LayerIo, ParentOfMakesMissingDirectoriesAndRefusesEscapes) {
    const fs::path layer = dir("layer");
    LayerRoot root(layer);
    LayerRoot::Parent p = root.parent_of("./a/b/c");
    EXPECT_EQ(p.name, "c");
    EXPECT_TRUE(fs::is_directory(layer / "a/b"));
    struct stat st {}, want {};
    ASSERT_EQ(::fstat(p.dir.get(), &st), 0);
    ASSERT_EQ(::stat((layer / "a/b").c_str(), &want), 0);
    EXPECT_EQ(st.st_ino, want.st_ino);
    EXPECT_EQ(root.parent_of("top").name, "top");
    for (const std::string bad : {"", ".", "./", "/etc/passwd", "../x", "a/../../x"}) {
        try {
            root.parent_of(bad);
            ADD_FAILURE() << "parent_of(\"" << bad << "\") did not throw";
        } catch (const kubik::Error& e) {
            EXPECT_NE(std::string(e.what()).find("\"" + bad + "\""), std::string::npos) << e.what();
        }
    }
    ASSERT_EQ(::symlink("/", (layer / "lnk").c_str()), 0);
    try {
        root.parent_of("lnk/tmp/x");
        ADD_FAILURE() << "a path through a symlink was accepted";
    } catch (const kubik::Error& e) {
        EXPECT_NE(std::string(e.what()).find("symlink \"lnk\""), std::string::npos) << e.what();
    }
}

// --- hostile tars ---------------------------------------------------------------

struct Hostile {
    const char* name;
    std::string body;          // python, see python_tar(); OUT is the outside dir
    std::string refused_entry; // the entry the message must name
    std::string reason;        // a part of the message
};

class HostileTar : public LayerIo, public ::testing::WithParamInterface<Hostile> {};

TEST_P(HostileTar, IsRefusedAndNothingOutsideTheLayerChanges) {
    const Hostile& c = GetParam();
    const fs::path outside = dir("outside");
    write_file(outside / "marker", "untouched\n");
    const fs::path layer = dir("layer");
    const fs::path tar = scratch.path() / "hostile.tar";
    // Paths that would land in the test's own directory if followed, never
    // in the host's /etc: "ABS" is the absolute path of `outside`, without
    // the leading "/".
    std::string body = c.body;
    const std::string abs = outside.string().substr(1);
    for (std::size_t at; (at = body.find("ABS")) != std::string::npos;) body.replace(at, 3, abs);
    std::string refused = c.refused_entry;
    for (std::size_t at; (at = refused.find("ABS")) != std::string::npos;) refused.replace(at, 3, abs);
    python_tar(tar, body);

    struct stat passwd_before {};
    ::stat("/etc/passwd", &passwd_before);
    const auto scratch_before = snapshot(outside);
    std::set<std::string> top_before;
    for (const auto& e : fs::directory_iterator(scratch.path())) top_before.insert(e.path().filename());

    const std::string error = unpack(tar, layer);
    EXPECT_NE(error.find("layer hostile.tar: refusing entry \"" + refused + "\""), std::string::npos) << error;
    EXPECT_NE(error.find(c.reason), std::string::npos) << error;

    EXPECT_EQ(read_file(outside / "marker"), "untouched\n");
    EXPECT_EQ(snapshot(outside), scratch_before) << "something changed outside the layer";
    std::set<std::string> top_after;
    for (const auto& e : fs::directory_iterator(scratch.path())) top_after.insert(e.path().filename());
    EXPECT_EQ(top_after, top_before) << "something was made next to the layer";
    struct stat passwd_after {};
    ::stat("/etc/passwd", &passwd_after);
    EXPECT_EQ(passwd_after.st_nlink, passwd_before.st_nlink);
    EXPECT_EQ(passwd_after.st_ctim.tv_nsec, passwd_before.st_ctim.tv_nsec);
    // Nothing in the layer is a link to anything outside it.
    for (const auto& e : fs::recursive_directory_iterator(layer)) {
        struct stat st {};
        ::lstat(e.path().c_str(), &st);
        if (S_ISREG(st.st_mode)) {
            EXPECT_EQ(st.st_nlink, 1u) << e.path();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    LayerIo, HostileTar,
    ::testing::Values(
        Hostile{"DotDot", "f('ok')\nf('../x')", "../x", "it points outside the layer"},
        Hostile{"Absolute", "f('/ABS/evil')", "/ABS/evil", "it points outside the layer"},
        Hostile{"AbsoluteEtc", "f('/etc/kubik-layer-io-test')", "/etc/kubik-layer-io-test",
                "it points outside the layer"},
        Hostile{"DotDotInside", "d('a')\nf('a/../../x')", "a/../../x", "it points outside the layer"},
        Hostile{"SymlinkToRoot", "sym('lnk', '/')\nf('lnk/ABS/evil')", "lnk/ABS/evil",
                "goes through the symlink \"lnk\""},
        Hostile{"SymlinkToRootThenEtc", "sym('lnk', '/')\nf('lnk/etc/kubik-layer-io-test')",
                "lnk/etc/kubik-layer-io-test", "goes through the symlink \"lnk\""},
        Hostile{"SymlinkToParent", "sym('up', '..')\nf('up/outside/evil')", "up/outside/evil",
                "goes through the symlink \"up\""},
        Hostile{"SymlinkDeeper", "d('a')\nsym('a/b', '../..')\nd('a/b/outside')\nf('a/b/outside/marker')",
                "a/b/outside/", "goes through the symlink \"a/b\""},
        Hostile{"HardlinkToEtcPasswd", "hard('pw', '/etc/passwd')", "pw", "points outside the layer"},
        Hostile{"HardlinkToAbsoluteMarker", "hard('m', '/ABS/marker')", "m", "points outside the layer"},
        Hostile{"HardlinkUp", "hard('m', '../outside/marker')", "m", "points outside the layer"},
        Hostile{"HardlinkThroughSymlink", "sym('up', '..')\nhard('m', 'up/outside/marker')", "m",
                "goes through a symlink"},
        Hostile{"HardlinkMissing", "hard('m', 'nothing')", "m", "is not in the layer"},
        Hostile{"HardlinkToDirectory", "d('d')\nhard('m', 'd')", "m", "is a directory"}),
    [](const ::testing::TestParamInfo<Hostile>& p) { return std::string(p.param.name); });

// --- broken streams ---------------------------------------------------------------

class BrokenStream : public LayerIo {
protected:
    fs::path tar, gz;
    void SetUp() override {
        const fs::path src = dir("src");
        write_file(src / "etc-passwd", random_bytes(2 << 20, 3));
        tar = scratch.path() / "layer.tar";
        {
            TarFile out(tar, O_WRONLY | O_CREAT | O_TRUNC);
            TarWriter writer(out.fd.get(), "layer.tar");
            writer.add_from_disk(src / "etc-passwd", "etc/passwd");
            writer.finish();
        }
        gz = scratch.path() / "layer.tar.gz";
        shell("gzip -c " + q(tar) + " > " + q(gz));
    }
    static void cut(const fs::path& file, double fraction) {
        fs::resize_file(file, static_cast<std::uintmax_t>(static_cast<double>(fs::file_size(file)) * fraction));
    }
};

TEST_F(BrokenStream, TruncatedGzipNamesTheStream) {
    cut(gz, 0.5);
    const std::string error = unpack(gz, dir("layer"));
    EXPECT_NE(error.find("layer layer.tar.gz: "), std::string::npos) << error;
    EXPECT_NE(error.find("etc/passwd"), std::string::npos) << error;
}

TEST_F(BrokenStream, CorruptGzipNamesTheStream) {
    std::string bytes = read_file(gz);
    for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 256; ++i) bytes[i] = static_cast<char>(~bytes[i]);
    write_file(gz, bytes);
    const std::string error = unpack(gz, dir("layer"));
    EXPECT_NE(error.find("layer layer.tar.gz: "), std::string::npos) << error;
    // gzip stores random data uncompressed: only the CRC-32 in the trailer
    // can tell.
    EXPECT_NE(error.find("corrupt gzip stream"), std::string::npos) << error;
}

TEST_F(BrokenStream, GarbageAfterTheGzipStreamIsAnError) {
    write_file(gz, read_file(gz) + "garbage");
    const std::string error = unpack(gz, dir("layer"));
    EXPECT_NE(error.find("layer layer.tar.gz: data after the end of the gzip stream"), std::string::npos) << error;
}

TEST_F(BrokenStream, CorruptZstdNamesTheStream) {
    const fs::path zst = scratch.path() / "layer.tar.zst";
    shell("zstd -q -c " + q(tar) + " > " + q(zst));
    std::string bytes = read_file(zst);
    for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 256; ++i) bytes[i] = static_cast<char>(~bytes[i]);
    write_file(zst, bytes);
    const std::string error = unpack(zst, dir("layer"));
    EXPECT_NE(error.find("layer layer.tar.zst: "), std::string::npos) << error;
    fs::resize_file(zst, bytes.size() / 3);
    EXPECT_NE(unpack(zst, dir("layer2")).find("layer layer.tar.zst: "), std::string::npos);
}

TEST_F(BrokenStream, GzipCutAfterTheLastEntryIsStillAnError) {
    // The data is all there, the gzip trailer is not: a digest over a stream
    // that didn't end must never be reported.
    cut(gz, 1.0 - 4.0 / static_cast<double>(fs::file_size(gz)));
    const std::string error = unpack(gz, dir("layer"));
    EXPECT_NE(error.find("layer layer.tar.gz: "), std::string::npos) << error;
}

TEST_F(BrokenStream, TruncatedPlainTarNamesTheEntry) {
    cut(tar, 0.5);
    const std::string error = unpack(tar, dir("layer"));
    EXPECT_NE(error.find("layer layer.tar: entry etc/passwd: "), std::string::npos) << error;
}

TEST_F(BrokenStream, NotATarIsRefused) {
    const fs::path junk = scratch.path() / "junk";
    write_file(junk, random_bytes(5000, 4));
    const std::string error = unpack(junk, dir("layer"));
    EXPECT_NE(error.find("layer junk: "), std::string::npos) << error;
    const fs::path empty = scratch.path() / "empty";
    write_file(empty, "");
    EXPECT_NE(unpack(empty, dir("layer2")).find("layer empty: "), std::string::npos);
}

} // namespace
