// Builds that fail: the error names the file, the line and the problem,
// kubik exits 1, and nothing is left: no image, no container, no cgroup, no
// temp file, no mount (the fixture's leak check).
#include "build_fixture.hpp"

namespace kubik::test::build7 {
namespace {

class BuildErrors : public BuildTest {
protected:
    // Builds, expects exit 1 with `message` in stderr, no "failed-build" image, and nothing left.
    void expect_failure(const std::string& message, const std::vector<std::string>& extra = {}) {
        auto images = image_count();
        std::vector<std::string> args = {"-t", "failed-build"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = build(args);
        EXPECT_EQ(r.exit_code, 1) << r.describe();
        EXPECT_TRUE(contains(r.err, message)) << "expected \"" << message << "\" in:\n" << r.err;
        EXPECT_FALSE(image("failed-build")) << "a failed build tagged an image";
        EXPECT_EQ(image_count(), images) << "a failed build left an image";
        expect_nothing_left(message);
    }
};

TEST_F(BuildErrors, AFailingRunNamesItsLineCommandAndExitCode) {
    file("a", "a\n");
    dockerfile("FROM busybox\nCOPY a /a\nRUN echo before-failing && exit 3\nRUN echo never\n");
    expect_failure("Dockerfile:3: process \"/bin/sh -c echo before-failing && exit 3\" did not complete "
                   "successfully: exit code: 3");
    // The step's output is shown, and the next step never ran.
    auto r = build();
    EXPECT_TRUE(contains(r.err, "before-failing")) << r.err;
    EXPECT_FALSE(contains(r.err, "never")) << r.err;
}

TEST_F(BuildErrors, QuietStillShowsTheFailingStepsOutput) {
    dockerfile("FROM busybox\nRUN echo the-reason >&2; false\n");
    auto r = build({"-q"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "the-reason")) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST_F(BuildErrors, ACommandThatIsNotThere) {
    dockerfile("FROM busybox\nRUN [\"/no/such/program\"]\n");
    expect_failure("Dockerfile:2: process \"/no/such/program\" did not complete successfully: exit code: 127");
}

TEST_F(BuildErrors, UnknownInstruction) {
    dockerfile("FROM busybox\nRUNN true\n");
    expect_failure("Dockerfile:2: unknown instruction: RUNN");
}

TEST_F(BuildErrors, AMissingSourceFile) {
    dockerfile("FROM busybox\nCOPY missing.txt /x\n");
    expect_failure("not found");
}

TEST_F(BuildErrors, ASourceOutsideTheContext) {
    put(root_ / "outside.txt", "outside\n");
    dockerfile("FROM busybox\nCOPY ../outside.txt /x\n");
    expect_failure("outside the build context");
}

TEST_F(BuildErrors, AnUnknownBaseImage) {
    dockerfile("FROM no-such-image:1\nRUN true\n");
    expect_failure("Dockerfile:1: Unable to find image 'no-such-image:1' locally");
}

TEST_F(BuildErrors, AddFromAUrlIsRefusedOffline) {
    dockerfile("FROM busybox\nADD https://example.com/x.tar /x\n");
    expect_failure("ADD from a URL is not supported offline: https://example.com/x.tar");
}

TEST_F(BuildErrors, SeveralSourcesNeedADirectoryDestination) {
    file("a", "a\n");
    file("b", "b\n");
    dockerfile("FROM busybox\nCOPY a b /dest\n");
    expect_failure("the destination must be a directory and end with a /");
}

TEST_F(BuildErrors, ABadExposeAndABadHealthcheck) {
    dockerfile("FROM busybox\nEXPOSE 99999\n");
    expect_failure("Dockerfile:2: invalid containerPort: 99999");
    dockerfile("FROM busybox\nHEALTHCHECK --interval=5parsecs CMD true\n");
    expect_failure("Dockerfile:2: invalid duration for --interval");
}

TEST_F(BuildErrors, NoContextOrNoDockerfile) {
    auto r = kubik({"build", "--cgroup-parent", cgroup_parent(), (root_ / "nowhere").string()});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "unable to prepare context")) << r.err;
    // A context without a Dockerfile.
    r = build();
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "Dockerfile")) << r.err;
    expect_nothing_left("no Dockerfile");
}

TEST_F(BuildErrors, BadFlagsOfTheCommand) {
    dockerfile("FROM busybox\n");
    auto r = build({"-t", "Bad:Name:x"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "invalid argument \"Bad:Name:x\" for \"-t, --tag\" flag")) << r.err;
    r = build({"--progress", "fancy"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "--progress")) << r.err;
    EXPECT_EQ(image_count(), 1u);
}

TEST_F(BuildErrors, ARunStepLeavesNoNetworkWithoutTheFlag) {
    // No network by default: a namespace of the step's own, with only lo.
    // Told apart by the namespace's inode, not by the interfaces listed: a
    // host may have only lo itself (the cgroup-v2 guest has).
    const std::string host_ns = fs::read_symlink("/proc/self/ns/net").string() + "\n";
    dockerfile("FROM busybox\nRUN ls /sys/class/net > /nets && readlink /proc/self/ns/net > /ns\n");
    build_ok({"-t", "nonet"});
    EXPECT_EQ(slurp(in_layers("nonet", "/nets")), "lo\n");
    EXPECT_NE(slurp(in_layers("nonet", "/ns")), host_ns) << "a RUN step without --network is in the host's network namespace";
    // --network host: the host's namespace; RUN --network=none wins over it.
    dockerfile("FROM busybox\nRUN readlink /proc/self/ns/net > /ns\n"
               "RUN --network=none ls /sys/class/net > /none && readlink /proc/self/ns/net > /nonens\n");
    build_ok({"-t", "hostnet", "--network", "host"});
    EXPECT_EQ(slurp(in_layers("hostnet", "/ns")), host_ns) << "--network host";
    EXPECT_EQ(slurp(in_layers("hostnet", "/none")), "lo\n");
    EXPECT_NE(slurp(in_layers("hostnet", "/nonens")), host_ns) << "RUN --network=none under --network host";
}

} // namespace
} // namespace kubik::test::build7
