// The image commands (images, tag, rmi, history, image inspect, import,
// save/load, system df): behaviour that doesn't depend on lesson 4's code,
// checked against the store's files as well as the output.
#include "kubik_test.hpp"

#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

namespace kubik::test {
namespace {

class ImageCli : public KubikTest {
protected:
    void SetUp() override {
        KubikTest::SetUp();
        if (HasFatalFailure()) return;
        std::vector<std::string> args{"image", "busybox"};
        if (const char* over = std::getenv("KUBIK_TEST_BUSYBOX"); over && *over)
            args.insert(args.end(), {"--busybox", over});
        auto r = kubik(args);
        ASSERT_EQ(r.exit_code, 0) << r.describe();
    }
    // The full image ID "sha256:…" of `ref`, from image inspect.
    std::string image_id(const std::string& ref) {
        auto r = kubik({"image", "inspect", ref});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        auto doc = nlohmann::json::parse(r.out, nullptr, false);
        if (!doc.is_array() || doc.empty()) return "";
        return doc[0].value("Id", "");
    }
    // `kubik import` of a tar holding bin/busybox and /f with `content`: an
    // image of one layer of its own, tagged `ref`. Returns its image ID.
    std::string import_image(const fs::path& dir, const std::string& ref, const std::string& content) {
        auto tar = dir / (content + ".tar");
        auto py = run({"/usr/bin/python3", "-c",
                       "import io,tarfile,sys\n"
                       "t=tarfile.open(sys.argv[1],'w')\n"
                       "t.add(sys.argv[2],arcname='bin/busybox')\n"
                       "i=tarfile.TarInfo('f'); d=sys.argv[3].encode(); i.size=len(d)\n"
                       "t.addfile(i,io.BytesIO(d)); t.close()\n",
                       tar.string(), busybox_binary(), content});
        EXPECT_EQ(py.exit_code, 0) << py.describe();
        auto r = kubik({"import", tar.string(), ref});
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return r.out.empty() ? "" : r.out.substr(0, r.out.size() - 1);
    }
    // The store's directory of a one-layer image's layer (its chain ID is
    // its diff ID), from image inspect.
    fs::path layer_of(const std::string& ref) {
        auto r = kubik({"image", "inspect", ref});
        auto doc = nlohmann::json::parse(r.out, nullptr, false);
        if (r.exit_code != 0 || !doc.is_array() || doc.empty()) {
            ADD_FAILURE() << "image inspect " << ref << ":\n" << r.describe();
            return {};
        }
        return root_ / "store/layers" / doc[0]["RootFS"]["Layers"][0].get<std::string>().substr(7);
    }
    std::vector<std::string> columns(const std::string& line) {
        std::vector<std::string> out;
        std::regex sep(" {3,}");
        for (std::sregex_token_iterator it(line.begin(), line.end(), sep, -1), end; it != end; ++it) out.push_back(*it);
        return out;
    }
};

TEST_F(ImageCli, ImagesShowsDockersColumns) {
    auto r = kubik({"images"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.describe();
    EXPECT_EQ(columns(lines[0]), (std::vector<std::string>{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"}));
    auto row = columns(lines[1]);
    ASSERT_EQ(row.size(), 5u) << lines[1];
    EXPECT_EQ(row[0], "busybox");
    EXPECT_EQ(row[1], "latest");
    std::string id = image_id("busybox");
    EXPECT_EQ("sha256:" + row[2], id.substr(0, 19)) << "IMAGE ID is 12 hex digits of the config digest";
    EXPECT_TRUE(std::regex_match(row[3], std::regex("(Less than a second|[0-9]+ seconds|About a minute) ago"))) << row[3];
    EXPECT_TRUE(std::regex_match(row[4], std::regex("[0-9.]+(B|kB|MB)"))) << row[4];
    // The config blob really is stored under that digest.
    EXPECT_TRUE(fs::is_regular_file(root_ / "store/blobs/sha256" / id.substr(7))) << id;

    r = kubik({"images", "-q"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, row[2] + "\n");
    r = kubik({"image", "ls", "-q"});
    EXPECT_EQ(r.out, row[2] + "\n") << "image ls is images";
}

TEST_F(ImageCli, ImagesFormatJsonIsOneObjectPerLine) {
    ASSERT_EQ(kubik({"tag", "busybox", "other:v2"}).exit_code, 0);
    auto r = kubik({"images", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.describe();
    std::set<std::string> names;
    for (const auto& line : lines) {
        auto doc = nlohmann::json::parse(line);
        names.insert(doc.at("Repository").get<std::string>() + ":" + doc.at("Tag").get<std::string>());
        EXPECT_EQ(doc.at("ID").get<std::string>().size(), 12u);
        EXPECT_TRUE(doc.contains("Size") && doc.contains("CreatedSince") && doc.contains("CreatedAt")) << line;
    }
    EXPECT_EQ(names, (std::set<std::string>{"busybox:latest", "other:v2"}));
    // A REPOSITORY filter.
    r = kubik({"images", "-q", "other"});
    EXPECT_EQ(lines_of(r.out).size(), 1u) << r.describe();
}

TEST_F(ImageCli, TagAndRmiPrintDockersLinesAndCodes) {
    std::string id = image_id("busybox");
    auto r = kubik({"tag", "busybox", "mine:v1"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(image_id("mine:v1"), id);
    r = kubik({"tag", "nothing-here", "x:y"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    r = kubik({"tag", "busybox", "Bad:Name"});
    EXPECT_NE(r.exit_code, 0) << r.describe();

    // One of two names: only the name goes.
    r = kubik({"rmi", "mine:v1"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "Untagged: mine:v1\n");
    EXPECT_EQ(image_id("busybox"), id);
    // The last one: the image and its layer go.
    auto layers = root_ / "store/layers";
    ASSERT_FALSE(fs::is_empty(layers));
    r = kubik({"rmi", "busybox"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "Untagged: busybox:latest")) << r.out;
    EXPECT_TRUE(has_line(r.out, "Deleted: " + id)) << r.out;
    EXPECT_TRUE(fs::is_empty(layers)) << "the unused layer is removed";
    EXPECT_FALSE(fs::exists(root_ / "store/blobs/sha256" / id.substr(7)));
    r = kubik({"rmi", "busybox"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("No such image"), std::string::npos) << r.describe();
}

TEST_F(ImageCli, RmiIsRefusedWhileAContainerUsesTheImage) {
    std::string id = image_id("busybox");
    auto r = kubik({"run", "--name", "user", "busybox", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    r = kubik({"rmi", "busybox"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("conflict: unable to remove repository reference \"busybox\" (must force) - container "),
              std::string::npos)
        << r.describe();
    EXPECT_NE(r.err.find("is using its referenced image " + id.substr(7, 12)), std::string::npos) << r.describe();
    EXPECT_EQ(image_id("busybox"), id) << "nothing removed";

    // -f: the name goes, the layer the container stands on stays.
    r = kubik({"rmi", "-f", "busybox"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "Untagged: busybox:latest")) << r.describe();
    EXPECT_FALSE(fs::is_empty(root_ / "store/layers")) << "the container's layer must stay";
    EXPECT_EQ(kubik({"rm", "user"}).exit_code, 0);
    expect_no_container_state("after rm");
}

TEST_F(ImageCli, HistoryAndInspectDescribeTheLayers) {
    auto r = kubik({"history", "busybox"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_GE(lines.size(), 2u) << r.describe();
    EXPECT_EQ(columns(lines[0]), (std::vector<std::string>{"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"}));
    std::string id = image_id("busybox");
    EXPECT_EQ(lines[1].substr(0, 12), id.substr(7, 12));
    r = kubik({"history", "-q", "--no-trunc", "busybox"});
    EXPECT_EQ(lines_of(r.out).front(), id) << r.describe();

    r = kubik({"image", "inspect", "busybox"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto doc = nlohmann::json::parse(r.out);
    ASSERT_TRUE(doc.is_array() && doc.size() == 1) << r.out;
    const auto& img = doc[0];
    EXPECT_EQ(img.at("RepoTags"), nlohmann::json::array({"busybox:latest"}));
    EXPECT_EQ(img.at("Os"), "linux");
    EXPECT_TRUE(img.at("Config").contains("Env") && img.at("Config").contains("Cmd")) << img.dump(2);
    EXPECT_EQ(img.at("RootFS").at("Type"), "layers");
    // Layers are the config blob's diff IDs.
    auto config = nlohmann::json::parse(*read_text(root_ / "store/blobs/sha256" / id.substr(7)));
    EXPECT_EQ(img.at("RootFS").at("Layers"), config.at("rootfs").at("diff_ids"));
    // kubik inspect falls back to images.
    r = kubik({"inspect", "busybox"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(nlohmann::json::parse(r.out)[0].value("Id", ""), id);
    r = kubik({"image", "inspect", "nope"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
}

TEST_F(ImageCli, ImportMakesAOneLayerImageThatRuns) {
    ScratchDir scratch;
    auto tar = scratch.path() / "rootfs.tar";
    auto py = run({"/usr/bin/python3", "-c",
                   "import tarfile,sys\n"
                   "t=tarfile.open(sys.argv[1],'w')\n"
                   "t.add(sys.argv[2],arcname='bin/busybox')\n"
                   "i=tarfile.TarInfo('hello.txt'); d=b'imported\\n'; i.size=len(d)\n"
                   "import io; t.addfile(i,io.BytesIO(d)); t.close()\n",
                   tar.string(), busybox_binary()});
    ASSERT_EQ(py.exit_code, 0) << py.describe();
    auto r = kubik({"import", tar.string(), "imported:1"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(std::regex_match(r.out, std::regex("sha256:[0-9a-f]{64}\n"))) << r.out;
    EXPECT_EQ(image_id("imported:1") + "\n", r.out);
    r = kubik({"run", "--rm", "imported:1", "/bin/busybox", "cat", "/hello.txt"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "imported\n");
    r = kubik({"import", (scratch.path() / "missing.tar").string()});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
}

TEST_F(ImageCli, SaveThenLoadIntoAnotherRootKeepsTheImageId) {
    ScratchDir scratch;
    auto archive = scratch.path() / "busybox.tar";
    std::string id = image_id("busybox");
    auto r = kubik({"save", "-o", archive.string(), "busybox"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.err, "") << "no progress line when stderr is not a terminal";
    ASSERT_TRUE(fs::is_regular_file(archive));

    auto other = scratch.path() / "root2";
    auto load = run({kubik_binary(), "--root", other.string(), "load", "-i", archive.string()});
    ASSERT_EQ(load.exit_code, 0) << load.describe();
    EXPECT_EQ(load.out, "Loaded image: busybox:latest\n");
    EXPECT_EQ(load.err, "");
    auto inspect = run({kubik_binary(), "--root", other.string(), "image", "inspect", "busybox"});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.describe();
    EXPECT_EQ(nlohmann::json::parse(inspect.out)[0].value("Id", ""), id);

    // From stdin.
    auto bytes = read_text(archive);
    ASSERT_TRUE(bytes);
    RunOptions stdin_opts;
    stdin_opts.stdin_data = *bytes;
    r = kubik({"load"}, stdin_opts);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    r = kubik({"save", "nope"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
}

TEST_F(ImageCli, SystemDfCountsImagesAndContainers) {
    auto r = kubik({"run", "--name", "df-user", "busybox", "sh", "-c", "echo 12345 > /f"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    r = kubik({"system", "df"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 5u) << r.out;
    EXPECT_EQ(columns(lines[0]), (std::vector<std::string>{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"}));
    auto images = columns(lines[1]), containers = columns(lines[2]);
    EXPECT_EQ(images.at(0), "Images");
    EXPECT_EQ(images.at(1), "1");
    EXPECT_EQ(images.at(2), "1") << "the container uses it";
    EXPECT_EQ(containers.at(0), "Containers");
    EXPECT_EQ(containers.at(1), "1");
    EXPECT_EQ(containers.at(2), "0");
    EXPECT_EQ(containers.at(3), "6B") << "the container's upper directory holds /f";
    EXPECT_EQ(columns(lines[3]).at(0), "Local Volumes");
    EXPECT_EQ(columns(lines[4]).at(0), "Build Cache");
    EXPECT_EQ(kubik({"rm", "df-user"}).exit_code, 0);
}

TEST_F(ImageCli, ImagePruneRemovesDanglingImagesAndWithAllEveryUnusedOne) {
    ScratchDir scratch;
    // Importing to the same tag twice leaves the first image untagged: dangling.
    const std::string dangling = import_image(scratch.path(), "p:1", "one");
    const std::string tagged = import_image(scratch.path(), "p:1", "two");
    const std::string used = import_image(scratch.path(), "used:1", "three");
    ASSERT_FALSE(HasFailure());
    const fs::path dangling_layer = root_ / "store/layers" / dangling.substr(7);
    const fs::path tagged_layer = layer_of("p:1"), used_layer = layer_of("used:1");
    const fs::path dangling_blob = root_ / "store/blobs/sha256" / dangling.substr(7);
    ASSERT_TRUE(fs::is_regular_file(dangling_blob)) << "the untagged image's config blob";
    auto r = kubik({"run", "--name", "user", "used:1", "/bin/busybox", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();

    // Without -f it asks, and "n" removes nothing.
    RunOptions answer_no;
    answer_no.stdin_data = "n\n";
    r = kubik({"image", "prune"}, answer_no);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("WARNING! This will remove all dangling images."), std::string::npos) << r.out;
    EXPECT_TRUE(fs::is_regular_file(dangling_blob)) << "answered no, yet the image went";

    r = kubik({"image", "prune", "-f"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("deleted: " + dangling), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Total reclaimed space: "), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dangling_blob)) << "the dangling image's config is still stored";
    EXPECT_FALSE(fs::exists(dangling_layer)) << "its layer, used by no other image, is still unpacked";
    EXPECT_EQ(kubik({"image", "inspect", dangling}).exit_code, 1);
    for (const auto& ref : {"p:1", "used:1", "busybox"})
        EXPECT_EQ(kubik({"image", "inspect", ref}).exit_code, 0) << ref << " is tagged: prune without -a keeps it";

    // -a: every image no container uses, tagged or not.
    r = kubik({"image", "prune", "-a", "-f"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("untagged: p:1"), std::string::npos) << r.out;
    EXPECT_EQ(kubik({"image", "inspect", "p:1"}).exit_code, 1);
    EXPECT_EQ(kubik({"image", "inspect", "busybox"}).exit_code, 1);
    EXPECT_FALSE(fs::exists(tagged_layer)) << "p:1's layer is still unpacked";
    EXPECT_EQ(kubik({"image", "inspect", "used:1"}).exit_code, 0) << "a stopped container still uses used:1";
    EXPECT_TRUE(fs::is_directory(used_layer / "diff")) << "the layer of the container's image went";
    EXPECT_EQ(kubik({"rm", "user"}).exit_code, 0);
}

TEST_F(ImageCli, CommitOfARunningContainerKeepsItRunning) {
    auto r = kubik({"run", "-d", "--name", "live", "busybox", "sh", "-c", "echo committed > /f; exec sleep 1000"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string id = r.out.substr(0, 64);
    const fs::path upper_file = root_ / "containers" / id / "upper/f";
    for (int i = 0; i < 200 && !fs::exists(upper_file); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(fs::exists(upper_file)) << "the container never wrote /f";
    auto inspect = nlohmann::json::parse(kubik({"inspect", "live"}).out, nullptr, false);
    ASSERT_TRUE(inspect.is_array() && !inspect.empty());
    const int pid = inspect[0]["State"].value("Pid", 0);
    ASSERT_GT(pid, 0);

    r = kubik({"commit", "live", "snap:1"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(std::regex_match(r.out, std::regex("sha256:[0-9a-f]{64}\n"))) << r.out;
    EXPECT_EQ(::kill(pid, 0), 0) << "the container's init is gone after the commit";
    inspect = nlohmann::json::parse(kubik({"inspect", "live"}).out, nullptr, false);
    EXPECT_EQ(inspect[0]["State"].value("Status", ""), "running");

    auto image = nlohmann::json::parse(kubik({"image", "inspect", "snap:1"}).out, nullptr, false);
    ASSERT_TRUE(image.is_array() && !image.empty());
    EXPECT_EQ(image[0]["RootFS"]["Layers"].size(), 2u) << "busybox's layer and the container's";
    r = kubik({"run", "--rm", "snap:1", "cat", "/f"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "committed\n");
    EXPECT_EQ(kubik({"rm", "-f", "live"}).exit_code, 0);
}

TEST_F(ImageCli, LoadDrawsAProgressBarOnlyOnATerminal) {
    if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "no /usr/bin/script (util-linux) to give kubik a terminal";
    ScratchDir scratch;
    auto archive = scratch.path() / "busybox.tar";
    ASSERT_EQ(kubik({"save", "-o", archive.string(), "busybox"}).exit_code, 0);
    // script(1) runs the command on a new pseudo-terminal and copies what it
    // wrote there (stdout and stderr alike) to its own stdout.
    auto on_terminal = [&](const std::string& flags) {
        auto other = scratch.path() / ("root" + std::to_string(flags.size()));
        return run({"/usr/bin/script", "-qec",
                    kubik_binary() + " --root " + other.string() + " load " + flags + "-i " + archive.string(),
                    "/dev/null"});
    };
    auto r = on_terminal("");
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("\rLoading layer ["), std::string::npos) << "no bar drawn:\n" << r.out;
    EXPECT_NE(r.out.find("=]"), std::string::npos) << "the bar never reached its end:\n" << r.out;
    EXPECT_NE(r.out.find("\x1b[K"), std::string::npos) << "each redraw clears the rest of the line";
    EXPECT_NE(r.out.find("Loaded image: busybox:latest"), std::string::npos) << r.out;
    r = on_terminal("-q ");
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.find("Loading layer"), std::string::npos) << "-q draws no bar:\n" << r.out;
}

} // namespace
} // namespace kubik::test
