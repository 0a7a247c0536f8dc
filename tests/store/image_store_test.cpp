// The content-addressed image store, called directly (ImageStore) in each
// test's own state root: the layout on disk, references, archives in and
// out, concurrent loads, and bad archives that must leave the store as it was.
#include "kubik_test.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/sha256.hpp"
#include "image/image_ref.hpp"
#include "image/image_store.hpp"
#include "image/tar_writer.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

namespace kubik::test {
namespace {

using nlohmann::json;

std::string sha256_of_file(const fs::path& path) { return kubik::sha256_digest(kubik::read_file(path)); }

// Every entry below `dir`: path, type, mode, size, symlink target and, for
// files, the digest of their bytes. Two equal listings mean an equal tree.
std::string listing(const fs::path& dir) {
    std::ostringstream out;
    if (!fs::exists(dir)) return "(absent)";
    std::vector<fs::path> paths;
    for (const auto& e : fs::recursive_directory_iterator(dir)) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
        struct stat st{};
        ::lstat(p.c_str(), &st);
        out << p.lexically_relative(dir).string() << " " << std::oct << (st.st_mode & 07777) << std::dec;
        if (S_ISREG(st.st_mode)) out << " file " << st.st_size << " " << sha256_of_file(p);
        else if (S_ISDIR(st.st_mode)) out << " dir";
        else if (S_ISLNK(st.st_mode)) out << " -> " << fs::read_symlink(p).string();
        else out << " other " << st.st_rdev;
        out << "\n";
    }
    return out.str();
}

class StoreTest : public KubikTest {
protected:
    ImageStore store() const { return ImageStore(root_); }
    ImageStore store_b() const { return ImageStore(root_ / "b"); }

    Image make_busybox() { return store().create_busybox(ImageRef::parse("busybox"), busybox_binary(), false); }

    fs::path save(const std::vector<std::string>& refs, const std::string& name = "busybox.tar") {
        fs::path path = root_ / name;
        UniqueFdHolder fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        store().save(refs, fd.fd, {});
        return path;
    }

    std::vector<std::string> load(const ImageStore& s, const fs::path& archive) {
        UniqueFdHolder fd(::open(archive.c_str(), O_RDONLY | O_CLOEXEC));
        return const_cast<ImageStore&>(s).load(fd.fd, {});
    }

    // Rewrites `in` into `out` with python3's tarfile: SCRIPT sees `members`
    // (name → bytes, in order) and may change it.
    void craft(const fs::path& in, const fs::path& out, const std::string& script) {
        std::string program =
            "import sys, tarfile, io, json, hashlib\n"
            "src = tarfile.open(sys.argv[1])\n"
            "members = {}\n"
            "for m in src.getmembers():\n"
            "    if m.isfile(): members[m.name] = src.extractfile(m).read()\n"
            "def h(b): return 'sha256:' + hashlib.sha256(b).hexdigest()\n" +
            script +
            "\nwith tarfile.open(sys.argv[2], 'w') as dst:\n"
            "    for name, data in members.items():\n"
            "        ti = tarfile.TarInfo(name); ti.size = len(data)\n"
            "        dst.addfile(ti, io.BytesIO(data))\n";
        auto r = run({"/usr/bin/python3", "-c", program, in.string(), out.string()});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    }

