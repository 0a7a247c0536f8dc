// Interoperability with independent tools: what kubik saves, skopeo reads and
// umoci unpacks to the same files; what skopeo writes from a layout umoci
// made (docker-archive and oci-archive), kubik loads and runs.
//
// Not a lesson's gate: it needs the whole runtime (lesson 4 included), so it
// runs in the reference track (ctest label "interop"). skopeo and umoci come
// from scripts/install-test-deps.sh; without them every test is skipped, with
// the reason, never passed.
#include "kubik_test.hpp"
#include "tools.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>

namespace kubik::test {
namespace {

using nlohmann::json;

class Interop : public KubikTest {
protected:
    void SetUp() override {
        if (auto missing = first_missing_tool({"skopeo", "umoci", "sha256sum"}); !missing.empty())
            GTEST_SKIP() << missing << " is not installed (scripts/install-test-deps.sh installs it): "
                         << "kubik's archives can't be checked against it";
        base_set_up_ = true;
        KubikTest::SetUp();
        if (HasFatalFailure()) return;
        scratch_ = std::make_unique<ScratchDir>();
    }
    void TearDown() override {
        if (base_set_up_) KubikTest::TearDown();  // not when skipped before it
        scratch_.reset();
    }

    fs::path tmp(const std::string& name) const { return scratch_->path() / name; }

    /// Runs an external tool; fails the test (with its output) unless it exits 0.
    RunResult tool(std::vector<std::string> argv, std::chrono::milliseconds timeout = 60s) {
        RunOptions options;
        options.timeout = timeout;
        argv[0] = find_tool(argv[0]);  // run() execs a path, it doesn't search PATH
        auto r = run(argv, options);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return r;
    }

    /// `kubik image busybox`: a one-layer image made by kubik alone.
    void make_busybox() {
        std::vector<std::string> args{"image", "busybox"};
        if (const char* over = std::getenv("KUBIK_TEST_BUSYBOX"); over && *over)
            args.insert(args.end(), {"--busybox", over});
        auto r = kubik(args);
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    }

    json inspect(const std::string& ref) {
        auto r = kubik({"image", "inspect", ref});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return image_inspect(r);
    }

    /// The image's diff IDs, bottom first, as `kubik image inspect` gives them.
    std::vector<std::string> diff_ids(const json& inspected) {
        std::vector<std::string> out;
        if (inspected.contains("RootFS") && inspected["RootFS"].contains("Layers"))
            for (const auto& d : inspected["RootFS"]["Layers"]) out.push_back(d.get<std::string>());
        EXPECT_FALSE(out.empty()) << "no RootFS.Layers in `kubik image inspect`:\n" << inspected.dump(2);
        return out;
    }

    /// The store's directory of each layer (bottom first): ROOT/store/layers/
    /// CHAINHEX/diff, where the chain IDs are computed here, by sha256sum,
    /// from the diff IDs (the OCI rule), not asked of kubik.
    std::vector<fs::path> layer_dirs(const std::vector<std::string>& ids) {
        std::vector<fs::path> out;
        std::string chain;
        for (const auto& id : ids) {
            chain = chain.empty() ? id : sha256_of(chain + " " + id, scratch_->path());
            out.push_back(root_ / "store/layers" / chain.substr(7) / "diff");
            EXPECT_TRUE(fs::is_directory(out.back())) << "layer " << id << " (chain ID " << chain
                                                       << ") has no directory " << out.back();
        }
        return out;
    }

    /// `kubik save -o FILE REF`.
    fs::path save(const std::string& ref, const std::string& name) {
        const fs::path file = tmp(name);
        auto r = kubik({"save", "-o", file.string(), ref});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        EXPECT_TRUE(fs::is_regular_file(file)) << "`kubik save -o " << file << "` wrote no file";
        return file;
    }

    /// `kubik load -i FILE`; returns what it says it loaded ("Loaded image:
    /// REF" or "Loaded image ID: ID", docker's lines).
    std::vector<std::string> load(const fs::path& file) {
        RunOptions options;
        options.timeout = 120s;
        auto r = kubik({"load", "-i", file.string()}, options);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        std::vector<std::string> loaded;
        for (const auto& line : lines_of(r.out)) {
            for (const std::string prefix : {"Loaded image: ", "Loaded image ID: "})
                if (line.rfind(prefix, 0) == 0) loaded.push_back(line.substr(prefix.size()));
        }
        EXPECT_EQ(loaded.size(), 1u) << "expected one \"Loaded image: …\" line\n" << r.describe();
        return loaded;
    }

