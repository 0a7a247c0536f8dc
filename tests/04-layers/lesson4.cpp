#include "lesson4.hpp"

#include "core/not_implemented.hpp"
#include "layers.hpp"

#include <nlohmann/json.hpp>

namespace kubik::test::layers4 {

void Lesson4Test::SetUp() {
    KubikTest::SetUp();
    if (HasFatalFailure()) return;
    // The gate. A store of single-layer images works without lesson 4 (the
    // runtime mounts one layer itself), so a bad-input check could pass on a
    // pristine exercise: ask the lesson's functions first.
    try {
        (void)kubik::layers::chain_id({"sha256:0000000000000000000000000000000000000000000000000000000000000000"});
        (void)kubik::layers::overlay_options({"/a"}, "/u", "/w", false);
        (void)kubik::layers::classify_entry("a");
    } catch (const kubik::NotImplemented& e) {
        FAIL() << "lesson 4 (layers) is not implemented yet, so its tests can't pass: " << e.what();
    } catch (const std::exception&) {
        // Written, if wrongly: the checks below say what is wrong.
    }
    fs::create_directories(root_ / "scratch");
}

RunResult Lesson4Test::kubik(const std::vector<std::string>& args, const RunOptions& options) {
    auto r = KubikTest::kubik(args, options);
    if (r.err.find("not implemented yet: lesson 4 ") != std::string::npos)
        ADD_FAILURE() << "kubik says lesson 4 (layers) is not implemented yet\n" << r.describe();
    return r;
}

Archive Lesson4Test::load_image(const std::string& tag, const std::vector<json>& layers) {
    std::string file = tag;
    for (char& c : file)
        if (c == '/' || c == ':') c = '_';
    const fs::path archive_path = scratch_file(file + ".tar");
    Archive archive = make_archive(archive_path, tag, layers);
    auto r = kubik({"load", "-i", archive_path.string()});
    EXPECT_EQ(r.exit_code, 0) << "kubik load of a " << layers.size() << "-layer docker-save archive (" << tag
                              << ", made with python3's tarfile)\n" << r.describe();
    return archive;
}

fs::path Lesson4Test::layer_dir(const std::string& chain_id) const {
    return root_ / "store/layers" / hex_of(chain_id) / "diff";
}

pid_t Lesson4Test::container_pid(const std::string& name) {
    auto r = kubik({"inspect", name});
    try {
        auto doc = json::parse(r.out);
        return doc.at(0).at("State").at("Pid").get<pid_t>();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "kubik inspect " << name << ": no State.Pid (" << e.what() << ")\n" << r.describe();
        return 0;
    }
}

std::string Lesson4Test::root_overlay_options(const std::string& name) {
    const pid_t pid = container_pid(name);
    if (pid <= 0) return "";
    return overlay_options_of(std::to_string(pid), "/");
}

void Lesson4Test::remove_containers(const std::vector<std::string>& names) {
    if (names.empty()) return;
    std::vector<std::string> args{"rm", "-f"};
    args.insert(args.end(), names.begin(), names.end());
    auto r = KubikTest::kubik(args, RunOptions{.stdin_data = std::nullopt, .env = {}, .timeout = 60s, .keep_fds = {}});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
}

json file_entry(const std::string& name, const std::string& data) { return {{"name", name}, {"data", data}}; }
json dir_entry(const std::string& name) { return {{"name", name}, {"type", "dir"}}; }
json marker_entry(const std::string& name) { return {{"name", name}}; }

} // namespace kubik::test::layers4