    struct UniqueFdHolder {
        explicit UniqueFdHolder(int f) : fd(f) {
            if (fd < 0) throw std::runtime_error("open failed");
        }
        ~UniqueFdHolder() { ::close(fd); }
        int fd;
    };
};

// --- references -----------------------------------------------------------

TEST(ImageRefs, ParseLikeDocker) {
    struct Case {
        const char* text;
        const char* name;
        const char* tag;
        const char* digest;
    };
    const std::string d = "sha256:" + std::string(64, 'a');
    const Case good[] = {
        {"busybox", "busybox", "latest", ""},
        {"busybox:1.36", "busybox", "1.36", ""},
        {"library/busybox", "library/busybox", "latest", ""},
        {"registry:5000/ns/name:tag", "registry:5000/ns/name", "tag", ""},
        {"registry:5000/ns/name", "registry:5000/ns/name", "latest", ""},
        {"localhost/x", "localhost/x", "latest", ""},
        {"my-app_2.x__y", "my-app_2.x__y", "latest", ""},
        {"a--b", "a--b", "latest", ""},
        {"x:Tag_1.-", "x", "Tag_1.-", ""},
    };
    for (const auto& c : good) {
        SCOPED_TRACE(c.text);
        ImageRef ref = ImageRef::parse(c.text);
        EXPECT_EQ(ref.name, c.name);
        EXPECT_EQ(ref.tag, c.tag);
        EXPECT_EQ(ref.digest, c.digest);
    }
    ImageRef with_digest = ImageRef::parse("busybox@" + d);
    EXPECT_EQ(with_digest.name, "busybox");
    EXPECT_EQ(with_digest.tag, "");
    EXPECT_EQ(with_digest.digest, d);
    EXPECT_EQ(with_digest.str(), "busybox@" + d);
    EXPECT_EQ(ImageRef::parse("busybox").str(), "busybox:latest");

    for (const char* bad : {"", ":latest", "a:", "-a", "a_", "a//b", "a/", "a:b:c", "a@sha256:12", "a b",
                            "a:.tag", "x/.y"}) {
        SCOPED_TRACE(bad);
        try {
            ImageRef::parse(bad);
            ADD_FAILURE() << "accepted";
        } catch (const Error& e) {
            EXPECT_EQ(std::string(e.what()), "invalid reference format");
            EXPECT_EQ(e.exit_code(), 125);
        }
    }
    EXPECT_THROW(ImageRef::parse("x:" + std::string(129, 't')), Error);
    try {
        ImageRef::parse("Busybox");
        ADD_FAILURE() << "accepted Busybox";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "invalid reference format: repository name (library/Busybox) must be lowercase");
    }
    try {
        ImageRef::parse("ns/Name:tag");
        ADD_FAILURE() << "accepted ns/Name";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "invalid reference format: repository name (ns/Name) must be lowercase");
    }
    EXPECT_EQ(ImageRef::full_name("busybox"), "docker.io/library/busybox");
    EXPECT_EQ(ImageRef::full_name("registry:5000/x"), "registry:5000/x");
    EXPECT_EQ(ImageRef::familiar_name("docker.io/library/busybox"), "busybox");
    EXPECT_EQ(ImageRef::familiar_name("docker.io/ns/x"), "ns/x");
}

// --- layout -----------------------------------------------------------------

