// The layer cache: a rebuild with nothing changed runs nothing and makes the
// same image; a changed file rebuilds from its COPY on, and only from there;
// a touched file (same bytes) does not; --no-cache and `builder prune`; two
// builds at once that share steps.
#include "build_fixture.hpp"

#include <sys/time.h>

#include <thread>

namespace kubik::test::build7 {
namespace {

class Cache : public BuildTest {
protected:
    // FROM, two COPY and two RUN steps; each RUN writes a random uuid, so a
    // RUN that runs again makes a different layer.
    void four_steps() {
        file("a.txt", "a1\n");
        file("b.txt", "b1\n");
        dockerfile("FROM busybox\n"
                   "COPY a.txt /a.txt\n"
                   "RUN cat /proc/sys/kernel/random/uuid > /after-a\n"
                   "COPY b.txt /b.txt\n"
                   "RUN cat /proc/sys/kernel/random/uuid > /after-b\n");
    }
    std::vector<std::string> chain_ids(const std::string& name) const {
        std::vector<std::string> out;
        if (auto img = image(name))
            for (const auto& l : img->layers) out.push_back(l.chain_id);
        return out;
    }
};

TEST_F(Cache, NothingChangedRunsNothingAndMakesTheSameImage) {
    four_steps();
    auto first = build_ok({"-t", "img"});
    EXPECT_EQ(count_lines_with(first.err, "CACHED"), 0) << first.err;
    auto id = image("img")->id;
    auto layers = chain_ids("img");
    auto after_b = slurp(in_layers("img", "/after-b"));

    auto second = build_ok({"-t", "img"});
    // Every step but FROM says CACHED, and no RUN printed anything.
    EXPECT_EQ(count_lines_with(second.err, "CACHED"), 4) << second.err;
    EXPECT_EQ(image("img")->id, id) << "a fully cached build must make the very same image";
    EXPECT_EQ(chain_ids("img"), layers);
    EXPECT_EQ(slurp(in_layers("img", "/after-b")), after_b) << "the RUN ran again";
    expect_nothing_left("after a cached build");
}

TEST_F(Cache, AChangedFileRebuildsFromItsCopyOn) {
    four_steps();
    build_ok({"-t", "img"});
    auto before = chain_ids("img");
    auto after_a = slurp(in_layers("img", "/after-a"));
    auto after_b = slurp(in_layers("img", "/after-b"));

    file("b.txt", "b2\n");
    auto r = build_ok({"-t", "img"});
    // COPY a and RUN after it: cached. COPY b and RUN after it: run again.
    EXPECT_EQ(count_lines_with(r.err, "CACHED"), 2) << r.err;
    auto after = chain_ids("img");
    ASSERT_EQ(after.size(), 5u);
    EXPECT_EQ(std::vector<std::string>(after.begin(), after.begin() + 3),
              std::vector<std::string>(before.begin(), before.begin() + 3));
    EXPECT_NE(after[3], before[3]);
    EXPECT_EQ(slurp(in_layers("img", "/after-a")), after_a);
    EXPECT_NE(slurp(in_layers("img", "/after-b")), after_b);
    EXPECT_EQ(slurp(in_layers("img", "/b.txt")), "b2\n");
}

TEST_F(Cache, ATouchedFileWithTheSameBytesStaysCached) {
    four_steps();
    build_ok({"-t", "img"});
    auto id = image("img")->id;
    struct timeval times[2] = {{1000000, 0}, {1000000, 0}};
    ASSERT_EQ(::utimes((context_ / "a.txt").c_str(), times), 0);
    auto r = build_ok({"-t", "img"});
    EXPECT_EQ(count_lines_with(r.err, "CACHED"), 4) << r.err;
    EXPECT_EQ(image("img")->id, id);
}

TEST_F(Cache, NoCacheRunsEveryStepAgain) {
    four_steps();
    build_ok({"-t", "img"});
    auto after_a = slurp(in_layers("img", "/after-a"));
    auto r = build_ok({"-t", "img", "--no-cache"});
    EXPECT_EQ(count_lines_with(r.err, "CACHED"), 0) << r.err;
    EXPECT_NE(slurp(in_layers("img", "/after-a")), after_a);
}

TEST_F(Cache, ABuildArgInScopeIsPartOfTheKey) {
    dockerfile("FROM busybox\nARG V=1\nRUN echo $V > /v\n");
    build_ok({"-t", "img"});
    EXPECT_EQ(slurp(in_layers("img", "/v")), "1\n");
    auto r = build_ok({"-t", "img", "--build-arg", "V=2"});
    EXPECT_EQ(count_lines_with(r.err, "CACHED"), 0) << r.err;
    EXPECT_EQ(slurp(in_layers("img", "/v")), "2\n");
    r = build_ok({"-t", "img", "--build-arg", "V=1"});
    EXPECT_EQ(count_lines_with(r.err, "CACHED"), 1) << r.err;
    EXPECT_EQ(slurp(in_layers("img", "/v")), "1\n");
}

TEST_F(Cache, BuilderPruneEmptiesTheCache) {
    four_steps();
    build_ok({"-t", "img"});
    auto prune = kubik({"builder", "prune", "-f"});
    ASSERT_EQ(prune.exit_code, 0) << prune.describe();
    EXPECT_TRUE(fs::is_empty(root_ / "build-cache")) << "entries left after prune";
    auto r = build_ok({"-t", "img"});
    EXPECT_EQ(count_lines_with(r.err, "CACHED"), 0) << r.err;
}

TEST_F(Cache, TwoBuildsAtOnceSharingStepsBothSucceed) {
    four_steps();
    file("Dockerfile.other", "FROM busybox\nCOPY a.txt /a.txt\nRUN cat /proc/sys/kernel/random/uuid > /after-a\nRUN echo other > /o\n");
    auto args = [&](const std::vector<std::string>& extra) {
        auto argv = kubik_argv({"build", "--progress", "plain", "--cgroup-parent", cgroup_parent()});
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back(context_.string());
        return argv;
    };
    Child one(args({"-t", "one"}));
    Child two(args({"-t", "two", "-f", (context_ / "Dockerfile.other").string()}));
    auto r1 = one.finish(60s), r2 = two.finish(60s);
    ASSERT_EQ(r1.exit_code, 0) << r1.describe();
    ASSERT_EQ(r2.exit_code, 0) << r2.describe();
    EXPECT_EQ(slurp(in_layers("two", "/o")), "other\n");
    // The cache entries both wrote are whole: each rebuild is fully cached.
    auto again1 = build_ok({"-t", "one"});
    EXPECT_EQ(count_lines_with(again1.err, "CACHED"), 4) << again1.err;
    auto again2 = build_ok({"-t", "two", "-f", (context_ / "Dockerfile.other").string()});
    EXPECT_EQ(count_lines_with(again2.err, "CACHED"), 3) << again2.err;
    expect_nothing_left("after two builds at once");
}

} // namespace
} // namespace kubik::test::build7
