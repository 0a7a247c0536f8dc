// Lesson 4 — the layer functions called directly, on directories of a
// ScratchDir: what apply_layer() leaves on disk (lstat, getxattr), what
// mount_layers() mounts (in a child's private mount namespace, looked at
// through the mount), the chain IDs against sha256sum, and the tar
// write_layer() writes (read back entry by entry).
#include "kubik_test.hpp"
#include "layer_tars.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "image/layer_root.hpp"
#include "image/tar_reader.hpp"
#include "image/tar_writer.hpp"
#include "layers.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kubik::test {
namespace {

using namespace layers4;
using kubik::layers::LayerChange;

std::string kind_name(LayerChange::Kind kind) {
    switch (kind) {
    case LayerChange::Kind::Add: return "add";
    case LayerChange::Kind::Whiteout: return "whiteout";
    case LayerChange::Kind::Opaque: return "opaque";
    }
    return "?";
}

// What a path is, in words, for messages and comparisons.
std::string what_is(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return "missing";
    if (S_ISCHR(st.st_mode))
        return "char " + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    if (S_ISDIR(st.st_mode)) return "dir";
    if (S_ISLNK(st.st_mode)) return "symlink";
    if (S_ISREG(st.st_mode)) return "file \"" + slurp(p) + "\"";
    return "other";
}

std::string opaque_of(const fs::path& p) {
    char value[16];
    const ssize_t n = ::lgetxattr(p.c_str(), "trusted.overlay.opaque", value, sizeof value);
    if (n < 0) return errno == ENODATA ? "none" : std::string("error: ") + std::strerror(errno);
    return std::string(value, static_cast<size_t>(n));
}

void make_whiteout(const fs::path& p) {
    fs::create_directories(p.parent_path());
    ASSERT_EQ(::mknod(p.c_str(), S_IFCHR | 0600, makedev(0, 0)), 0) << p << ": " << std::strerror(errno);
}

void make_opaque(const fs::path& dir) {
    fs::create_directories(dir);
    ASSERT_EQ(::setxattr(dir.c_str(), "trusted.overlay.opaque", "y", 1, 0), 0) << dir << ": " << std::strerror(errno);
}

// Unpacks the tar at `tar_path` into `dir` with the lesson's apply_layer();
// "" when it worked, else what it threw.
std::string apply(const fs::path& tar_path, const fs::path& dir) {
    fs::create_directories(dir);
    const int fd = ::open(tar_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "open " + tar_path.string() + ": " + std::strerror(errno);
    std::string error;
    try {
        image::TarReader tar(fd, "test layer " + tar_path.filename().string());
        image::LayerRoot root(dir);
        kubik::layers::apply_layer(tar, root);
    } catch (const std::exception& e) {
        error = e.what();
    }
    ::close(fd);
    return error;
}

// The lesson's functions must be written before their checks mean anything:
// a stub's "not implemented" is reported once, in words.
#define SKIP_IF_STUB(call)                                                                       \
    try {                                                                                         \
        call;                                                                                     \
    } catch (const kubik::NotImplemented& e) {                                                    \
        FAIL() << "lesson 4 (layers) is not implemented yet: " << e.what();                     \
    } catch (...) {                                                                               \
    }

// ---------------------------------------------------------------------------
// classify_entry

TEST(LayerFunctions, ClassifyEntryReadsWhiteoutsAndOpaqueMarkers) {
    SKIP_IF_STUB(kubik::layers::classify_entry("a"));
    struct Case {
        std::string tar_path, kind, path;
    };
    const Case cases[] = {
        {"bin/sh", "add", "bin/sh"},
        {"./bin/sh", "add", "bin/sh"},
        {"/bin/sh", "add", "bin/sh"},
        {"etc/", "add", "etc"},
        {"./etc/", "add", "etc"},
        {"./etc/.wh.motd", "whiteout", "etc/motd"},
        {"etc/.wh.motd", "whiteout", "etc/motd"},
        {".wh.top", "whiteout", "top"},
        {"./.wh.top", "whiteout", "top"},
        {"usr/share/doc/.wh..wh..opq", "opaque", "usr/share/doc"},
        {"./var/cache/.wh..wh..opq", "opaque", "var/cache"},
        {".wh..wh..opq", "opaque", ""},
        {"./.wh..wh..opq", "opaque", ""},
        {"a/.wh.b/c", "add", "a/.wh.b/c"},   // only the last name can be a marker
        {"a/x.wh.b", "add", "a/x.wh.b"},     // ".wh." must start the name
        {"etc/.wh..hidden", "whiteout", "etc/.hidden"},
    };
    for (const auto& c : cases) {
        const auto change = kubik::layers::classify_entry(c.tar_path);
        EXPECT_EQ(kind_name(change.kind) + " " + change.path, c.kind + " " + c.path)
            << "classify_entry(\"" << c.tar_path << "\")";
    }
}

// ---------------------------------------------------------------------------
// apply_layer

TEST(LayerFunctions, ApplyLayerTurnsOciWhiteoutsIntoOverlayfsOnes) {
    ScratchDir scratch;
    const fs::path tar = scratch.path() / "layer.tar";
    const fs::path dir = scratch.path() / "diff";
    write_tar(tar, json::array({
                       {{"name", "./etc/"}, {"type", "dir"}},
                       {{"name", "./etc/hostname"}, {"data", "kept\n"}},
                       {{"name", "./etc/.wh.motd"}},
                       {{"name", "./usr/lib/.wh.libgone.so"}},  // no entry for usr/ or usr/lib/
                       {{"name", "./data/"}, {"type", "dir"}},
                       {{"name", "./data/.wh..wh..opq"}},
                       {{"name", "./data/new"}, {"data", "new\n"}},
                       {{"name", "./old/"}, {"type", "dir"}, {"mtime", 1500000000}},
                       {{"name", "./old/f"}, {"data", "f"}},
                   }));
    const std::string error = apply(tar, dir);
    if (error.find("not implemented yet") != std::string::npos) FAIL() << error;
    ASSERT_EQ(error, "") << "apply_layer() of a layer with whiteouts and an opaque directory";

    EXPECT_EQ(what_is(dir / "etc/motd"), "char 0:0")
        << "\"etc/.wh.motd\" must become a character device 0:0 named etc/motd: the only whiteout overlayfs knows";
    EXPECT_EQ(what_is(dir / "etc/.wh.motd"), "missing") << "the marker itself must not be unpacked as a file";
    EXPECT_EQ(what_is(dir / "usr/lib/libgone.so"), "char 0:0")
        << "a whiteout in a directory this layer has no entry for: its parents are created (parent_of)";
    EXPECT_EQ(what_is(dir / "etc/hostname"), "file \"kept\n\"");
    EXPECT_EQ(opaque_of(dir / "data"), "y")
        << "\"data/.wh..wh..opq\" must set trusted.overlay.opaque=\"y\" on data/, the directory the marker is in";
    EXPECT_EQ(what_is(dir / "data/.wh..wh..opq"), "missing") << "the opaque marker must not be unpacked as a file";
    EXPECT_EQ(what_is(dir / "data/new"), "file \"new\n\"");
    EXPECT_EQ(opaque_of(dir), "none") << "the layer's root must not be made opaque by data/'s marker";
    EXPECT_EQ(opaque_of(dir / "etc"), "none") << "etc/ has no opaque marker";
    struct stat st {};
    ASSERT_EQ(::lstat((dir / "old").c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 1500000000)
        << "old/ has the tar's mtime only if it is set after old/f was created in it: root.finish()";
}

TEST(LayerFunctions, ApplyLayerOpaqueMarkerWithoutOrBeforeItsDirectory) {
    ScratchDir scratch;
    const fs::path tar = scratch.path() / "layer.tar";
    const fs::path dir = scratch.path() / "diff";
    write_tar(tar, json::array({
                       {{"name", "x/.wh..wh..opq"}},
                       {{"name", "x/"}, {"type", "dir"}, {"mode", 0700}},
                       {{"name", "a/b/.wh..wh..opq"}},
                       {{"name", ".wh..wh..opq"}},
                   }));
    const std::string error = apply(tar, dir);
    if (error.find("not implemented yet") != std::string::npos) FAIL() << error;
    ASSERT_EQ(error, "");
    EXPECT_EQ(opaque_of(dir / "x"), "y") << "x/.wh..wh..opq came before x/'s own entry";
    struct stat st {};
    ASSERT_EQ(::lstat((dir / "x").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u) << "x/'s own entry (mode 0700), after its marker, still applies";
    EXPECT_EQ(opaque_of(dir / "a/b"), "y") << "a/b/.wh..wh..opq with no entry for a/ or a/b/";
    EXPECT_EQ(opaque_of(dir / "a"), "none") << "the xattr goes on a/b, not on its parent";
    EXPECT_EQ(opaque_of(dir), "y") << "\"./.wh..wh..opq\" makes the layer's root itself opaque";
}

TEST(LayerFunctions, ApplyLayerLaterEntryReplacesAnEarlierOne) {
    ScratchDir scratch;
    const fs::path tar = scratch.path() / "layer.tar";
    const fs::path dir = scratch.path() / "diff";
    write_tar(tar, json::array({
                       {{"name", "twice"}, {"data", "first"}},
                       {{"name", "twice"}, {"data", "second"}},
                       {{"name", "deleted-after"}, {"data", "here"}},
                       {{"name", ".wh.deleted-after"}},
                       {{"name", ".wh.added-after"}},
                       {{"name", "added-after"}, {"data", "back"}},
                       {{"name", "sub/"}, {"type", "dir"}},
                       {{"name", "sub/.wh.f"}},
                       {{"name", "sub/.wh.f"}},
                   }));
    const std::string error = apply(tar, dir);
    if (error.find("not implemented yet") != std::string::npos) FAIL() << error;
    ASSERT_EQ(error, "") << "a tar may name the same path twice; the later entry wins, as with tar -x";
    EXPECT_EQ(what_is(dir / "twice"), "file \"second\"");
    EXPECT_EQ(what_is(dir / "deleted-after"), "char 0:0") << "a whiteout after the file replaces the file";
    EXPECT_EQ(what_is(dir / "added-after"), "file \"back\"") << "a file after its whiteout replaces the whiteout";
    EXPECT_EQ(what_is(dir / "sub/f"), "char 0:0") << "the same whiteout twice";
}

TEST(LayerFunctions, ApplyLayerNeverWritesOutsideTheLayer) {
    ScratchDir scratch;
    const fs::path dir = scratch.path() / "diff";
    put(scratch.path() / "victim", "host file\n");
    fs::create_directories(scratch.path() / "victim-dir");
    put(scratch.path() / "victim-dir/inside", "host file\n");
    struct Case {
        std::string name;
        json entries;
    };
    const Case cases[] = {
        {"whiteout ../victim", json::array({{{"name", "../.wh.victim"}}})},
        {"opaque ../victim-dir", json::array({{{"name", "../victim-dir/.wh..wh..opq"}}})},
        {"whiteout through a symlink",
         json::array({{{"name", "out"}, {"type", "symlink"}, {"target", scratch.path().string()}},
                      {{"name", "out/.wh.victim"}}})},
        {"opaque through a symlink",
         json::array({{{"name", "out"}, {"type", "symlink"}, {"target", scratch.path().string()}},
                      {{"name", "out/victim-dir/.wh..wh..opq"}}})},
    };
    int n = 0;
    for (const auto& c : cases) {
        const fs::path tar = scratch.path() / ("layer" + std::to_string(n) + ".tar");
        const fs::path layer = scratch.path() / ("diff" + std::to_string(n++));
        write_tar(tar, c.entries);
        const std::string error = apply(tar, layer);
        if (error.find("not implemented yet") != std::string::npos) FAIL() << error;
        EXPECT_NE(error, "") << c.name << ": apply_layer() must refuse an entry that leads out of the layer";
        EXPECT_EQ(what_is(scratch.path() / "victim"), "file \"host file\n\"")
            << c.name << ": the file outside the layer was changed; make whiteouts through root.parent_of(), "
                         "never by a path";
        EXPECT_EQ(opaque_of(scratch.path() / "victim-dir"), "none")
            << c.name << ": a directory outside the layer was made opaque";
    }
}

// ---------------------------------------------------------------------------
// chain_id

TEST(LayerFunctions, ChainIdOfOneTwoAndThreeLayers) {
    SKIP_IF_STUB(kubik::layers::chain_id({sha256_of_text("x")}));
    const std::vector<std::string> diff = {sha256_of_text("layer 0"), sha256_of_text("layer 1"),
                                           sha256_of_text("layer 2")};
    const std::string c1 = sha256_of_text(diff[0] + " " + diff[1]);
    const std::string c2 = sha256_of_text(c1 + " " + diff[2]);
    EXPECT_EQ(kubik::layers::chain_id({diff[0]}), diff[0]) << "one layer's chain ID is its diff ID, as it is";
    EXPECT_EQ(kubik::layers::chain_id({diff[0], diff[1]}), c1)
        << "ChainID(L0 L1) = sha256(DiffID(L0) + \" \" + DiffID(L1)) over the text \"sha256:… sha256:…\"";
    EXPECT_EQ(kubik::layers::chain_id(diff), c2)
        << "ChainID(L0 L1 L2) = sha256(ChainID(L0 L1) + \" \" + DiffID(L2)), bottom layer first";
    // A well-known value: the OCI image spec's example.
    EXPECT_EQ(kubik::layers::chain_id({"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4",
                                       "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}),
              sha256_of_text("sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4 "
                             "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"));
    EXPECT_THROW(kubik::layers::chain_id({}), kubik::Error) << "no layers, no chain ID";
}

// ---------------------------------------------------------------------------
// overlay_options

TEST(LayerFunctions, OverlayOptionsListTheTopLayerFirst) {
    SKIP_IF_STUB(kubik::layers::overlay_options({"/a"}, "/u", "/w", false));
    EXPECT_EQ(kubik::layers::overlay_options({"/l/0", "/l/1", "/l/2"}, "/c/upper", "/c/work", false),
              "lowerdir=/l/2:/l/1:/l/0,upperdir=/c/upper,workdir=/c/work")
        << "lowers are given bottom first (the manifest's order); overlayfs's first lowerdir is the TOP";
    EXPECT_EQ(kubik::layers::overlay_options({"/l/0"}, "/c/upper", "/c/work", false),
              "lowerdir=/l/0,upperdir=/c/upper,workdir=/c/work");
    EXPECT_EQ(kubik::layers::overlay_options({"l0", "l1"}, "/c/upper", "/c/work", true),
              "volatile,lowerdir=l1:l0,upperdir=/c/upper,workdir=/c/work")
        << "volatile_upper: \"volatile,\" first";
}

TEST(LayerFunctions, OverlayOptionsRefuseCommasAndColons) {
    SKIP_IF_STUB(kubik::layers::overlay_options({"/a"}, "/u", "/w", false));
    struct Case {
        std::vector<std::string> lowers;
        std::string upper, work;
    };
    const Case cases[] = {
        {{"/l/a,b"}, "/u", "/w"},  {{"/l/0", "/l/a:b"}, "/u", "/w"}, {{"/l/0"}, "/u,x", "/w"},
        {{"/l/0"}, "/u:x", "/w"},  {{"/l/0"}, "/u", "/w,x"},         {{"/l/0"}, "/u", "/w:x"},
    };
    for (const auto& c : cases) {
        std::string lowers;
        for (const auto& l : c.lowers) lowers += " " + l;
        EXPECT_THROW(kubik::layers::overlay_options(c.lowers, c.upper, c.work, false), kubik::Error)
            << "lowers" << lowers << ", upper " << c.upper << ", work " << c.work
            << ": ',' and ':' are the option syntax's own separators";
    }
}

// ---------------------------------------------------------------------------
// mount_layers, in a child's private mount namespace

// The child's own mount namespace, private, so nothing it mounts reaches the host.
bool private_mount_namespace(std::ostream& out) {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        out << "setup: a private mount namespace: " << std::strerror(errno) << "\n";
        return false;
    }
    return true;
}

struct Stack {
    kubik::layers::LayerMount mount;
    fs::path target;
};

// `count` empty layer directories below `base` (names padded to `name_size`),
// their short links, upper, work and the target.
Stack make_stack(const fs::path& base, int count, std::size_t name_size = 8) {
    Stack s;
    s.mount.links_dir = base / "l";
    fs::create_directories(s.mount.links_dir);
    for (int i = 0; i < count; ++i) {
        std::string name = "layer" + std::to_string(i) + "-";
        name += std::string(name_size > name.size() ? name_size - name.size() : 0, 'x');
        const fs::path dir = base / "layers" / name / "diff";
        fs::create_directories(dir);
        s.mount.lowers.push_back(dir);
        s.mount.links.push_back(std::to_string(i));
        fs::create_symlink(dir, s.mount.links_dir / std::to_string(i));
    }
    s.mount.upper = base / "c/upper";
    s.mount.work = base / "c/work";
    s.target = base / "c/merged";
    fs::create_directories(s.mount.upper);
    fs::create_directories(s.mount.work);
    fs::create_directories(s.target);
    return s;
}

TEST(LayerFunctions, MountLayersStacksThreeLayersTopFirst) {
    SKIP_IF_STUB(kubik::layers::overlay_options({"/a"}, "/u", "/w", false));
    ScratchDir scratch;
    Stack s = make_stack(scratch.path(), 3);
    const auto& L = s.mount.lowers;
    put(L[0] / "a", "0");
    put(L[0] / "b", "0");
    put(L[0] / "gone", "0");
    put(L[0] / "d/x", "0");
    put(L[1] / "a", "1");
    make_whiteout(L[1] / "gone");
    make_opaque(L[1] / "d");
    put(L[1] / "d/y", "1");
    put(L[2] / "a", "2");
    put(L[2] / "c", "2");
    const auto before = tree_listing(scratch.path() / "layers");

    const std::string report = in_child([&](std::ostream& out) {
        if (!private_mount_namespace(out)) return;
        kubik::layers::mount_layers(s.mount, s.target);
        const fs::path& m = s.target;
        out << "a " << what_is(m / "a") << "\n";
        out << "b " << what_is(m / "b") << "\n";
        out << "c " << what_is(m / "c") << "\n";
        out << "gone " << what_is(m / "gone") << "\n";
        out << "d/x " << what_is(m / "d/x") << "\n";
        out << "d/y " << what_is(m / "d/y") << "\n";
        // Writes: a new file, a changed lower file, a deleted lower file.
        put(m / "new", "n");
        put(m / "b", "changed");
        fs::remove(m / "c");
    });
    EXPECT_EQ(report,
              "a file \"2\"\n"
              "b file \"0\"\n"
              "c file \"2\"\n"
              "gone missing\n"
              "d/x missing\n"
              "d/y file \"1\"\n")
        << "mount_layers() of 3 layers (lowers bottom first): the top layer's a, the bottom's b, the whiteout "
           "in layer 1 hides gone, layer 1's opaque d/ hides the bottom's d/x";
    EXPECT_EQ(what_is(s.mount.upper / "new"), "file \"n\"") << "a new file lands in the upper directory";
    EXPECT_EQ(what_is(s.mount.upper / "b"), "file \"changed\"") << "a changed lower file is copied up";
    EXPECT_EQ(what_is(s.mount.upper / "c"), "char 0:0") << "a deleted lower file leaves a whiteout in upper";
    EXPECT_EQ(listing_diff(before, tree_listing(scratch.path() / "layers")), "")
        << "the layer directories must not change: every write goes to upper";
}

// The longest option string mount_layers() would make from full paths.
std::size_t full_options_size(const Stack& s) {
    std::vector<std::string> lowers;
    for (const auto& l : s.mount.lowers) lowers.push_back(l.string());
    std::size_t size = std::string("lowerdir=,upperdir=,workdir=").size() + s.mount.upper.string().size() +
                       s.mount.work.string().size() + lowers.size() - 1;
    for (const auto& l : lowers) size += l.size();
    return size;
}

TEST(LayerFunctions, MountLayersOfSixtyLayersPastOnePageOfOptions) {
    SKIP_IF_STUB(kubik::layers::overlay_options({"/a"}, "/u", "/w", false));
    ScratchDir scratch;
    Stack s = make_stack(scratch.path(), 60, 90);
    ASSERT_GT(full_options_size(s), 4096u) << "the test needs options longer than one page";
    for (int i = 0; i < 60; ++i) {
        put(s.mount.lowers[i] / ("f" + std::to_string(i)), std::to_string(i));
        put(s.mount.lowers[i] / "top", std::to_string(i));
    }
    const std::string report = in_child([&](std::ostream& out) {
        if (!private_mount_namespace(out)) return;
        const fs::path cwd = fs::current_path();
        kubik::layers::mount_layers(s.mount, s.target);
        int seen = 0;
        for (int i = 0; i < 60; ++i) seen += fs::exists(s.target / ("f" + std::to_string(i)));
        out << "files " << seen << "\n";
        out << "top " << what_is(s.target / "top") << "\n";
        out << "cwd " << (fs::current_path() == cwd ? "back" : "moved to " + fs::current_path().string()) << "\n";
    });
    EXPECT_EQ(report, "files 60\ntop file \"59\"\ncwd back\n")
        << "60 layers whose full paths take " << full_options_size(s)
        << " bytes of options: mount(2) takes one page (4096 with the NUL), so mount_layers() must use the short "
           "names in links_dir, from there (chdir), and come back to the working directory it started in";
}

TEST(LayerFunctions, MountLayersComesBackEvenWhenTheMountFails) {
    SKIP_IF_STUB(kubik::layers::overlay_options({"/a"}, "/u", "/w", false));
    ScratchDir scratch;
    Stack s = make_stack(scratch.path(), 60, 90);
    // A short name that leads nowhere: the mount with short names fails.
    fs::remove(s.mount.links_dir / "30");
    const std::string report = in_child([&](std::ostream& out) {
        if (!private_mount_namespace(out)) return;
        const fs::path cwd = fs::current_path();
        try {
            kubik::layers::mount_layers(s.mount, s.target);
            out << "mounted\n";
        } catch (const kubik::Error&) {
            out << "refused\n";
        }
        out << "cwd " << (fs::current_path() == cwd ? "back" : "moved to " + fs::current_path().string()) << "\n";
    });
    EXPECT_EQ(report, "refused\ncwd back\n")
        << "a failed mount with short names must throw kubik::Error and still leave the working directory as it "
           "was (an RAII guard, not a chdir back after a successful mount())";
}

// Pads the work directory's name so that the full options are exactly `size` long.
Stack stack_of_options_size(const fs::path& base, std::size_t size) {
    Stack s = make_stack(base, 20, 8);
    std::size_t missing = size - full_options_size(s);
    // In names of at most 200 characters: a file name can't be longer than 255.
    std::string pad;
    while (missing > 0) {
        std::size_t take = std::min<std::size_t>(missing, 201);
        if (missing - take == 1) --take;  // never a lone "/" (an empty name)
        pad += "/" + std::string(take - 1, 'w');
        missing -= take;
    }
    s.mount.work = s.mount.work.string() + pad;
    fs::create_directories(s.mount.work);
    return s;
}

TEST(LayerFunctions, MountLayersAtTheEdgeOfOnePage) {
    SKIP_IF_STUB(kubik::layers::overlay_options({"/a"}, "/u", "/w", false));
    for (const std::size_t size : {4095u, 4096u}) {
        ScratchDir scratch;
        const fs::path base = scratch.path() / std::to_string(size);
        Stack s = stack_of_options_size(base, size);
        ASSERT_EQ(full_options_size(s), size);
        put(s.mount.lowers.back() / "top", "yes");
        const std::string report = in_child([&](std::ostream& out) {
            if (!private_mount_namespace(out)) return;
            kubik::layers::mount_layers(s.mount, s.target);
            out << "top " << what_is(s.target / "top") << "\n";
            const auto lowers = option_value(overlay_options_of("self", s.target.string()), "lowerdir");
            out << "lowerdir " << (lowers.rfind(s.mount.lowers.back().string(), 0) == 0 ? "full paths" : "short names")
                << "\n";
        });
        const std::string expected = size == 4095 ? "full paths" : "short names";
        EXPECT_EQ(report, "top file \"yes\"\nlowerdir " + expected + "\n")
            << "options of exactly " << size << " characters: mount(2)'s page holds 4096 bytes including the "
            << "terminating NUL, so 4095 characters fit and 4096 don't";
    }
}

// ---------------------------------------------------------------------------
// write_layer

struct TarListing {
    std::vector<std::string> names;  // "path type[ size]"
    std::string error;
};

TarListing read_tar(const fs::path& path) {
    TarListing listing;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        listing.error = "open " + path.string();
        return listing;
    }
    try {
        image::TarReader tar(fd, path.string());
        image::TarEntry e;
        while (tar.next(e)) {
            std::string type;
            switch (e.type) {
            case image::TarEntry::Type::Regular: type = "file " + std::to_string(e.size); break;
            case image::TarEntry::Type::Directory: type = "dir"; break;
            case image::TarEntry::Type::Symlink: type = "symlink " + e.link_target; break;
            case image::TarEntry::Type::Hardlink: type = "hardlink " + e.link_target; break;
            case image::TarEntry::Type::CharDevice:
                type = "char " + std::to_string(e.dev_major) + ":" + std::to_string(e.dev_minor);
                break;
            default: type = "other"; break;
            }
            for (const auto& [key, value] : e.xattrs)
                if (key.rfind("trusted.overlay.", 0) == 0) type += " xattr " + key;
            // A directory may be written "d/" or "d"; tar means the same.
            std::string name = e.path;
            while (name.size() > 1 && name.back() == '/') name.pop_back();
            listing.names.push_back(name + " " + type);
        }
    } catch (const std::exception& e) {
        listing.error = e.what();
    }
    ::close(fd);
    return listing;
}

// Runs write_layer(upper) into ROOT/out.tar; "" or what it threw.
std::string write_layer_to(const fs::path& upper, const fs::path& tar_path) {
    const int fd = ::open(tar_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return "open " + tar_path.string();
    std::string error;
    try {
        image::TarWriter out(fd, tar_path.string());
        kubik::layers::write_layer(upper, out);
        out.finish();
    } catch (const std::exception& e) {
        error = e.what();
    }
    ::close(fd);
    return error;
}

std::string joined_lines(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

TEST(LayerFunctions, WriteLayerWritesWhiteoutsAndOpaqueDirectoriesInOrder) {
    ScratchDir scratch;
    const fs::path upper = scratch.path() / "upper";
    put(upper / "new", "new\n");
    put(upper / "changed", "changed\n");
    // overlayfs's own bookkeeping on a copied-up file: never part of a layer.
    ASSERT_EQ(::setxattr((upper / "changed").c_str(), "trusted.overlay.origin", "x", 1, 0), 0);
    make_whiteout(upper / "x");
    make_opaque(upper / "d");
    put(upper / "d/inner", "i");
    put(upper / "e/.hidden", "h");
    make_whiteout(upper / "e/gone");
    make_whiteout(upper / "e/sub/deep");
    // A real device node the container made (5:0 is /dev/tty): not a whiteout.
    ASSERT_EQ(::mknod((upper / "tty").c_str(), S_IFCHR | 0600, makedev(5, 0)), 0) << std::strerror(errno);

    const fs::path tar = scratch.path() / "layer.tar";
    const std::string error = write_layer_to(upper, tar);
    if (error.find("not implemented yet") != std::string::npos) FAIL() << error;
    ASSERT_EQ(error, "");
    const auto listing = read_tar(tar);
    ASSERT_EQ(listing.error, "");
    EXPECT_EQ(joined_lines(listing.names),
              "changed file 8\n"
              "d dir\n"
              "d/.wh..wh..opq file 0\n"
              "d/inner file 1\n"
              "e dir\n"
              "e/.hidden file 1\n"
              "e/.wh.gone file 0\n"
              "e/sub dir\n"
              "e/sub/.wh.deep file 0\n"
              "new file 4\n"
              "tty char 5:0\n"
              ".wh.x file 0\n")
        << "write_layer() of an upper directory: each directory's names sorted, a directory before what it "
           "holds, a whiteout (char 0:0) as an empty \".wh.NAME\" in its own directory, an opaque directory "
           "as itself and then DIR/.wh..wh..opq, no entry for the upper directory itself, no trusted.overlay.* "
           "xattrs";
}

TEST(LayerFunctions, WriteLayerIsSortedWhateverTheDirectoryOrder) {
    ScratchDir scratch;
    const fs::path upper = scratch.path() / "upper";
    std::vector<std::string> expected;
    // Created in reverse order: readdir gives hash order (ext4) or creation
    // order (tmpfs lists the newest first), almost never sorted.
    for (int i = 29; i >= 0; --i) {
        char name[16];
        std::snprintf(name, sizeof name, "f%02d", i);
        put(upper / name, "x");
    }
    for (int i = 0; i < 30; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "f%02d file 1", i);
        expected.push_back(name);
    }
    const fs::path tar = scratch.path() / "layer.tar";
    const std::string error = write_layer_to(upper, tar);
    if (error.find("not implemented yet") != std::string::npos) FAIL() << error;
    ASSERT_EQ(error, "");
    const auto listing = read_tar(tar);
    EXPECT_EQ(joined_lines(listing.names), joined_lines(expected))
        << "the same files must give the same tar (and digest): sort each directory's names";
    // And twice the same bytes.
    const fs::path again = scratch.path() / "again.tar";
    ASSERT_EQ(write_layer_to(upper, again), "");
    EXPECT_EQ(slurp(tar), slurp(again)) << "write_layer() of the same directory twice must give the same bytes";
}

TEST(LayerFunctions, WriteLayerThenApplyLayerGivesTheSameChanges) {
    ScratchDir scratch;
    const fs::path upper = scratch.path() / "upper";
    put(upper / "etc/hostname", "box\n");
    make_whiteout(upper / "etc/motd");
    make_opaque(upper / "var/cache");
    put(upper / "var/cache/fresh", "f");
    fs::create_symlink("hostname", upper / "etc/name");
    const fs::path tar = scratch.path() / "layer.tar";
    const std::string error = write_layer_to(upper, tar);
    if (error.find("not implemented yet") != std::string::npos) FAIL() << error;
    ASSERT_EQ(error, "");
    const fs::path back = scratch.path() / "back";
    const std::string applied = apply(tar, back);
    if (applied.find("not implemented yet") != std::string::npos) FAIL() << applied;
    ASSERT_EQ(applied, "");
    EXPECT_EQ(what_is(back / "etc/hostname"), "file \"box\n\"");
    EXPECT_EQ(what_is(back / "etc/motd"), "char 0:0");
    EXPECT_EQ(what_is(back / "etc/name"), "symlink");
    EXPECT_EQ(opaque_of(back / "var/cache"), "y");
    EXPECT_EQ(what_is(back / "var/cache/fresh"), "file \"f\"");
    EXPECT_EQ(opaque_of(back / "var"), "none");
}

}  // namespace
}  // namespace kubik::test