    /// umoci unpack --image LAYOUT:TAG into a fresh bundle; returns its rootfs.
    fs::path umoci_unpack(const fs::path& layout, const std::string& tag, const std::string& bundle) {
        tool({"umoci", "unpack", "--image", layout.string() + ":" + tag, tmp(bundle).string()});
        return tmp(bundle) / "rootfs";
    }

    /// An image made without kubik: umoci builds an OCI layout of two layers
    /// (the second deletes a file and replaces a directory's content: umoci
    /// writes .wh. whiteouts for both), owners, a setuid file and a symlink.
    fs::path make_umoci_layout() {
        const fs::path layout = tmp("umoci-layout");
        const std::string image = layout.string() + ":t";
        tool({"umoci", "init", "--layout", layout.string()});
        tool({"umoci", "new", "--image", image});
        tool({"umoci", "config", "--image", image, "--config.env", "PATH=/bin"});

        const fs::path one = umoci_unpack(layout, "t", "bundle-1");
        fs::create_directories(one / "bin");
        fs::copy_file(busybox_binary(), one / "bin/busybox");
        fs::permissions(one / "bin/busybox", static_cast<fs::perms>(0755));
        for (const char* applet : {"sh", "cat", "ls", "stat", "readlink", "echo"})
            fs::create_symlink("busybox", one / "bin" / applet);
        std::ofstream(one / "file") << "hello from umoci\n";
        std::ofstream(one / "gone") << "deleted in the second layer\n";
        fs::create_directories(one / "dir/old");
        std::ofstream(one / "dir/old/a") << "a\n";
        std::ofstream(one / "owned") << "owned by 1000\n";
        EXPECT_EQ(::chown((one / "owned").c_str(), 1000, 1000), 0);
        EXPECT_EQ(::chmod((one / "owned").c_str(), 0640), 0);
        tool({"umoci", "repack", "--image", image, tmp("bundle-1").string()});

        const fs::path two = umoci_unpack(layout, "t", "bundle-2");
        fs::remove(two / "gone");
        fs::remove_all(two / "dir/old");
        fs::create_directories(two / "dir/old");
        std::ofstream(two / "dir/old/new") << "new\n";
        std::ofstream(two / "file2") << "second layer\n";
        std::ofstream(two / "suid") << "#!/bin/sh\n";
        EXPECT_EQ(::chmod((two / "suid").c_str(), 04755), 0);
        fs::create_symlink("file", two / "link");
        tool({"umoci", "repack", "--image", image, tmp("bundle-2").string()});
        return layout;
    }

