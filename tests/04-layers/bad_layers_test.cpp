// Lesson 4 — bad images are refused, with a message that names the entry or
// the digest, and leave the store exactly as it was: no partial layer, no
// blob, no index entry. And nothing outside the store is touched by a hostile
// tar ("../x", "/etc/x", a symlink to "/" then a file through it, a hardlink
// to a host file).
#include "lesson4.hpp"

#include <sys/stat.h>

#include <fstream>
#include <functional>

namespace kubik::test {
namespace {

using namespace layers4;

struct BadImage {
    std::string name;
    /// The top layer (over a good busybox layer) and the archive's faults.
    std::function<json(const std::string& tag)> top;
    json faults;
    /// What the message must contain: "ENTRY" (the name given), "DIGEST" (the
    /// top layer's diff ID's first 12 hex digits), or a literal text.
    std::function<std::vector<std::string>(const std::string& tag, const Archive&)> named;
    /// Host paths (made from the tag) that must not exist afterwards.
    std::function<std::vector<fs::path>(const std::string& tag)> host_paths;
};

std::string digest12(const Archive& a) { return a.diff_ids.empty() ? "?" : hex_of(a.diff_ids.back()).substr(0, 12); }

json big_layer() {
    std::string data(64 * 1024, 'x');
    return json::array({file_entry("big1", data), file_entry("big2", data), file_entry("big3", data)});
}

std::vector<BadImage> bad_images() {
    auto no_paths = [](const std::string&) { return std::vector<fs::path>{}; };
    auto by_digest = [](const std::string&, const Archive& a) { return std::vector<std::string>{digest12(a)}; };
    return {
        {"TruncatedLayer", [](const std::string&) { return big_layer(); }, {{"truncate", 1}}, by_digest, no_paths},
        {"CorruptLayer", [](const std::string&) { return big_layer(); }, {{"corrupt", 1}}, by_digest, no_paths},
        {"WrongDiffId",
         [](const std::string&) { return json::array({file_entry("f", "f\n")}); },
         {{"diff_id", {{"1", "sha256:1111111111111111111111111111111111111111111111111111111111111111"}}}},
         [](const std::string&, const Archive& a) {
             // Either digest names the layer: the one expected or the one found.
             return std::vector<std::string>{digest12(a) + "|111111111111"};
         },
         no_paths},
        {"ManifestNamesAMissingLayer", [](const std::string&) { return json::array({file_entry("f", "f\n")}); },
         {{"missing", 1}}, by_digest, no_paths},
        {"DotDotEntry",
         [](const std::string& tag) {
             return json::array({file_entry("../../../../../../../../../../../tmp/kubik-test-" + tag + "-dotdot", "x")});
         },
         json::object(), [](const std::string& tag, const Archive&) {
             return std::vector<std::string>{"kubik-test-" + tag + "-dotdot"};
         },
         [](const std::string& tag) { return std::vector<fs::path>{"/tmp/kubik-test-" + tag + "-dotdot"}; }},
        {"AbsoluteEntry",
         [](const std::string& tag) { return json::array({file_entry("/etc/kubik-test-" + tag + "-abs", "x")}); },
         json::object(), [](const std::string& tag, const Archive&) {
             return std::vector<std::string>{"etc/kubik-test-" + tag + "-abs"};
         },
         [](const std::string& tag) { return std::vector<fs::path>{"/etc/kubik-test-" + tag + "-abs"}; }},
        {"FileThroughASymlinkToRoot",
         [](const std::string& tag) {
             return json::array({{{"name", "lnk"}, {"type", "symlink"}, {"target", "/"}},
                                 file_entry("lnk/tmp/kubik-test-" + tag + "-sym", "x")});
         },
         json::object(), [](const std::string& tag, const Archive&) {
             return std::vector<std::string>{"lnk/tmp/kubik-test-" + tag + "-sym"};
         },
         [](const std::string& tag) { return std::vector<fs::path>{"/tmp/kubik-test-" + tag + "-sym"}; }},
        {"HardlinkToAHostFile",
         [](const std::string& tag) {
             return json::array({{{"name", "hl"}, {"type", "hardlink"}, {"target", "/tmp/kubik-test-" + tag + "-victim"}}});
         },
         json::object(), [](const std::string&, const Archive&) { return std::vector<std::string>{"hl"}; }, no_paths},
        {"HardlinkUpAndOut",
         [](const std::string& tag) {
             return json::array({{{"name", "hl"}, {"type", "hardlink"},
                                  {"target", "../../../../../../../../../tmp/kubik-test-" + tag + "-victim"}}});
         },
         json::object(), [](const std::string&, const Archive&) { return std::vector<std::string>{"hl"}; }, no_paths},
    };
}

void PrintTo(const BadImage& bad, std::ostream* os) { *os << bad.name; }

class BadLayers : public Lesson4Test, public ::testing::WithParamInterface<BadImage> {};

bool contains_any(const std::string& text, const std::string& alternatives) {
    for (const auto& alt : split(alternatives, '|'))
        if (text.find(alt) != std::string::npos) return true;
    return false;
}

TEST_P(BadLayers, AreRefusedByNameAndLeaveTheStoreAsItWas) {
    const BadImage& bad = GetParam();
    // The case's name in it too: ctest runs the cases in parallel, and one
    // case's teardown must not remove the file another one is aiming at.
    const std::string tag = build_tag() + "-" + bad.name;
    // A host file for the hardlinks to aim at, and every host path a bad tar
    // might create, removed at teardown whatever happens.
    const fs::path victim = "/tmp/kubik-test-" + tag + "-victim";
    { std::ofstream(victim) << "host file\n"; }
    remove_at_teardown(victim);
    for (const auto& p : bad.host_paths(tag)) {
        ASSERT_FALSE(fs::exists(p)) << p << " exists before the test";
        remove_at_teardown(p);
    }

    // A good image first, so the store exists and has something to keep.
    load_image("good:1", {busybox_entries()});
    // The load's temp files come and go in blobs/sha256 and tmp/: their
    // directories' mtimes change, nothing else may.
    const auto store_before = tree_listing(root_ / "store", /*directory_mtimes=*/false);
    const auto images_before = kubik({"images"}).out;

    const fs::path archive_path = scratch_file("bad.tar");
    const Archive archive = make_archive(archive_path, "bad:1", {busybox_entries(), bad.top(tag)}, bad.faults);
    auto r = kubik({"load", "-i", archive_path.string()});
    EXPECT_NE(r.exit_code, 0) << bad.name << ": kubik load must refuse it\n" << r.describe();
    for (const auto& text : bad.named(tag, archive))
        EXPECT_TRUE(contains_any(r.err, text)) << bad.name << ": the message must name the entry or the digest ("
                                               << text << ")\n" << r.describe();
    EXPECT_EQ(listing_diff(store_before, tree_listing(root_ / "store", false)), "")
        << bad.name << ": a refused load must leave the store exactly as it was (no partial layer, blob or tag)";
    EXPECT_EQ(kubik({"images"}).out, images_before) << bad.name;
    for (const auto& p : bad.host_paths(tag))
        EXPECT_FALSE(fs::exists(fs::symlink_status(p))) << bad.name << ": the tar reached out of the store: " << p;
    struct stat st {};
    ASSERT_EQ(::stat(victim.c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u) << bad.name << ": a hardlink to the host file " << victim << " was made";
    EXPECT_EQ(read_text(victim).value_or(""), "host file\n");
    auto good = kubik({"run", "--rm", "good:1", "true"});
    EXPECT_EQ(good.exit_code, 0) << "the good image still runs\n" << good.describe();
}

INSTANTIATE_TEST_SUITE_P(Lesson4, BadLayers, ::testing::ValuesIn(bad_images()),
                         [](const ::testing::TestParamInfo<BadImage>& param) { return param.param.name; });

}  // namespace
}  // namespace kubik::test