TEST_F(StoreTest, BusyboxIsAOneLayerOciImage) {
    Image image = make_busybox();
    const fs::path dir = root_ / "store";
    // Every blob is named by the digest of its bytes.
    int blobs = 0;
    for (const auto& e : fs::directory_iterator(dir / "blobs/sha256")) {
        EXPECT_EQ(sha256_of_file(e.path()), "sha256:" + e.path().filename().string());
        ++blobs;
    }
    EXPECT_EQ(blobs, 3) << "manifest, config, one layer";

    json repos = json::parse(read_file(dir / "repositories.json"));
    std::string manifest_digest = repos["repositories"]["busybox:latest"];
    EXPECT_EQ(manifest_digest, image.manifest_digest);
    json manifest = json::parse(read_file(dir / "blobs/sha256" / manifest_digest.substr(7)));
    EXPECT_EQ(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    EXPECT_EQ(manifest["schemaVersion"], 2);
    EXPECT_EQ(manifest["config"]["digest"], image.id);
    EXPECT_EQ(manifest["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
    json config = json::parse(read_file(dir / "blobs/sha256" / image.id.substr(7)));
    EXPECT_EQ(manifest["config"]["size"], fs::file_size(dir / "blobs/sha256" / image.id.substr(7)));
    EXPECT_EQ(config["architecture"], "amd64");
    EXPECT_EQ(config["os"], "linux");
    EXPECT_EQ(config["history"][0]["created_by"], "kubik image busybox");
    EXPECT_EQ(config["config"]["Cmd"], json::array({"sh"}));
    ASSERT_EQ(manifest["layers"].size(), 1u);
    std::string layer = manifest["layers"][0]["digest"];
    // An uncompressed layer: its digest is its diff ID, and its chain ID too.
    EXPECT_EQ(config["rootfs"]["diff_ids"], json::array({layer}));
    EXPECT_EQ(manifest["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar");
    const fs::path layer_dir = dir / "layers" / layer.substr(7);
    EXPECT_TRUE(fs::is_regular_file(layer_dir / "diff/bin/busybox"));
    json meta = json::parse(read_file(layer_dir / "meta.json"));
    EXPECT_EQ(meta["diff_id"], layer);
    EXPECT_GT(meta["size"].get<std::uint64_t>(), 100000u);
    std::string link = meta["link"];
    EXPECT_EQ(link.size(), 12u);
    EXPECT_EQ(link.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), std::string::npos);
    EXPECT_EQ(fs::canonical(dir / "l" / link), fs::canonical(layer_dir / "diff"));

    ASSERT_EQ(image.layers.size(), 1u);
    EXPECT_EQ(image.layers[0].chain_id, layer);
    EXPECT_EQ(image.layers[0].dir, layer_dir / "diff");
    EXPECT_EQ(image.tags, std::vector<std::string>{"busybox:latest"});
    // Found by name, by ID and by a prefix of it.
    EXPECT_EQ(store().find("busybox").id, image.id);
    EXPECT_EQ(store().find("busybox:latest").id, image.id);
    EXPECT_EQ(store().find(image.id).id, image.id);
    EXPECT_EQ(store().find(image.id.substr(7, 12)).id, image.id);
    EXPECT_EQ(store().find("busybox@" + image.manifest_digest).id, image.id);
    try {
        store().find("nothere");
        ADD_FAILURE() << "found nothere";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "Unable to find image 'nothere:latest' locally");
        EXPECT_EQ(e.exit_code(), 125);
    }
    // Again without replace: the same image, nothing new.
    const std::string before = listing(dir);
    EXPECT_EQ(make_busybox().id, image.id);
    EXPECT_EQ(listing(dir), before);
    EXPECT_FALSE(fs::exists(dir / "tmp") && !fs::is_empty(dir / "tmp")) << listing(dir / "tmp");
}

TEST_F(StoreTest, SaveWritesBothArchiveForms) {
    Image image = make_busybox();
    fs::path archive = save({"busybox"});
    fs::path out = root_ / "x";
    fs::create_directories(out);
    auto r = run({"/usr/bin/python3", "-c",
                  "import sys, tarfile, json\n"
                  "t = tarfile.open(sys.argv[1])\n"
                  "print(json.dumps({m.name: m.size for m in t.getmembers()}))\n"
                  "print(t.extractfile('index.json').read().decode())\n"
                  "print(t.extractfile('manifest.json').read().decode())\n",
                  archive.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_GE(lines.size(), 3u);
    json names = json::parse(lines[0]), index = json::parse(lines[1]), legacy = json::parse(lines[2]);
    EXPECT_TRUE(names.contains("oci-layout"));
    EXPECT_TRUE(names.contains("repositories"));
    EXPECT_TRUE(names.contains("blobs/sha256/" + image.manifest_digest.substr(7)));
    EXPECT_TRUE(names.contains("blobs/sha256/" + image.id.substr(7)));
    EXPECT_EQ(index["manifests"][0]["digest"], image.manifest_digest);
    EXPECT_EQ(index["manifests"][0]["annotations"]["io.containerd.image.name"], "docker.io/library/busybox:latest");
    EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "latest");
    EXPECT_EQ(legacy[0]["Config"], "blobs/sha256/" + image.id.substr(7));
    EXPECT_EQ(legacy[0]["RepoTags"], json::array({"busybox:latest"}));
    EXPECT_EQ(legacy[0]["Layers"], json::array({"blobs/sha256/" + image.layers[0].chain_id.substr(7)}));

    if (::access("/usr/bin/skopeo", X_OK) == 0) {
        for (const char* transport : {"docker-archive:", "oci-archive:"}) {
            auto s = run({"/usr/bin/skopeo", "inspect", "--raw", std::string(transport) + archive.string()});
            EXPECT_EQ(s.exit_code, 0) << s.describe();
        }
    }
}

TEST_F(StoreTest, SaveThenLoadGivesTheSameImage) {
    Image image = make_busybox();
    fs::path archive = save({"busybox"});
    auto loaded = load(store_b(), archive);
    EXPECT_EQ(loaded, std::vector<std::string>{"busybox:latest"});
    Image again = store_b().find("busybox");
    EXPECT_EQ(again.id, image.id);
    EXPECT_EQ(again.manifest_digest, image.manifest_digest);
    ASSERT_EQ(again.layers.size(), 1u);
    EXPECT_EQ(listing(again.layers[0].dir), listing(image.layers[0].dir));
    // Loading it again changes nothing.
    const std::string before = listing(root_ / "b/store");
    load(store_b(), archive);
    EXPECT_EQ(listing(root_ / "b/store"), before);
}

TEST_F(StoreTest, OciOnlyAndLegacyOnlyArchivesLoad) {
    Image image = make_busybox();
    fs::path archive = save({"busybox"});
    // skopeo's oci-archive: only the OCI side, the name in ref.name.
    craft(archive, root_ / "oci.tar",
          "del members['manifest.json']; del members['repositories']\n"
          "idx = json.loads(members['index.json'])\n"
          "idx['manifests'][0]['annotations'] = {'org.opencontainers.image.ref.name': 'oci/name:v1'}\n"
          "members['index.json'] = json.dumps(idx).encode()\n");
    EXPECT_EQ(load(store_b(), root_ / "oci.tar"), std::vector<std::string>{"oci/name:v1"});
    // Docker before 25: HEX/layer.tar and HEX.json, no index.
    craft(archive, root_ / "legacy.tar",
          "for n in ['index.json', 'oci-layout']: del members[n]\n"
          "man = json.loads(members['manifest.json'])\n"
          "cfg = members[man[0]['Config']]; layer = members[man[0]['Layers'][0]]\n"
          "members = {'abc/layer.tar': layer, h(cfg)[7:] + '.json': cfg,\n"
          "  'manifest.json': json.dumps([{'Config': h(cfg)[7:] + '.json', 'RepoTags': ['old:1'],\n"
          "                                'Layers': ['abc/layer.tar']}]).encode()}\n");
    EXPECT_EQ(load(store_b(), root_ / "legacy.tar"), std::vector<std::string>{"old:1"});
    EXPECT_EQ(store_b().find("old:1").id, image.id);
    EXPECT_EQ(store_b().find("oci/name:v1").id, image.id);
    // Both names, one layer directory.
    int layers = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(root_ / "b/store/layers")) ++layers;
    EXPECT_EQ(layers, 1);
}

TEST_F(StoreTest, ConcurrentLoadsBothSucceedAndStoreOnce) {
    make_busybox();
    fs::path archive = save({"busybox"});
    std::vector<pid_t> pids;
    for (int i = 0; i < 2; ++i) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int rc = 1;
            try {
                ImageStore s(root_ / "b");
                int fd = ::open(archive.c_str(), O_RDONLY | O_CLOEXEC);
                rc = s.load(fd, {}) == std::vector<std::string>{"busybox:latest"} ? 0 : 2;
            } catch (const std::exception& e) {
                std::fprintf(stderr, "load: %s\n", e.what());
            }
            ::_exit(rc);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    }
    int layers = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(root_ / "b/store/layers")) ++layers;
    EXPECT_EQ(layers, 1);
    int links = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(root_ / "b/store/l")) ++links;
    EXPECT_EQ(links, 1);
    EXPECT_TRUE(fs::is_empty(root_ / "b/store/tmp")) << listing(root_ / "b/store/tmp");
    EXPECT_EQ(store_b().list().size(), 1u);
}

