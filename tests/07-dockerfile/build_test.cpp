// `kubik build` end to end: each instruction's effect on the image's layers
// and config, checked in the store, and the image run with `kubik run`.
#include "build_fixture.hpp"

#include <sys/sysmacros.h>

namespace kubik::test::build7 {
namespace {

using nlohmann::json;

class Build : public BuildTest {};

TEST_F(Build, SevenStepsMakeAnImageThatRuns) {
    file("a.txt", "from the context\n");
    dockerfile("FROM busybox\n"
               "ENV GREETING=hello\n"
               "WORKDIR /app\n"
               "COPY a.txt ./\n"
               "RUN echo \"$GREETING from run\" > run.txt && cat a.txt\n"
               "EXPOSE 5000\n"
               "CMD [\"cat\", \"/app/run.txt\"]\n");
    auto r = build_ok({"-t", "demo"});
    // The RUN's output shows under its step, BuildKit's way.
    EXPECT_TRUE(has_line(r.err, "#5 from the context")) << r.err;
    EXPECT_TRUE(contains(r.err, "naming to demo:latest done")) << r.err;

    // The files are in the image's layers: COPY's and RUN's.
    EXPECT_EQ(slurp(in_layers("demo", "/app/a.txt")), "from the context\n");
    EXPECT_EQ(slurp(in_layers("demo", "/app/run.txt")), "hello from run\n");

    json doc = image_config("demo");
    const json& cfg = doc["config"];
    EXPECT_EQ(cfg["WorkingDir"], "/app");
    EXPECT_EQ(cfg["Cmd"], json({"cat", "/app/run.txt"}));
    EXPECT_NE(std::find(cfg["Env"].begin(), cfg["Env"].end(), json("GREETING=hello")), cfg["Env"].end()) << cfg.dump();
    // busybox's layer, WORKDIR's directory, COPY's and RUN's: four layers;
    // the history has a line per step, metadata steps marked empty_layer.
    ASSERT_EQ(doc["rootfs"]["diff_ids"].size(), 4u) << doc.dump(2);
    int empty = 0, full = 0;
    for (const auto& h : doc["history"]) (h.value("empty_layer", false) ? empty : full)++;
    EXPECT_EQ(full, 4) << doc["history"].dump(2);
    EXPECT_EQ(empty, 3) << doc["history"].dump(2);
    // History lines as BuildKit writes them, variables expanded.
    const json& history = doc["history"];
    ASSERT_GE(history.size(), 7u);
    auto created_by = [&](size_t from_end) { return history[history.size() - from_end]["created_by"].get<std::string>(); };
    EXPECT_EQ(created_by(1), "CMD [\"cat\" \"/app/run.txt\"]");
    EXPECT_EQ(created_by(2), "EXPOSE map[5000/tcp:{}]");
    EXPECT_EQ(created_by(3), "RUN /bin/sh -c echo \"$GREETING from run\" > run.txt && cat a.txt # buildkit");
    EXPECT_EQ(created_by(4), "COPY a.txt /app/ # buildkit");
    EXPECT_EQ(created_by(5), "WORKDIR /app");
    EXPECT_EQ(created_by(6), "ENV GREETING=hello");

    auto run = run_image("demo");
    EXPECT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(run.out, "hello from run\n");
    expect_nothing_left("after a build and a run");
}

TEST_F(Build, QuietPrintsOnlyTheImageId) {
    dockerfile("FROM busybox\nRUN echo noisy\n");
    auto r = build_ok({"-q", "-t", "quiet"});
    auto img = image("quiet");
    ASSERT_TRUE(img);
    EXPECT_EQ(r.out, img->id + "\n");
    EXPECT_FALSE(contains(r.err, "noisy")) << r.err;
}

TEST_F(Build, EveryTagNamesTheImageAndUntaggedBuildsWork) {
    dockerfile("FROM busybox\nLABEL a=b\n");
    build_ok({"-t", "one", "-t", "two:v2"});
    auto one = image("one"), two = image("two:v2");
    ASSERT_TRUE(one && two);
    EXPECT_EQ(one->id, two->id);
    auto r = build_ok({"-q"});
    EXPECT_EQ(r.out, one->id + "\n") << "the same steps from the cache make the same image";
}

TEST_F(Build, EntrypointDropsTheBaseImagesCmdButNotOneSetBefore) {
    dockerfile("FROM busybox\nCMD [\"echo\", \"base\"]\n");
    build_ok({"-t", "base"});
    dockerfile("FROM base\nENTRYPOINT [\"echo\", \"entry\"]\n");
    build_ok({"-t", "child"});
    json cfg = image_config("child")["config"];
    EXPECT_EQ(cfg["Entrypoint"], json({"echo", "entry"}));
    EXPECT_TRUE(!cfg.contains("Cmd") || cfg["Cmd"].is_null() || cfg["Cmd"].empty()) << cfg.dump();
    auto run = run_image("child");
    EXPECT_EQ(run.out, "entry\n") << run.describe();

    dockerfile("FROM base\nCMD [\"mine\"]\nENTRYPOINT [\"echo\"]\n");
    build_ok({"-t", "kept"});
    cfg = image_config("kept")["config"];
    EXPECT_EQ(cfg["Cmd"], json({"mine"}));
    EXPECT_EQ(run_image("kept").out, "mine\n");

    // The shell form of CMD runs through the shell.
    dockerfile("FROM busybox\nENV WHO=shell\nCMD echo hi $WHO\n");
    build_ok({"-t", "shellcmd"});
    EXPECT_EQ(image_config("shellcmd")["config"]["Cmd"], json({"/bin/sh", "-c", "echo hi $WHO"}));
    EXPECT_EQ(run_image("shellcmd").out, "hi shell\n");
}

TEST_F(Build, ArgsAndEnvAreScopedAsDockerScopesThem) {
    dockerfile("ARG BASE=busybox\n"
               "FROM $BASE\n"
               "ARG WHO=default\n"
               "ARG BASE\n"
               "ENV FIXED=env\n"
               "ARG FIXED=arg\n"
               "RUN echo \"$WHO $BASE $FIXED\" > /args.txt\n"
               "WORKDIR /w/$WHO\n");
    build_ok({"-t", "args", "--build-arg", "WHO=given"});
    // RUN saw the ARG given on the command line, the global one brought in by
    // `ARG BASE`, and ENV winning over an ARG of the same name.
    EXPECT_EQ(slurp(in_layers("args", "/args.txt")), "given busybox env\n");
    json cfg = image_config("args")["config"];
    EXPECT_EQ(cfg["WorkingDir"], "/w/given");
    // ARGs are not in the image.
    for (const auto& e : cfg["Env"]) EXPECT_FALSE(e.get<std::string>().rfind("WHO=", 0) == 0) << cfg.dump();
    struct stat st{};
    EXPECT_EQ(::lstat(in_layers("args", "/w/given").c_str(), &st), 0) << "WORKDIR makes its directory";
    EXPECT_TRUE(S_ISDIR(st.st_mode));

    auto r = build_ok({"-t", "args", "--build-arg", "UNUSED=1"});
    EXPECT_TRUE(contains(r.err, "[Warning] One or more build-args [UNUSED] were not consumed")) << r.err;
}

TEST_F(Build, RunChangesBecomeALayerWithWhiteouts) {
    dockerfile("FROM busybox\nRUN rm /bin/ls && mkdir -p /made && echo x > /made/file\n");
    build_ok({"-t", "rm"});
    auto img = image("rm");
    ASSERT_TRUE(img);
    ASSERT_EQ(img->layers.size(), 2u);
    // The deletion is a whiteout in the step's layer (the store keeps layers
    // unpacked in overlayfs's form: a 0:0 character device).
    struct stat st{};
    ASSERT_EQ(::lstat((img->layers.back().dir / "bin/ls").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
    EXPECT_EQ(slurp(img->layers.back().dir / "made/file"), "x\n");
    // The base layer is untouched.
    EXPECT_EQ(::lstat((img->layers.front().dir / "bin/ls").c_str(), &st), 0);
    EXPECT_FALSE(S_ISCHR(st.st_mode));
    auto run = run_image("rm", {"ls", "/"});
    EXPECT_EQ(run.exit_code, 127) << run.describe();
}

TEST_F(Build, HeredocRunsAsAScript) {
    dockerfile("FROM busybox\n"
               "RUN <<EOF\n"
               "echo one > /heredoc.txt\n"
               "echo two >> /heredoc.txt\n"
               "EOF\n"
               "RUN cat <<EOT > /second.txt\n"
               "inline body\n"
               "EOT\n");
    build_ok({"-t", "heredoc"});
    EXPECT_EQ(slurp(in_layers("heredoc", "/heredoc.txt")), "one\ntwo\n");
    EXPECT_EQ(slurp(in_layers("heredoc", "/second.txt")), "inline body\n");

    // A script with "#!" runs with its interpreter: here `sh -e`, so the
    // `false` stops it (as a comment line to sh -c, "#!" would not).
    dockerfile("FROM busybox\nRUN <<EOF\n#!/bin/sh -e\necho start > /started\nfalse\necho after > /after\nEOF\n");
    auto r = build({"-t", "shebang"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_TRUE(contains(r.err, "did not complete successfully: exit code: 1")) << r.err;
    dockerfile("FROM busybox\nRUN <<EOF\n#!/bin/sh -e\necho \"$0\" > /interp\nEOF\n");
    build_ok({"-t", "shebang"});
    EXPECT_EQ(slurp(in_layers("shebang", "/interp")), "/bin/sh\n");
}

TEST_F(Build, CopyIntoASymlinkStaysInsideTheImage) {
    const std::string name = "kubik-l7-escape-" + build_tag();
    remove_at_teardown("/" + name);
    file(name, "copied\n");
    dockerfile("FROM busybox\nRUN ln -s / /x\nCOPY " + name + " /x/\n");
    build_ok({"-t", "link"});
    // Resolved inside the image: /x -> / means the image's root.
    EXPECT_EQ(slurp(in_layers("link", "/" + name)), "copied\n");
    EXPECT_FALSE(fs::exists("/" + name)) << "COPY followed the image's symlink out to the host";
    auto run = run_image("link", {"cat", "/" + name});
    EXPECT_EQ(run.out, "copied\n") << run.describe();
}

TEST_F(Build, DockerignoreKeepsFilesOut) {
    file("keep.txt", "kept\n");
    file("secret.key", "secret\n");
    file("logs/a.log", "log\n");
    file(".dockerignore", "*.key\nlogs\n");
    dockerfile("FROM busybox\nCOPY . /ctx/\n");
    build_ok({"-t", "ignored"});
    EXPECT_EQ(slurp(in_layers("ignored", "/ctx/keep.txt")), "kept\n");
    EXPECT_EQ(in_layers("ignored", "/ctx/secret.key"), fs::path());
    EXPECT_EQ(in_layers("ignored", "/ctx/logs"), fs::path());
}

TEST_F(Build, CopyChownChmodAndAddArchive) {
    file("f.sh", "#!/bin/sh\necho hi\n");
    // A tar made by busybox in a first build, then ADDed from the context.
    dockerfile("FROM busybox\nRUN mkdir /t && echo inside > /t/in.txt && tar -C /t -cf /t.tar in.txt\n");
    build_ok({"-t", "tarmaker"});
    fs::copy_file(in_layers("tarmaker", "/t.tar"), context_ / "t.tar");
    dockerfile("FROM busybox\n"
               "COPY --chown=1000:1001 --chmod=750 f.sh /bin/f.sh\n"
               "ADD t.tar /unpacked/\n");
    build_ok({"-t", "owned"});
    struct stat st{};
    ASSERT_EQ(::lstat(in_layers("owned", "/bin/f.sh").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 1000u);
    EXPECT_EQ(st.st_gid, 1001u);
    EXPECT_EQ(st.st_mode & 07777, 0750u);
    EXPECT_EQ(slurp(in_layers("owned", "/unpacked/in.txt")), "inside\n");
    EXPECT_EQ(run_image("owned", {"f.sh"}).out, "hi\n");
}

TEST_F(Build, RunCacheMountOutlivesTheStep) {
    dockerfile("FROM busybox\nRUN --mount=type=cache,target=/cache echo kept > /cache/f && echo step1\n");
    build_ok({"-t", "cache-one"});
    // The cache directory is not part of the image.
    EXPECT_EQ(in_layers("cache-one", "/cache/f"), fs::path());
    dockerfile("FROM busybox\nRUN --mount=type=cache,target=/cache cp /cache/f /from-cache\n");
    build_ok({"-t", "cache-two"});
    EXPECT_EQ(slurp(in_layers("cache-two", "/from-cache")), "kept\n");
}

TEST_F(Build, ConfigInstructionsWriteDockersFields) {
    dockerfile("FROM busybox\n"
               "LABEL org.example.name=\"my app\" version=1\n"
               "EXPOSE 5000 53/udp 8000-8001\n"
               "VOLUME [\"/data\", \"/logs\"]\n"
               "USER 1000:1000\n"
               "STOPSIGNAL SIGINT\n"
               "SHELL [\"/bin/sh\", \"-ec\"]\n"
               "HEALTHCHECK --interval=5s --retries=2 CMD wget -q localhost\n"
               "ONBUILD RUN echo later\n"
               "MAINTAINER someone\n"
               "CMD echo $0\n");
    build_ok({"-t", "cfg", "--label", "from.cli=yes"});
    json doc = image_config("cfg");
    const json& cfg = doc["config"];
    EXPECT_EQ(cfg["Labels"], json({{"org.example.name", "my app"}, {"version", "1"}, {"from.cli", "yes"}})) << cfg.dump();
    EXPECT_EQ(cfg["ExposedPorts"],
              json({{"5000/tcp", json::object()}, {"53/udp", json::object()}, {"8000/tcp", json::object()},
                    {"8001/tcp", json::object()}}))
        << cfg.dump();
    EXPECT_EQ(cfg["Volumes"], json({{"/data", json::object()}, {"/logs", json::object()}})) << cfg.dump();
    EXPECT_EQ(cfg["User"], "1000:1000");
    EXPECT_EQ(cfg["StopSignal"], "SIGINT");
    EXPECT_EQ(cfg["Shell"], json({"/bin/sh", "-ec"}));
    // The SHELL is what the shell form of a later CMD runs with.
    EXPECT_EQ(cfg["Cmd"], json({"/bin/sh", "-ec", "echo $0"}));
    EXPECT_EQ(cfg["Healthcheck"]["Test"], json({"CMD-SHELL", "wget -q localhost"})) << cfg.dump();
    EXPECT_EQ(cfg["Healthcheck"]["Interval"], 5000000000LL);
    EXPECT_EQ(cfg["Healthcheck"]["Retries"], 2);
    EXPECT_EQ(cfg["OnBuild"], json({"RUN echo later"}));
    EXPECT_EQ(doc["author"], "someone");
    // Metadata only: no layer besides busybox's.
    EXPECT_EQ(doc["rootfs"]["diff_ids"].size(), 1u);
}

TEST_F(Build, RunStepsRunAsTheStagesUser) {
    dockerfile("FROM busybox\nUSER 1000:1001\nRUN id -u && id -g\nUSER root\nRUN id -u\n");
    auto r = build_ok({"-t", "users"});
    EXPECT_TRUE(has_line(r.err, "#3 1000") && has_line(r.err, "#3 1001")) << r.err;
    EXPECT_TRUE(has_line(r.err, "#5 0")) << r.err;
}

TEST_F(Build, RunBindMountSeesTheContextReadOnly) {
    file("src/input.txt", "bound\n");
    dockerfile("FROM busybox\n"
               "RUN --mount=type=bind,source=src,target=/src cat /src/input.txt > /copied && "
               "(touch /src/new 2>/dev/null && echo writable || echo read-only) > /mode\n");
    build_ok({"-t", "bind"});
    EXPECT_EQ(slurp(in_layers("bind", "/copied")), "bound\n");
    EXPECT_EQ(slurp(in_layers("bind", "/mode")), "read-only\n");
    EXPECT_FALSE(fs::exists(context_ / "src/new"));
    // The mount point is not part of the image.
    EXPECT_EQ(in_layers("bind", "/src"), fs::path());
}

TEST_F(Build, DockerfileFromStdinAndFromAnotherPath) {
    file("a.txt", "a\n");
    RunOptions in;
    in.stdin_data = "FROM busybox\nCOPY a.txt /from-stdin\n";
    auto r = kubik({"build", "--cgroup-parent", cgroup_parent(), "-t", "stdin", "-f", "-", context_.string()}, in);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(slurp(in_layers("stdin", "/from-stdin")), "a\n");
    put(root_ / "elsewhere" / "Build.file", "FROM busybox\nCOPY a.txt /from-file\n");
    build_ok({"-t", "other", "-f", (root_ / "elsewhere" / "Build.file").string()});
    EXPECT_EQ(slurp(in_layers("other", "/from-file")), "a\n");
}

TEST_F(Build, WorkdirThroughASymlinkKeepsTheSymlink) {
    dockerfile("FROM busybox\nRUN mkdir /real && ln -s /real /link\nWORKDIR /link/sub\nRUN pwd -P > /real/pwd\n");
    build_ok({"-t", "wd"});
    struct stat st{};
    ASSERT_EQ(::lstat(in_layers("wd", "/link").c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode)) << "WORKDIR replaced the image's symlink with a directory";
    ASSERT_EQ(::lstat(in_layers("wd", "/real/sub").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(slurp(in_layers("wd", "/real/pwd")), "/real/sub\n");
    EXPECT_EQ(image_config("wd")["config"]["WorkingDir"], "/link/sub");
}

TEST_F(Build, TarContextOnStdin) {
    // The context as a tar: busybox's tar in a first image makes it.
    dockerfile("FROM busybox\nRUN mkdir /c && echo 'FROM busybox' > /c/Dockerfile && "
               "echo 'COPY hello /hello' >> /c/Dockerfile && echo tarred > /c/hello && tar -C /c -cf /ctx.tar .\n");
    build_ok({"-t", "ctxmaker"});
    RunOptions in;
    in.stdin_data = slurp(in_layers("ctxmaker", "/ctx.tar"));
    auto r = kubik({"build", "--cgroup-parent", cgroup_parent(), "-t", "fromtar", "-"}, in);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(slurp(in_layers("fromtar", "/hello")), "tarred\n");
    expect_nothing_left("after a build from a tar");

    // Not a tar: the Dockerfile itself, with an empty context (docker build - < Dockerfile).
    in.stdin_data = "FROM busybox\nRUN echo plain > /plain\n";
    r = kubik({"build", "--cgroup-parent", cgroup_parent(), "-t", "plainstdin", "-"}, in);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(slurp(in_layers("plainstdin", "/plain")), "plain\n");
    expect_nothing_left("after a build of a Dockerfile on stdin");
}

} // namespace
} // namespace kubik::test::build7