    bool base_set_up_ = false;
    std::unique_ptr<ScratchDir> scratch_;
};

// What the container of the umoci-made image must see, and its exit code.
const std::vector<std::string> kUmociCheck{
    "sh", "-c",
    "cat /file /file2; ls /dir/old; stat -c '%a %u:%g' /owned /suid; readlink /link; "
    "ls /gone 2>/dev/null && exit 1; exit 3"};
const std::string kUmociExpected =
    "hello from umoci\nsecond layer\nnew\n640 1000:1000\n4755 0:0\nfile\n";

// --- kubik writes, skopeo and umoci read ----------------------------------------

TEST_F(Interop, SkopeoReadsKubikSaveAsDockerArchiveAndOciArchive) {
    make_busybox();
    ASSERT_FALSE(HasFatalFailure());
    const auto image = inspect("busybox");
    const std::string id = image.value("Id", "");
    ASSERT_TRUE(id.rfind("sha256:", 0) == 0) << "no Id in `kubik image inspect busybox`:\n" << image.dump(2);
    const auto ids = diff_ids(image);
    const fs::path archive = save("busybox", "busybox.tar");
    ASSERT_FALSE(HasFailure());

    for (const std::string transport : {"docker-archive:", "oci-archive:"}) {
        SCOPED_TRACE(transport + archive.string());
        // The config blob as skopeo reads it is the one whose digest is the image ID.
        auto raw_config = tool({"skopeo", "inspect", "--raw", "--config", transport + archive.string()});
        EXPECT_EQ(sha256_of(raw_config.out, scratch_->path()), id)
            << "the config in the archive is not the image kubik inspects";
        auto config = parse_json(raw_config.out, "skopeo's config");
        std::vector<std::string> archived;
        for (const auto& d : config["rootfs"]["diff_ids"]) archived.push_back(d.get<std::string>());
        EXPECT_EQ(archived, ids) << "diff IDs in the archive differ from `kubik image inspect`'s";

        auto summary = parse_json(tool({"skopeo", "inspect", transport + archive.string()}).out, "skopeo inspect");
        EXPECT_EQ(summary.value("Architecture", ""), image.value("Architecture", "")) << summary.dump(2);
        EXPECT_EQ(summary.value("Os", ""), "linux") << summary.dump(2);
        EXPECT_EQ(summary["Layers"].size(), ids.size()) << summary.dump(2);
    }
    // The OCI side: the manifest skopeo reads names the same config.
    auto manifest = parse_json(tool({"skopeo", "inspect", "--raw", "oci-archive:" + archive.string()}).out,
                               "the OCI manifest");
    EXPECT_EQ(manifest["config"].value("digest", ""), id) << manifest.dump(2);
    EXPECT_EQ(manifest["layers"].size(), ids.size()) << manifest.dump(2);
}

TEST_F(Interop, UmociUnpacksKubikSaveToTheFilesOfTheLayerDirectory) {
    make_busybox();
    ASSERT_FALSE(HasFatalFailure());
    const auto ids = diff_ids(inspect("busybox"));
    ASSERT_EQ(ids.size(), 1u) << "`kubik image busybox` makes one layer";
    const auto dirs = layer_dirs(ids);
    const fs::path archive = save("busybox", "busybox.tar");
    ASSERT_FALSE(HasFailure());

    const fs::path layout = tmp("layout");
    tool({"skopeo", "copy", "docker-archive:" + archive.string(), "oci:" + layout.string() + ":from-docker"});
    tool({"skopeo", "copy", "oci-archive:" + archive.string(), "oci:" + layout.string() + ":from-oci"});
    ASSERT_FALSE(HasFailure());
    const auto layer = snapshot_tree(dirs[0]);
    ASSERT_FALSE(layer.empty()) << dirs[0] << " is empty";
    for (const std::string tag : {"from-docker", "from-oci"}) {
        const auto unpacked = snapshot_tree(umoci_unpack(layout, tag, "bundle-" + tag));
        const auto diffs = tree_differences(layer, unpacked, "kubik's layer", "umoci's unpack (" + tag + ")");
        EXPECT_TRUE(diffs.empty()) << "umoci unpacks kubik's archive to other files than the layer "
                                   << dirs[0] << ":\n  " << testing::PrintToString(diffs);
    }
}

// --- skopeo writes (from umoci's layout), kubik loads and runs ---------------------

TEST_F(Interop, KubikLoadsAndRunsADockerArchiveSkopeoWrote) {
    const fs::path layout = make_umoci_layout();
    ASSERT_FALSE(HasFailure());
    const fs::path archive = tmp("umoci.docker.tar");
    tool({"skopeo", "copy", "oci:" + layout.string() + ":t", "docker-archive:" + archive.string() + ":interop/umoci:v1"});
    ASSERT_FALSE(HasFailure());

    EXPECT_EQ(load(archive), std::vector<std::string>{"interop/umoci:v1"});
    auto r = kubik({"run", "--rm", "interop/umoci:v1", "cat", "/file"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "hello from umoci\n") << r.describe();
    r = kubik(concat({"run", "--rm", "interop/umoci:v1"}, kUmociCheck));
    EXPECT_EQ(r.exit_code, 3) << r.describe();
    EXPECT_EQ(r.out, kUmociExpected) << r.describe();
    expect_no_container_state("after the runs of the loaded image");

    // The store holds two layers; the top one has the deletions as overlayfs
    // whiteouts (0:0 character devices), which is what hides them.
    const auto ids = diff_ids(inspect("interop/umoci:v1"));
    ASSERT_EQ(ids.size(), 2u);
    const auto dirs = layer_dirs(ids);
    for (const char* deleted : {"gone", "dir/old/a"}) {
        struct stat st {};
        ASSERT_EQ(::lstat((dirs[1] / deleted).c_str(), &st), 0) << "no whiteout for " << deleted << " in " << dirs[1];
        EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
            << dirs[1] / deleted << " is not a 0:0 character device";
        EXPECT_TRUE(fs::exists(dirs[0] / deleted)) << "the bottom layer lost " << deleted;
    }
}

TEST_F(Interop, KubikLoadsAndRunsAnOciArchiveSkopeoWrote) {
    const fs::path layout = make_umoci_layout();
    ASSERT_FALSE(HasFailure());
    const fs::path archive = tmp("umoci.oci.tar");
    tool({"skopeo", "copy", "oci:" + layout.string() + ":t", "oci-archive:" + archive.string() + ":interop/umoci:v2"});
    ASSERT_FALSE(HasFailure());

    const auto loaded = load(archive);
    ASSERT_EQ(loaded.size(), 1u);
    auto r = kubik(concat({"run", "--rm", loaded[0]}, kUmociCheck));
    EXPECT_EQ(r.exit_code, 3) << r.describe();
    EXPECT_EQ(r.out, kUmociExpected) << r.describe();
    expect_no_container_state("after the run of the loaded image");
}

// skopeo recompresses the umoci image's layers (umoci writes gzip); kubik
// loads each form, stores the compressed blobs under their own digests, and
// unpacks them to the same layers (the diff IDs don't change).
TEST_F(Interop, KubikLoadsGzipAndZstdLayers) {
    const fs::path layout = make_umoci_layout();
    ASSERT_FALSE(HasFailure());
    const auto original = parse_json(tool({"skopeo", "inspect", "--config", "oci:" + layout.string() + ":t"}).out,
                                     "the umoci image's config")["rootfs"]["diff_ids"];
    struct Form {
        std::string format, media_suffix, magic;
    };
    for (const Form& form : {Form{"gzip", "+gzip", "\x1f\x8b"}, Form{"zstd", "+zstd", "\x28\xb5\x2f\xfd"}}) {
        SCOPED_TRACE(form.format);
        const fs::path archive = tmp("umoci." + form.format + ".oci.tar");
        const std::string tag = "interop/compressed:" + form.format;
        tool({"skopeo", "copy", "--dest-compress", "--dest-compress-format", form.format,
              "oci:" + layout.string() + ":t", "oci-archive:" + archive.string() + ":" + tag});
        ASSERT_FALSE(HasFailure());
        const auto manifest = parse_json(tool({"skopeo", "inspect", "--raw", "oci-archive:" + archive.string()}).out,
                                         "the archive's manifest");
        ASSERT_EQ(manifest["layers"].size(), 2u) << manifest.dump(2);

        const auto loaded = load(archive);
        ASSERT_EQ(loaded.size(), 1u);
        for (const auto& layer : manifest["layers"]) {
            const std::string media = layer.value("mediaType", "");
            EXPECT_TRUE(media.ends_with(form.media_suffix)) << "skopeo wrote " << media;
            const fs::path blob = root_ / "store/blobs/sha256" / layer.value("digest", "sha256:").substr(7);
            auto bytes = read_text(blob);
            ASSERT_TRUE(bytes) << "the compressed layer " << layer.value("digest", "") << " is not in the store";
            EXPECT_EQ(bytes->substr(0, form.magic.size()), form.magic) << blob << " is not " << form.format;
        }
        EXPECT_EQ(json(diff_ids(inspect(loaded[0]))), original) << "unpacked to other layers than umoci's";
        auto r = kubik(concat({"run", "--rm", loaded[0]}, kUmociCheck));
        EXPECT_EQ(r.exit_code, 3) << r.describe();
        EXPECT_EQ(r.out, kUmociExpected) << r.describe();
    }
}

TEST_F(Interop, AnImageKubikLoadedAndSavedUnpacksByUmociToTheSameFiles) {
    const fs::path layout = make_umoci_layout();
    ASSERT_FALSE(HasFailure());
    const fs::path in = tmp("umoci.docker.tar");
    tool({"skopeo", "copy", "oci:" + layout.string() + ":t", "docker-archive:" + in.string() + ":interop/umoci:v1"});
    ASSERT_FALSE(HasFailure());
    load(in);
    const fs::path out = save("interop/umoci:v1", "resaved.tar");
    ASSERT_FALSE(HasFailure());

    // The layers went through kubik unchanged: the same diff IDs as umoci's.
    auto original = parse_json(tool({"skopeo", "inspect", "--config", "oci:" + layout.string() + ":t"}).out,
                               "the umoci image's config");
    for (const std::string transport : {"docker-archive:", "oci-archive:"}) {
        auto resaved = parse_json(tool({"skopeo", "inspect", "--config", transport + out.string()}).out,
                                  "the config of kubik's archive");
        EXPECT_EQ(resaved["rootfs"]["diff_ids"], original["rootfs"]["diff_ids"]) << transport;
    }
    // And umoci unpacks the two to the same files.
    tool({"skopeo", "copy", "docker-archive:" + out.string(), "oci:" + layout.string() + ":resaved-docker"});
    tool({"skopeo", "copy", "oci-archive:" + out.string(), "oci:" + layout.string() + ":resaved-oci"});
    ASSERT_FALSE(HasFailure());
    const auto want = snapshot_tree(umoci_unpack(layout, "t", "bundle-original"));
    for (const std::string tag : {"resaved-docker", "resaved-oci"}) {
        const auto got = snapshot_tree(umoci_unpack(layout, tag, "bundle-" + tag));
        const auto diffs = tree_differences(want, got, "umoci's image", "kubik's save (" + tag + ")");
        EXPECT_TRUE(diffs.empty()) << testing::PrintToString(diffs);
    }
}

}  // namespace
}  // namespace kubik::test