// --- bad archives -------------------------------------------------------------

class BadArchiveTest : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure()) return;
        image_ = make_busybox();
        archive_ = save({"busybox"});
        // Store B holds an image already, so "as before" is not just "empty".
        store().tag("busybox", ImageRef::parse("other:1"));
        load(store_b(), save({"other:1"}, "other.tar"));
        before_ = listing(root_ / "b");
    }

    // Loads `crafted` into B: it must fail with `message` in the error and
    // leave B exactly as it was.
    void expect_refused(const fs::path& crafted, const std::string& message) {
        try {
            load(store_b(), crafted);
            ADD_FAILURE() << "loaded " << crafted;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
        }
        EXPECT_EQ(listing(root_ / "b"), before_);
    }

    Image image_;
    fs::path archive_;
    std::string before_;
};

TEST_F(BadArchiveTest, ChangedLayerIsADigestMismatch) {
    std::string layer = image_.layers[0].chain_id;
    craft(archive_, root_ / "bad.tar",
          "n = 'blobs/sha256/" + layer.substr(7) + "'\n"
          "b = bytearray(members[n]); b[600] ^= 1; members[n] = bytes(b)\n");
    std::string got = run({"/usr/bin/python3", "-c",
                           "import tarfile,hashlib,sys\n"
                           "t=tarfile.open(sys.argv[1]);print(hashlib.sha256(t.extractfile(sys.argv[2]).read()).hexdigest())",
                           (root_ / "bad.tar").string(), "blobs/sha256/" + layer.substr(7)})
                          .out;
    got.pop_back();
    expect_refused(root_ / "bad.tar",
                   "layer " + layer + " of image busybox:latest: digest mismatch, got sha256:" + got);
}

