// Lesson 4 — layered images through the kubik binary: the image's layers are
// unpacked once each (ROOT/store/layers/CHAIN/diff) and never written; a
// container writes to its own upper directory; whiteouts and opaque
// directories hide what is below; containers share the layer directories
// (their overlay mounts in /proc/PID/mountinfo say so); rmi keeps what
// another image needs; commit and save write whiteouts back as OCI markers.
#include "lesson4.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <set>

namespace kubik::test {
namespace {

using namespace layers4;

std::string what_is(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return "missing";
    if (S_ISCHR(st.st_mode))
        return "char " + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    if (S_ISDIR(st.st_mode)) return "dir";
    if (S_ISREG(st.st_mode)) return "file \"" + read_text(p).value_or("?") + "\"";
    return "other";
}

std::string opaque_of(const fs::path& p) {
    char value[16];
    const ssize_t n = ::lgetxattr(p.c_str(), "trusted.overlay.opaque", value, sizeof value);
    return n < 0 ? "none" : std::string(value, static_cast<size_t>(n));
}

// The base layer (busybox) and a layer that changes, adds, deletes and
// replaces a directory.
std::vector<json> two_layers() {
    json base = busybox_entries();
    base.push_back(file_entry("etc/motd", "base motd\n"));
    base.push_back(file_entry("etc/version", "0\n"));
    base.push_back(dir_entry("data/"));
    base.push_back(file_entry("data/a", "a\n"));
    base.push_back(file_entry("data/b", "b\n"));
    json top = json::array({dir_entry("etc/"), file_entry("etc/version", "1\n"), marker_entry("etc/.wh.motd"),
                            dir_entry("data/"), marker_entry("data/.wh..wh..opq"), file_entry("data/c", "c\n")});
    return {base, top};
}

std::vector<std::string> lowers_of(const std::string& options) {
    return split(option_value(options, "lowerdir"), ':');
}

// The directory a lowerdir entry names (a short name resolved from the
// store's l/ directory, a full path as it is).
fs::path resolve_lower(const fs::path& store, const std::string& lower) {
    std::error_code ec;
    const fs::path p = fs::path(lower).is_absolute() ? fs::path(lower) : store / "l" / fs::path(lower).filename();
    const fs::path real = fs::canonical(p, ec);
    return ec ? p : real;
}

TEST_F(Lesson4Test, ContainerWritesLandInItsUpperDirectoryOnly) {
    const Archive image = load_image("layered:1", two_layers());
    ASSERT_EQ(image.chain_ids.size(), 2u);
    const fs::path layers = root_ / "store/layers";
    ASSERT_TRUE(fs::is_directory(layer_dir(image.chain_ids[0])))
        << "the bottom layer must be unpacked in ROOT/store/layers/CHAINID/diff (chain ID " << image.chain_ids[0] << ")";
    ASSERT_TRUE(fs::is_directory(layer_dir(image.chain_ids[1]))) << "chain ID " << image.chain_ids[1];
    const auto before = tree_listing(layers);

    auto r = kubik({"run", "-d", "--name", "writer", "layered:1", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto w = kubik({"exec", "writer", "sh", "-c",
                    "echo new > /new; echo changed > /etc/version; rm /data/c; rm /bin/ls; mkdir -p /made/deep; "
                    "echo x > /made/deep/f"});
    EXPECT_EQ(w.exit_code, 0) << w.describe();
    const std::string options = root_overlay_options("writer");
    const fs::path upper = option_value(options, "upperdir");
    ASSERT_FALSE(upper.empty()) << "the container's / must be an overlay mount with an upperdir; mountinfo says: "
                                << options;
    EXPECT_FALSE(is_under(upper.string(), layers)) << "the upper directory " << upper
                                                   << " must be the container's own, not in the image's layers";
    EXPECT_EQ(what_is(upper / "new"), "file \"new\n\"") << "a new file lands in the upper directory";
    EXPECT_EQ(what_is(upper / "etc/version"), "file \"changed\n\"") << "a changed file is copied up";
    EXPECT_EQ(what_is(upper / "data/c"), "char 0:0") << "a deleted file of the image becomes a whiteout in upper";
    EXPECT_EQ(what_is(upper / "bin/ls"), "char 0:0");
    EXPECT_EQ(what_is(upper / "made/deep/f"), "file \"x\n\"");
    EXPECT_EQ(listing_diff(before, tree_listing(layers)), "")
        << "the image's layer directories must be byte for byte as they were: writes go to upper only";
    remove_containers({"writer"});
    EXPECT_EQ(listing_diff(before, tree_listing(layers)), "") << "after kubik rm -f";
    expect_no_container_state("after kubik rm -f writer");
}

TEST_F(Lesson4Test, WhiteoutAndOpaqueDirectoryHideTheLowerFiles) {
    const Archive image = load_image("layered:1", two_layers());
    ASSERT_EQ(image.chain_ids.size(), 2u);
    const fs::path top = layer_dir(image.chain_ids[1]);
    EXPECT_EQ(what_is(top / "etc/motd"), "char 0:0") << "etc/.wh.motd unpacked in " << top;
    EXPECT_EQ(opaque_of(top / "data"), "y") << "data/.wh..wh..opq unpacked in " << top;

    auto r = kubik({"run", "--rm", "layered:1", "sh", "-c",
                    "cat /etc/version; test -e /etc/motd && echo motd present || echo motd absent; ls /data"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "1\nmotd absent\nc\n")
        << "the top layer's etc/version wins, its whiteout hides /etc/motd, and its opaque data/ hides the "
           "bottom layer's data/a and data/b";
    expect_no_container_state("after run --rm");
}

TEST_F(Lesson4Test, FiveLayerImageRuns) {
    std::vector<json> layers{busybox_entries()};
    layers[0].push_back(file_entry("etc/version", "0\n"));
    for (int i = 1; i < 5; ++i)
        layers.push_back(json::array({dir_entry("etc/"), file_entry("etc/version", std::to_string(i) + "\n"),
                                      file_entry("layer" + std::to_string(i), std::to_string(i))}));
    const Archive image = load_image("five:layers", layers);
    ASSERT_EQ(image.chain_ids.size(), 5u);

    auto r = kubik({"run", "-d", "--name", "five", "five:layers", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string options = root_overlay_options("five");
    const auto lowers = lowers_of(options);
    ASSERT_EQ(lowers.size(), 5u) << "five layers, five lowerdirs: " << options;
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(resolve_lower(root_ / "store", lowers[i]), fs::canonical(layer_dir(image.chain_ids[4 - i])))
            << "lowerdir #" << i << " must be layer " << 4 - i << " (the TOP layer first): " << options;
    auto c = kubik({"exec", "five", "sh", "-c", "cat /etc/version; cat /layer1 /layer2 /layer3 /layer4"});
    EXPECT_EQ(c.out, "4\n1234") << c.describe();
    remove_containers({"five"});
    expect_no_container_state("after kubik rm -f five");
}

TEST_F(Lesson4Test, TwentyContainersShareTheImageLayers) {
    const Archive image = load_image("shared:1", two_layers());
    ASSERT_EQ(image.chain_ids.size(), 2u);
    std::vector<std::string> names;
    for (int i = 0; i < 20; ++i) {
        const std::string name = "share" + std::to_string(i);
        auto r = kubik({"run", "-d", "--name", name, "shared:1", "sleep", "100"});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
        names.push_back(name);
    }
    std::set<std::string> uppers;
    const std::vector<fs::path> expected{fs::canonical(layer_dir(image.chain_ids[1])),
                                         fs::canonical(layer_dir(image.chain_ids[0]))};
    for (const auto& name : names) {
        const std::string options = root_overlay_options(name);
        const auto lowers = lowers_of(options);
        std::vector<fs::path> dirs;
        for (const auto& l : lowers) dirs.push_back(resolve_lower(root_ / "store", l));
        EXPECT_EQ(dirs, expected) << name << "'s overlay must stack the image's own two layer directories "
                                  << "(top first), not copies: " << options;
        uppers.insert(option_value(options, "upperdir"));
    }
    EXPECT_EQ(uppers.size(), 20u) << "each container has an upper directory of its own";
    std::set<std::string> layer_names;
    for (const auto& e : fs::directory_iterator(root_ / "store/layers")) layer_names.insert(e.path().filename());
    EXPECT_EQ(layer_names.size(), 2u) << "20 containers of a 2-layer image: still 2 layer directories in the store";
    // No container holds a copy of the image's biggest file.
    const auto busybox_size = fs::file_size(busybox_binary());
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_ / "containers", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && !it->is_symlink(ec) && it->file_size(ec) == busybox_size)
            ADD_FAILURE() << "a copy of busybox in a container's directory: " << it->path();
    }
    remove_containers(names);
    expect_no_container_state("after kubik rm -f of 20 containers");
}

TEST_F(Lesson4Test, RmiKeepsLayersAnotherImageUses) {
    auto layers_a = two_layers();
    const Archive a = load_image("first:1", layers_a);
    auto layers_b = two_layers();
    layers_b[1] = json::array({file_entry("only-in-b", "b\n")});
    const Archive b = load_image("second:1", layers_b);
    ASSERT_EQ(a.chain_ids.size(), 2u);
    ASSERT_EQ(b.chain_ids.size(), 2u);
    ASSERT_EQ(a.chain_ids[0], b.chain_ids[0]) << "the test's two images share their bottom layer";
    const auto bottom_before = tree_listing(layer_dir(a.chain_ids[0]));

    auto r = kubik({"rmi", "first:1"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_FALSE(fs::exists(layer_dir(a.chain_ids[1]))) << "first:1's own top layer goes with it";
    ASSERT_TRUE(fs::is_directory(layer_dir(a.chain_ids[0]))) << "the bottom layer is second:1's too: it must stay";
    EXPECT_EQ(listing_diff(bottom_before, tree_listing(layer_dir(a.chain_ids[0]))), "");
    auto run_b = kubik({"run", "--rm", "second:1", "cat", "/only-in-b", "/etc/motd"});
    EXPECT_EQ(run_b.exit_code, 0) << run_b.describe();
    EXPECT_EQ(run_b.out, "b\nbase motd\n");

    auto r2 = kubik({"rmi", "second:1"});
    EXPECT_EQ(r2.exit_code, 0) << r2.describe();
    std::error_code ec;
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(root_ / "store/layers", ec)) left.push_back(e.path().filename());
    EXPECT_TRUE(left.empty()) << "no image left, no layer left; still there: " << left.size();
    expect_no_container_state("after rmi");
}

TEST_F(Lesson4Test, RmiIsRefusedWhileAContainerUsesTheImage) {
    const Archive image = load_image("busy:1", two_layers());
    auto r = kubik({"run", "-d", "--name", "user", "busy:1", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto rmi = kubik({"rmi", "busy:1"});
    EXPECT_NE(rmi.exit_code, 0) << "docker refuses to remove an image a container uses (without -f)\n"
                                << rmi.describe();
    EXPECT_TRUE(fs::is_directory(layer_dir(image.chain_ids[1]))) << "the refused rmi must keep the layers";
    auto c = kubik({"exec", "user", "cat", "/etc/version"});
    EXPECT_EQ(c.out, "1\n") << c.describe();
    remove_containers({"user"});
    expect_no_container_state("after kubik rm -f user");
}

TEST_F(Lesson4Test, CommitWritesTheUpperDirectoryAsALayerWithWhiteouts) {
    const Archive image = load_image("base:1", two_layers());
    auto r = kubik({"run", "-d", "--name", "changer", "base:1", "sleep", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto w = kubik({"exec", "changer", "sh", "-c",
                    "rm /etc/version; rm -r /data; mkdir /data; echo z > /data/z; echo n > /new"});
    EXPECT_EQ(w.exit_code, 0) << w.describe();
    auto commit = kubik({"commit", "changer", "committed:1"});
    ASSERT_EQ(commit.exit_code, 0) << commit.describe();
    remove_containers({"changer"});

    auto run = kubik({"run", "--rm", "committed:1", "sh", "-c",
                      "test -e /etc/version && echo version present || echo version absent; ls /data; cat /new"});
    EXPECT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(run.out, "version absent\nz\nn\n")
        << "the committed image: the deleted file stays deleted (a whiteout in the new layer), the remade /data "
           "shows only z (an opaque directory), the new file is there";

    // What the new layer says, in OCI's words, read by python3 from kubik save's archive.
    const fs::path saved = scratch_file("committed.tar");
    auto save = kubik({"save", "-o", saved.string(), "committed:1"});
    ASSERT_EQ(save.exit_code, 0) << save.describe();
    const std::string names = top_layer_entries(saved);
    EXPECT_NE(names.find("\netc/.wh.version\n"), std::string::npos) << "the top layer's entries:\n" << names;
    EXPECT_NE(names.find("\ndata/.wh..wh..opq\n"), std::string::npos) << "the top layer's entries:\n" << names;
    EXPECT_EQ(names.find("trusted.overlay"), std::string::npos) << names;
    expect_no_container_state("after commit");
}

TEST_F(Lesson4Test, SaveThenLoadGivesTheSameImage) {
    const Archive image = load_image("roundtrip:1", two_layers());
    const fs::path saved = scratch_file("saved.tar");
    auto save = kubik({"save", "-o", saved.string(), "roundtrip:1"});
    ASSERT_EQ(save.exit_code, 0) << save.describe();
    auto rmi = kubik({"rmi", "roundtrip:1"});
    ASSERT_EQ(rmi.exit_code, 0) << rmi.describe();
    EXPECT_FALSE(fs::exists(layer_dir(image.chain_ids[1])));
    auto load = kubik({"load", "-i", saved.string()});
    ASSERT_EQ(load.exit_code, 0) << load.describe();
    EXPECT_NE(load.out.find("roundtrip:1"), std::string::npos) << "docker load prints \"Loaded image: NAME:TAG\"\n"
                                                               << load.describe();
    EXPECT_TRUE(fs::is_directory(layer_dir(image.chain_ids[1]))) << "the same layers, by the same chain IDs";
    auto run = kubik({"run", "--rm", "roundtrip:1", "sh", "-c", "cat /etc/version; ls /data"});
    EXPECT_EQ(run.out, "1\nc\n") << run.describe();
    expect_no_container_state("after the round trip");
}

TEST_F(Lesson4Test, ImportMakesAOneLayerImage) {
    const fs::path rootfs = scratch_file("rootfs.tar");
    json entries = busybox_entries();
    entries.push_back(file_entry("etc/imported", "yes\n"));
    write_tar(rootfs, entries);
    auto r = kubik({"import", rootfs.string(), "imported:1"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto run = kubik({"run", "--rm", "imported:1", "cat", "/etc/imported"});
    EXPECT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(run.out, "yes\n");
    expect_no_container_state("after import");
}

}  // namespace
}  // namespace kubik::test
