// Lesson 7's build tests (build_test, cache_test, multistage_test,
// build_errors_test): the real `kubik build` on the busybox image of the
// test's own state root, then `kubik run` of what it made, and the store
// read from the host: the files in the image's layers, its config document,
// what is left in ROOT/store/tmp, ROOT/containers, the test's cgroups.
#pragma once

#include "kubik_test.hpp"

#include "image/image_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace kubik::test::build7 {

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The number of lines of `text` that contain `part`.
inline int count_lines_with(const std::string& text, const std::string& part) {
    int n = 0;
    for (const auto& line : lines_of(text))
        if (contains(line, part)) ++n;
    return n;
}

class BuildTest : public LessonTest {
protected:
    BuildTest() : LessonTest(7, "dockerfile") {}

    // The gate reads a Dockerfile through the student's functions (the
    // splitter, the command forms): a test of a bad flag or a missing
    // context, handled by src/ alone, must not pass while lesson 7 is stubs.
    // --print-ast makes nothing, so the tests still start from an empty store.
    std::vector<std::string> gate_args() const override {
        const fs::path gate = root_ / "gate" / "Dockerfile";
        put(gate, "FROM busybox\n# the gate\nRUN echo \\\n  gate\nCMD [\"true\"]\n");
        return {"build", "--print-ast", gate.string()};
    }

    void SetUp() override {
        LessonTest::SetUp();
        if (HasFatalFailure()) return;
        context_ = root_ / "context";
        fs::create_directories(context_);
    }

    /// Writes a file of the build context (relative path).
    void file(const std::string& path, const std::string& data) { put(context_ / path, data); }
    /// Writes the context's Dockerfile.
    void dockerfile(const std::string& text) { file("Dockerfile", text); }

    /// `kubik build --progress plain --cgroup-parent PARENT ARGS... CONTEXT`.
    RunResult build(const std::vector<std::string>& args = {}, const RunOptions& options = {}) {
        std::vector<std::string> argv = {"build", "--progress", "plain", "--cgroup-parent", cgroup_parent()};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back(context_.string());
        return kubik(argv, options);
    }
    /// build() that must succeed.
    RunResult build_ok(const std::vector<std::string>& args = {}) {
        auto r = build(args);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        return r;
    }

    /// `kubik run --rm IMAGE ARGS...`.
    RunResult run_image(const std::string& image, const std::vector<std::string>& args = {}) {
        std::vector<std::string> argv = {"run", "--rm", image};
        argv.insert(argv.end(), args.begin(), args.end());
        return kubik(argv);
    }

    /// The image as the store has it (nullopt when it is not there). Name
    /// images with a letter beyond 'f': an all-hex name ("bad", "c1") is
    /// also an ID prefix, and may match another image's ID.
    std::optional<Image> image(const std::string& name) const {
        ImageStore store(root_);
        if (!store.exists(name)) return std::nullopt;
        return store.find(name);
    }

    /// Where `path` (absolute in the image) is in the image's layers: the
    /// top layer that has it; "" when none does.
    fs::path in_layers(const std::string& name, const std::string& path) const {
        auto img = image(name);
        if (!img) return {};
        for (auto it = img->layers.rbegin(); it != img->layers.rend(); ++it) {
            fs::path p = it->dir / path.substr(1);
            struct stat st{};
            if (::lstat(p.c_str(), &st) == 0) return p;
        }
        return {};
    }

    /// Every image in the store.
    std::size_t image_count() const { return ImageStore(root_).list().size(); }

    /// Nothing of a build is left: no container records, no cgroups below
    /// the test's parent, no temp files in the store.
    void expect_nothing_left(const std::string& context) {
        expect_no_container_state(context);
        EXPECT_TRUE(cgroups_left().empty()) << context << ": cgroups left:\n" << cgroups_left().front();
        std::vector<std::string> tmp;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(root_ / "store" / "tmp", ec)) tmp.push_back(e.path().string());
        EXPECT_TRUE(tmp.empty()) << context << ": left in ROOT/store/tmp: " << (tmp.empty() ? "" : tmp.front());
        auto ps = kubik({"ps", "-a", "-q"});
        EXPECT_EQ(ps.out, "") << context << ": containers left:\n" << ps.describe();
    }

    fs::path context_;
};

} // namespace kubik::test::build7