TEST_F(BadArchiveTest, MissingBlobIsNamed) {
    std::string layer = image_.layers[0].chain_id;
    craft(archive_, root_ / "bad.tar", "del members['blobs/sha256/" + layer.substr(7) + "']\n");
    expect_refused(root_ / "bad.tar", "layer " + layer + " of image busybox:latest: blob blobs/sha256/" +
                                          layer.substr(7) + " is missing from the archive");
}

TEST_F(BadArchiveTest, WrongDiffIdLeavesNoLayerNoBlob) {
    // Legacy form (no digests to check up front): the layer is unpacked, then
    // its diff ID disagrees with the config's; what the load added goes.
    craft(archive_, root_ / "bad.tar",
          "for n in ['index.json', 'oci-layout']: del members[n]\n"
          "man = json.loads(members['manifest.json'])\n"
          "cfg = json.loads(members[man[0]['Config']])\n"
          "cfg['rootfs']['diff_ids'] = ['sha256:' + '0' * 64]\n"
          "members[man[0]['Config']] = json.dumps(cfg).encode()\n");
    expect_refused(root_ / "bad.tar", "diff ID mismatch");
}

TEST_F(BadArchiveTest, TruncatedArchiveIsRefused) {
    std::string data = read_file(archive_);
    write_file(root_ / "bad.tar", std::string_view(data).substr(0, data.size() / 2));
    expect_refused(root_ / "bad.tar", "archive");
}

TEST_F(BadArchiveTest, DotDotInTheOuterArchiveIsRefused) {
    craft(archive_, root_ / "bad.tar", "members['../escape'] = b'x'\n");
    expect_refused(root_ / "bad.tar", "../escape");
    EXPECT_FALSE(fs::exists(root_ / "b/store/escape"));
    EXPECT_FALSE(fs::exists(root_ / "b/escape"));
}

