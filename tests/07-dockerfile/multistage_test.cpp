// Multi-stage builds: `FROM … AS name`, `COPY --from=stage|index|image`,
// `FROM stage`, `--target`, and only the stages the target needs are built.
#include "build_fixture.hpp"

namespace kubik::test::build7 {
namespace {

class Multistage : public BuildTest {};

TEST_F(Multistage, CopyFromAStageTakesOnlyWhatItNames) {
    dockerfile("FROM busybox AS builder\n"
               "RUN mkdir /out && echo built > /out/app && echo junk > /builder-only\n"
               "FROM busybox\n"
               "COPY --from=builder /out/app /app\n"
               "COPY --from=0 /out /out2\n");
    auto r = build_ok({"-t", "final"});
    EXPECT_EQ(slurp(in_layers("final", "/app")), "built\n");
    EXPECT_EQ(slurp(in_layers("final", "/out2/app")), "built\n");
    EXPECT_EQ(in_layers("final", "/builder-only"), fs::path()) << "a file of the build stage leaked into the image";
    // Two stages: progress names them as BuildKit does.
    EXPECT_TRUE(contains(r.err, "[builder 2/2] RUN")) << r.err;
    EXPECT_EQ(image("final")->layers.size(), 3u);
    EXPECT_EQ(run_image("final", {"cat", "/app"}).out, "built\n");
}

TEST_F(Multistage, StagesTheTargetDoesNotNeedAreNotBuilt) {
    dockerfile("FROM busybox AS unused\n"
               "RUN false\n"
               "FROM busybox AS base\n"
               "RUN echo base > /base\n"
               "FROM base AS middle\n"
               "RUN echo middle > /middle\n"
               "FROM middle\n"
               "RUN exit 7\n");
    // The last stage fails; --target middle builds base and middle only,
    // and the broken "unused" stage is never run.
    auto r = build_ok({"--target", "middle", "-t", "mid"});
    EXPECT_FALSE(contains(r.err, "RUN false")) << r.err;
    EXPECT_EQ(slurp(in_layers("mid", "/base")), "base\n");
    EXPECT_EQ(slurp(in_layers("mid", "/middle")), "middle\n");

    auto whole = build();
    EXPECT_EQ(whole.exit_code, 1) << whole.describe();
    EXPECT_TRUE(contains(whole.err, "Dockerfile:8: process \"/bin/sh -c exit 7\" did not complete successfully: exit code: 7"))
        << whole.err;
    EXPECT_FALSE(contains(whole.err, "RUN false")) << whole.err;
    expect_nothing_left("after a failed last stage");
}

TEST_F(Multistage, CopyFromAnImageInTheStore) {
    dockerfile("FROM scratch\nCOPY --from=busybox /bin/busybox /busybox\n");
    build_ok({"-t", "tiny"});
    auto img = image("tiny");
    ASSERT_TRUE(img);
    EXPECT_EQ(img->layers.size(), 1u);
    // BuildKit's empty image: the default PATH, nothing else.
    EXPECT_EQ(image_config("tiny")["config"]["Env"],
              nlohmann::json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}));
    EXPECT_TRUE(fs::is_regular_file(in_layers("tiny", "/busybox")));
    auto run = run_image("tiny", {"/busybox", "echo", "from scratch"});
    EXPECT_EQ(run.out, "from scratch\n") << run.describe();
}

TEST_F(Multistage, AnUnknownTargetIsAnError) {
    dockerfile("FROM busybox AS one\nRUN true\n");
    auto before = image_count();
    auto r = build({"--target", "two", "-t", "x"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "target stage \"two\" could not be found")) << r.err;
    EXPECT_EQ(image_count(), before);
}

TEST_F(Multistage, OnbuildTriggersRunInTheChild) {
    file("trigger.txt", "triggered\n");
    dockerfile("FROM busybox\nONBUILD COPY trigger.txt /trigger.txt\nONBUILD RUN echo ran > /onbuild\n");
    build_ok({"-t", "parent"});
    auto cfg = image_config("parent")["config"];
    EXPECT_EQ(in_layers("parent", "/onbuild"), fs::path()) << "a trigger ran in the image that defines it";
    dockerfile("FROM parent\nRUN cat /trigger.txt /onbuild > /both\n");
    build_ok({"-t", "child"});
    EXPECT_EQ(slurp(in_layers("child", "/both")), "triggered\nran\n");
}

} // namespace
} // namespace kubik::test::build7