// --- rmi ------------------------------------------------------------------------

TEST_F(StoreTest, RmiKeepsLayersAnotherImageUses) {
    Image base = make_busybox();
    // A second image on top of busybox's layer.
    fs::path upper = root_ / "upper";
    fs::create_directories(upper / "etc");
    write_file(upper / "etc/motd", "hello\n");
    fs::path tar = root_ / "layer.tar";
    {
        UniqueFdHolder fd(::open(tar.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        image::TarWriter writer(fd.fd, "test layer");
        writer.add_from_disk(upper / "etc", "etc");
        writer.add_from_disk(upper / "etc/motd", "etc/motd");
        writer.finish();
    }
    Image derived = store().commit(base, tar, base.config, "test commit", ImageRef::parse("derived:1"));
    ASSERT_EQ(derived.layers.size(), 2u);
    EXPECT_EQ(derived.layers[0].chain_id, base.layers[0].chain_id);
    EXPECT_TRUE(fs::is_regular_file(derived.layers[1].dir / "etc/motd"));

    // A container of busybox blocks rmi without -f, with docker's words.
    std::map<std::string, ImageUser> users{{base.id, {"0123456789ab", false}}};
    try {
        store().remove("busybox", false, {}, users);
        ADD_FAILURE() << "removed an image in use";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "conflict: unable to remove repository reference \"busybox\" (must force) - "
                                         "container 0123456789ab is using its referenced image " +
                                             base.id.substr(7, 12));
        EXPECT_EQ(e.exit_code(), 1);
    }

    auto out = store().remove("busybox", false, {});
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(out[0], "Untagged: busybox:latest");
    EXPECT_EQ(out[1], "Deleted: " + base.id);
    EXPECT_EQ(out.size(), 2u) << "no layer deleted: derived:1 needs it";
    EXPECT_TRUE(fs::is_regular_file(base.layers[0].dir / "bin/busybox"));
    EXPECT_FALSE(store().exists("busybox"));
    Image still = store().find("derived:1");
    EXPECT_EQ(still.layers.size(), 2u);

    // Two tags: by ID needs -f.
    store().tag("derived:1", ImageRef::parse("derived:2"));
    try {
        store().remove(derived.id.substr(7, 12), false, {});
        ADD_FAILURE() << "removed an image with two tags by ID";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "conflict: unable to delete " + derived.id.substr(7, 12) +
                                             " (must be forced) - image is referenced in multiple repositories");
    }
    out = store().remove(derived.id.substr(7, 12), true, {});
    EXPECT_EQ(out.size(), 5u);  // two Untagged, the image, two layers
    EXPECT_TRUE(fs::is_empty(root_ / "store/layers")) << listing(root_ / "store/layers");
    EXPECT_TRUE(fs::is_empty(root_ / "store/l"));
    EXPECT_TRUE(fs::is_empty(root_ / "store/blobs/sha256")) << listing(root_ / "store/blobs");
    EXPECT_TRUE(store().list().empty());
}

TEST_F(StoreTest, OldStoreIsMovedIn) {
    fs::path old = root_ / "images/busybox/latest";
    fs::create_directories(old / "rootfs/bin");
    write_file(old / "rootfs/bin/hello", "hi\n");
    write_file(old / "config.json", R"({"config":{"Cmd":["sh"],"Env":["PATH=/bin"]}})");
    Image image = store().find("busybox");
    EXPECT_FALSE(fs::exists(root_ / "images"));
    ASSERT_EQ(image.layers.size(), 1u);
    EXPECT_EQ(read_file(image.layers[0].dir / "bin/hello"), "hi\n");
    EXPECT_EQ(image.config.cmd, std::vector<std::string>{"sh"});
}

} // namespace
} // namespace kubik::test
