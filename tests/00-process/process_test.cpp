// Lesson 0 — process: `kubik run` runs a command as a child and behaves like
// `docker run` about it: argv, environment, working directory, stdin/stdout/
// stderr, exit codes (126/127, 128+signal) and signals.
//
// These tests must pass while lessons 1 and 2 are still stubs (a student on
// lesson 0 has them as TODOs): then kubik prints "kubik: skipped: ..." and the
// command runs without filesystem isolation or namespaces. So nothing here
// depends on /proc, /dev or the image's files being what the container sees,
// and stderr is compared after dropping kubik's own skip notices.
#include "kubik_test.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

namespace kubik::test {
namespace {

class Process : public LessonTest {
protected:
    Process() : LessonTest(0, "process") {}

    RunResult krun(std::vector<std::string> args, const RunOptions& options = {}) {
        args.insert(args.begin(), "run");
        return kubik(args, options);
    }

    // The PATH the image asks for (config.json "config"."Env"), read from
    // the store rather than hard-coded so the test follows the image.
    std::string image_path_variable() {
        auto doc = image_config();
        for (const auto* env : {&doc["config"]["Env"], &doc["Env"]})
            if (env->is_array())
                for (const auto& e : *env)
                    if (e.is_string() && e.get<std::string>().rfind("PATH=", 0) == 0) return e.get<std::string>();
        return "";
    }
};

std::string random_suffix() {
    std::random_device rd;
    std::ostringstream s;
    s << std::hex << rd() << rd();
    return s.str();
}

// ---------------------------------------------------------------------------
// Exit codes

TEST_F(Process, ExitCodeOfTheCommandPropagates) {
    auto r = krun({"--rm", "busybox", "sh", "-c", "exit 7"});
    EXPECT_EQ(r.exit_code, 7) << r.describe();
    EXPECT_EQ(r.term_signal, 0) << "kubik itself must exit normally\n" << r.describe();

    r = krun({"--rm", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    r = krun({"--rm", "busybox", "false"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    expect_no_container_state("after --rm runs");
}

TEST_F(Process, MissingCommandIs127AndNamesTheCommand) {
    auto r = krun({"--rm", "busybox", "kubik-no-such-command"});
    EXPECT_EQ(r.exit_code, 127) << r.describe();
    EXPECT_NE(r.err.find("kubik-no-such-command"), std::string::npos)
        << "the error must name the command that wasn't found\n" << r.describe();
    expect_no_container_state("after a command that doesn't exist");
}

TEST_F(Process, MissingAbsolutePathIs127) {
    auto r = krun({"--rm", "busybox", "/kubik/no/such/file"});
    EXPECT_EQ(r.exit_code, 127) << r.describe();
    EXPECT_NE(r.err.find("/kubik/no/such/file"), std::string::npos) << r.describe();
    expect_no_container_state("after a path that doesn't exist");
}

TEST_F(Process, PathThroughAFileIs127) {
    // ENOTDIR: a component of the path is a file, so the command doesn't
    // exist — "not found" (127), not "can't run" (126).
    auto r = krun({"--rm", "busybox", "/etc/passwd/kubik"});
    EXPECT_EQ(r.exit_code, 127) << r.describe();
    expect_no_container_state("after a path through a file");
}

TEST_F(Process, CommandIsSearchedInTheContainersPathNotKubiks) {
    // kubik's own PATH leads nowhere; the image's PATH (and -e PATH) is the
    // one searched. A walk of PATH also goes on past a file it may not run
    // (EACCES) and runs a later one, as execvp does. The directories are
    // named twice, as the container sees them (lesson 1 on) and as the host
    // does (lesson 0, where the command still runs in the host's root).
    const fs::path rootfs = image_rootfs();
    fs::create_directories(rootfs / "kubik-na");
    fs::create_directories(rootfs / "kubik-ok");
    std::ofstream(rootfs / "kubik-na/kubik-tool") << "#!/bin/sh\necho not runnable\n";
    std::ofstream(rootfs / "kubik-ok/kubik-tool") << "#!/bin/sh\necho ran the second\n";
    fs::permissions(rootfs / "kubik-na/kubik-tool", fs::perms(0644));
    fs::permissions(rootfs / "kubik-ok/kubik-tool", fs::perms(0755));
    RunOptions o;
    o.env = {{"PATH", "/kubik-host-only"}};
    auto r = krun({"--rm", "busybox", "env"}, o);
    EXPECT_EQ(r.exit_code, 0) << "`env` is in the image's PATH; kubik's own PATH must not be searched\n"
                              << r.describe();
    const std::string path = "PATH=/kubik-na:" + (rootfs / "kubik-na").string() + ":/kubik-ok:" +
                             (rootfs / "kubik-ok").string() + ":/bin:/usr/bin";
    r = krun({"--rm", "-e", path, "busybox", "kubik-tool"}, o);
    EXPECT_EQ(r.exit_code, 0) << "the first kubik-tool in PATH is not executable, the second is\n" << r.describe();
    EXPECT_EQ(r.out, "ran the second\n") << r.describe();
}

TEST_F(Process, SignalsKubikIgnoresAreNotIgnoredByTheCommand) {
    // Started with SIGINT, SIGQUIT and SIGHUP ignored (nohup, `cmd &` in a
    // script), kubik must not pass that on: the command's SIGINT is the
    // default again and kills it (130). An ignored one would let it print.
    std::vector<std::string> argv{"/bin/sh", "-c", "trap '' INT QUIT HUP; exec \"$@\"", "sh"};
    for (const auto& a : kubik_argv({"run", "--rm", "busybox", "sh", "-c", "kill -INT $$; echo survived"}))
        argv.push_back(a);
    Child run(argv);
    auto r = run.finish(20s);
    EXPECT_EQ(r.exit_code, 128 + SIGINT) << "SIGINT, ignored by kubik's caller, must kill the command\n"
                                         << r.describe();
    EXPECT_EQ(r.out.find("survived"), std::string::npos) << r.describe();
    expect_no_container_state("after SIGINT");
}

TEST_F(Process, FileThatIsNotExecutableIs126) {
    auto r = krun({"--rm", "busybox", "/etc/passwd"});
    EXPECT_EQ(r.exit_code, 126) << r.describe();
    EXPECT_NE(r.err.find("/etc/passwd"), std::string::npos)
        << "the error must name the file\n" << r.describe();
    expect_no_container_state("after a command that isn't executable");
}

TEST_F(Process, DirectoryAsCommandIs126) {
    auto r = krun({"--rm", "busybox", "/etc"});
    EXPECT_EQ(r.exit_code, 126) << r.describe();
    EXPECT_NE(r.err.find("\"/etc\""), std::string::npos)
        << "docker says: exec: \"/etc\": permission denied\n" << r.describe();
    expect_no_container_state("after a directory as the command");
}

TEST_F(Process, KilledBySignalIs128PlusSignal) {
    auto r = krun({"--rm", "busybox", "sh", "-c", "kill -KILL $$"});
    EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.describe();
    EXPECT_EQ(r.term_signal, 0) << "kubik reports the signal as an exit code, it isn't killed itself\n"
                                << r.describe();
    r = krun({"--rm", "busybox", "sh", "-c", "kill -TERM $$"});
    EXPECT_EQ(r.exit_code, 128 + SIGTERM)
        << "143 = 128 + SIGTERM; if the command exited 0 instead, SIGTERM was blocked or "
           "ignored in it: reset_signals() must unblock and reset every signal\n"
        << r.describe();
    expect_no_container_state("after commands killed by signals");
}

// ---------------------------------------------------------------------------
// Output, argv, stdin

TEST_F(Process, StdoutAndStderrAreSeparateAndExact) {
    // No trailing newline, a NUL byte and non-UTF-8 bytes: a relay that works
    // line by line or with C strings gets this wrong.
    auto r = krun({"--rm", "busybox", "sh", "-c",
                   "printf out1; printf err1 >&2; printf '\\001\\002\\377\\000x'; printf 'e\\nrr' >&2"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, std::string("out1\x01\x02\xff\x00x", 9)) << r.describe();
    EXPECT_EQ(without_skip_notices(r.err), "err1e\nrr") << r.describe();
}

TEST_F(Process, LargeOutputArrivesComplete) {
    auto r = krun({"--rm", "busybox", "seq", "1", "50000"});
    std::string expected;
    for (int i = 1; i <= 50000; ++i) expected += std::to_string(i) + "\n";
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.size(), expected.size()) << "output truncated or padded";
    EXPECT_TRUE(r.out == expected) << "output of `seq 1 50000` differs";
}

TEST_F(Process, ArgvIsPassedVerbatim) {
    auto r = krun({"--rm", "busybox", "printf", "[%s]\\n", "a b", "\"q\"", "", "it's", "$HOME", "*"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "[a b]\n[\"q\"]\n[]\n[it's]\n[$HOME]\n[*]\n")
        << "arguments must reach the command unchanged: no shell, no splitting, no globbing\n"
        << r.describe();
}

TEST_F(Process, FlagsAfterTheImageBelongToTheCommand) {
    // docker: everything after IMAGE is the command's, even "-e" or "--rm".
    auto r = krun({"--rm", "busybox", "printf", "%s\\n", "-e", "--rm", "-i", "--", "-w"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "-e\n--rm\n-i\n--\n-w\n") << r.describe();
}

TEST_F(Process, InteractivePassesStdin) {
    std::string data = "line 1\nline 2 \x01\xff";
    data.push_back('\0');
    // Larger than a pipe buffer, so both directions must flow at once.
    for (int i = 0; i < 20000; ++i) data += "chunk " + std::to_string(i) + "\n";
    data += "no newline at the end";
    RunOptions in;
    in.stdin_data = data;
    auto r = krun({"--rm", "-i", "busybox", "cat"}, in);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.size(), data.size()) << r.describe();
    EXPECT_TRUE(r.out == data) << "cat must echo stdin byte for byte";
}

TEST_F(Process, WithoutInteractiveStdinIsEmpty) {
    RunOptions in;
    in.stdin_data = "this must not reach the container\n";
    in.timeout = 15s;
    auto r = krun({"--rm", "busybox", "cat"}, in);
    EXPECT_FALSE(r.timed_out) << "without -i, cat must see EOF at once\n" << r.describe();
    EXPECT_EQ(r.out, "") << "without -i the container's stdin is /dev/null, like docker's\n"
                         << r.describe();
}

// ---------------------------------------------------------------------------
// Environment

TEST_F(Process, EnvFlagsSetAndInheritVariables) {
    RunOptions o;
    o.env = {{"KUBIK_T_HOST", "from the host"}, {"KUBIK_T_ABSENT", std::nullopt},
             {"KUBIK_T_NOT_ASKED", "must not leak"}};
    auto r = krun({"--rm", "-e", "KUBIK_T_SET=a=b c", "-e", "KUBIK_T_HOST", "-e", "KUBIK_T_ABSENT",
                   "busybox", "env"},
                  o);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "KUBIK_T_SET=a=b c")) << "-e K=V sets K (the value may hold '=')\n"
                                                      << r.describe();
    EXPECT_TRUE(has_line(r.out, "KUBIK_T_HOST=from the host"))
        << "-e K without '=' passes the host's value of K\n" << r.describe();
    EXPECT_EQ(r.out.find("KUBIK_T_ABSENT"), std::string::npos)
        << "-e K for a K the host doesn't have leaves K out\n" << r.describe();
    EXPECT_EQ(r.out.find("KUBIK_T_NOT_ASKED"), std::string::npos)
        << "kubik's own environment must not leak into the container\n" << r.describe();
}

TEST_F(Process, ImageEnvironmentIsTheDefault) {
    const std::string image_path = image_path_variable();
    ASSERT_FALSE(image_path.empty()) << "the busybox image's config.json has no PATH in config.Env";
    RunOptions o;
    // kubik's own PATH must not reach the container: the image's does.
    o.env = {{"PATH", "/kubik-host-only:/usr/sbin:/usr/bin:/sbin:/bin"}, {"HOME", "/kubik-host-home"}};
    auto r = krun({"--rm", "busybox", "env"}, o);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, image_path)) << "expected the image's " << image_path << "\n"
                                             << r.describe();
    EXPECT_TRUE(has_line(r.out, "HOME=/root")) << "docker sets HOME=/root for root\n" << r.describe();
    EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|\n)HOSTNAME=."))) << "docker sets HOSTNAME\n" << r.describe();

    r = krun({"--rm", "-e", "PATH=/kubik-custom:/usr/bin:/bin", "busybox", "env"}, o);
    EXPECT_TRUE(has_line(r.out, "PATH=/kubik-custom:/usr/bin:/bin")) << "-e PATH=... overrides the image\n"
                                                           << r.describe();
}

// The environment holds each key once: `-e K=V` replaces the image's K,
// HOME=/root and HOSTNAME are defaults a flag or the image may override, and
// `-e K` for a K the host doesn't have removes the image's K (docker unsets
// it). A second line with the same key is a bug even when the right value
// is among them: getenv() takes the first, a shell's `env` shows both.
TEST_F(Process, EachVariableOnceAndFlagsWinOverImageAndDefaults) {
    // An image of the test's own that sets HOME and two more variables.
    auto doc = image_config();
    ASSERT_TRUE(doc.contains("config")) << doc.dump();
    auto& image_env = doc["config"]["Env"];
    image_env.push_back("HOME=/image-home");
    image_env.push_back("KUBIK_T_IMAGE=from the image");
    image_env.push_back("KUBIK_T_UNSET=from the image");
    set_image_config("busybox", doc);

    auto count = [](const std::string& env, const std::string& key) {
        size_t n = 0;
        for (const auto& line : lines_of(env)) n += line.rfind(key + "=", 0) == 0;
        return n;
    };
    RunOptions o;
    o.env = {{"KUBIK_T_UNSET", std::nullopt}};
    auto r = krun({"--rm", "-e", "PATH=/kubik-custom:/usr/bin:/bin", "-e", "KUBIK_T_IMAGE=from the flag", "-e",
                   "KUBIK_T_UNSET", "-e", "HOSTNAME=kubik-flag", "busybox", "env"},
                  o);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    for (const char* key : {"PATH", "KUBIK_T_IMAGE", "HOSTNAME", "HOME"})
        EXPECT_EQ(count(r.out, key), 1u) << key << " must be in the environment exactly once\n" << r.describe();
    EXPECT_TRUE(has_line(r.out, "PATH=/kubik-custom:/usr/bin:/bin")) << "-e PATH=... replaces the image's\n"
                                                                      << r.describe();
    EXPECT_TRUE(has_line(r.out, "KUBIK_T_IMAGE=from the flag")) << r.describe();
    EXPECT_TRUE(has_line(r.out, "HOSTNAME=kubik-flag")) << "-e HOSTNAME=... overrides kubik's HOSTNAME\n"
                                                        << r.describe();
    EXPECT_TRUE(has_line(r.out, "HOME=/image-home"))
        << "the image's HOME stays: HOME=/root is only the default when nobody sets HOME\n" << r.describe();
    EXPECT_EQ(count(r.out, "KUBIK_T_UNSET"), 0u)
        << "`-e KUBIK_T_UNSET` with no such variable on the host removes the image's one, as docker does\n"
        << r.describe();

    r = krun({"--rm", "-e", "HOME=/flag-home", "busybox", "env"});
    EXPECT_EQ(count(r.out, "HOME"), 1u) << "HOME must be in the environment exactly once\n" << r.describe();
    EXPECT_TRUE(has_line(r.out, "HOME=/flag-home")) << "-e HOME=... wins over the image and the default\n"
                                                    << r.describe();
}

TEST_F(Process, ManyEnvFlagsGiveExactlyThatEnvironment) {
    // 5,000 variables, then overrides of some of them, a host value taken by
    // `-e K`, one the host lacks: the command's environment, in order, is the
    // image's PATH, HOSTNAME (overridden too), V1..V5000 where they first
    // appeared with their last value, HOME. (Many -e flags must not cost
    // quadratic time; how long they take is bench/env-flags.sh's business.)
    const std::string image_path = image_path_variable();
    ASSERT_FALSE(image_path.empty()) << "the busybox image's config.json has no PATH in config.Env";
    constexpr int kCount = 5000;
    RunOptions o;
    o.env = {{"V3", "from the host"}, {"KUBIK_T_ABSENT", std::nullopt}};
    std::vector<std::string> args{"--rm"};
    std::vector<std::string> values(kCount + 1);
    for (int i = 1; i <= kCount; ++i) {
        values[i] = "V" + std::to_string(i) + "=" + std::to_string(i);
        args.insert(args.end(), {"-e", values[i]});
    }
    for (int i = 7; i <= kCount; i += 7) {
        values[i] = "V" + std::to_string(i) + "=override " + std::to_string(i);
        args.insert(args.end(), {"-e", values[i]});
    }
    values[3] = "V3=from the host";
    args.insert(args.end(), {"-e", "V3", "-e", "KUBIK_T_ABSENT", "-e", "HOSTNAME=kubik-many", "-e",
                             "V" + std::to_string(kCount) + "=last"});
    values[kCount] = "V" + std::to_string(kCount) + "=last";
    args.insert(args.end(), {"busybox", "env"});

    std::string expected = image_path + "\nHOSTNAME=kubik-many\n";
    for (int i = 1; i <= kCount; ++i) expected += values[i] + "\n";
    expected += "HOME=/root\n";
    auto r = krun(args, o);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    // Compared line by line: one wrong line is easier to read than a 60 KB diff.
    auto got = lines_of(r.out), want = lines_of(expected);
    EXPECT_EQ(got.size(), want.size()) << "the environment has " << got.size() << " variables, expected "
                                       << want.size();
    int shown = 0;
    for (size_t i = 0; i < std::min(got.size(), want.size()) && shown < 5; ++i)
        if (got[i] != want[i]) {
            ADD_FAILURE() << "variable " << i + 1 << " is `" << got[i] << "`, expected `" << want[i] << "`";
            ++shown;
        }
}

TEST_F(Process, EnvFlagWithoutANameIs125) {
    // Docker (opts.ValidateEnv): a variable needs a name. "=val" would put a
    // variable called "" into the environment, "" would vanish without a word.
    for (const std::string bad : {"=val", ""}) {
        SCOPED_TRACE("-e '" + bad + "'");
        auto r = krun({"--name", "kubik-bad-env", "-e", "OK=1", "-e", bad, "busybox", "env"});
        EXPECT_EQ(r.exit_code, 125) << "an -e without a name is kubik's error\n" << r.describe();
        EXPECT_EQ(r.out, "") << "the command must not run\n" << r.describe();
        // Docker's message (for "", kubik says why after it: docker says nothing).
        const std::string message =
            "invalid argument \"" + bad + "\" for \"-e, --env\" flag: invalid environment variable: " + bad;
        EXPECT_NE(r.err.find(message), std::string::npos)
            << "expected docker's message `" << message << "`\n" << r.describe();
        expect_no_container_state("after an -e without a name");
    }
}

TEST_F(Process, ExecEnvFlagWithoutANameIs125) {
    // `kubik exec -e` checks its flags the same way, before it looks for the
    // container (none exists here: the flag is what is wrong, 125, not
    // "No such container", 1).
    for (const std::string bad : {"=val", ""}) {
        SCOPED_TRACE("-e '" + bad + "'");
        auto r = kubik({"exec", "-e", bad, "kubik-no-such-container", "true"});
        EXPECT_EQ(r.exit_code, 125) << r.describe();
        EXPECT_NE(r.err.find("invalid environment variable: " + bad), std::string::npos) << r.describe();
        EXPECT_EQ(r.err.find("No such container"), std::string::npos) << r.describe();
    }
}

// ---------------------------------------------------------------------------
// Working directory

TEST_F(Process, WorkdirIsUsed) {
    auto r = krun({"--rm", "-w", "/etc", "busybox", "pwd"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "/etc\n") << r.describe();
}

TEST_F(Process, MissingWorkdirIsCreated) {
    // A unique top-level name: while lesson 1 is a stub the container shares
    // the host's filesystem, and then the directory lands on the host. The
    // build's tag in the name: the leak check removes only its own build's.
    const std::string top = "/kubik-test-wd-" + build_tag() + "-" + random_suffix();
    remove_at_teardown(top);
    auto r = krun({"--rm", "-w", top + "/a/b", "busybox", "pwd"});
    EXPECT_EQ(r.exit_code, 0) << "docker creates a missing -w directory\n" << r.describe();
    EXPECT_EQ(r.out, top + "/a/b\n") << r.describe();
}

TEST_F(Process, WorkdirOnAFileIs125) {
    auto r = krun({"-w", "/etc/passwd", "busybox", "pwd"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_EQ(r.out, "") << "the command must not run\n" << r.describe();
    EXPECT_NE(r.err.find("/etc/passwd"), std::string::npos)
        << "the error must name the directory\n" << r.describe();
    expect_no_container_state("after -w on a file");
}

// ---------------------------------------------------------------------------
// kubik's own errors: 125, and nothing left behind

TEST_F(Process, UnknownFlagIs125) {
    auto r = krun({"--kubik-no-such-flag", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_FALSE(r.err.empty()) << "say what was wrong\n" << r.describe();
    expect_no_container_state("after a bad flag");
}

TEST_F(Process, UnknownImageIs125AndNamesTheImage) {
    auto r = krun({"kubik-no-such-image", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("kubik-no-such-image"), std::string::npos) << r.describe();
    expect_no_container_state("after an unknown image");
}

TEST_F(Process, InvalidNameIs125) {
    auto r = krun({"--name", "bad name!", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_NE(r.err.find("bad name!"), std::string::npos) << r.describe();
    expect_no_container_state("after an invalid --name");
}

TEST_F(Process, NameLongerThan255Is125AndSaysTheLimit) {
    // The name is a file name, ROOT/names/NAME: 255 bytes at most (NAME_MAX).
    const std::string longest(255, 'a'), too_long(256, 'b');
    auto r = krun({"--rm", "--name", longest, "busybox", "true"});
    EXPECT_EQ(r.exit_code, 0) << "a 255-character name is a valid file name\n" << r.describe();
    expect_no_container_state("after --rm with a 255-character name");

    r = krun({"--name", too_long, "busybox", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.describe();
    EXPECT_EQ(r.out, "") << "the command must not run\n" << r.describe();
    EXPECT_NE(r.err.find("Invalid container name (" + too_long + ")"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("at most 255"), std::string::npos) << "say what the limit is\n" << r.describe();
    EXPECT_EQ(r.err.find("File name too long"), std::string::npos)
        << "checked before the name is claimed, not an error of the file system\n" << r.describe();
    expect_no_container_state("after a 256-character --name");
}

TEST_F(Process, NameInUseIs125) {
    auto first = krun({"--name", "kubik-twin", "busybox", "true"});
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    auto before = container_dirs();
    ASSERT_EQ(before.size(), 1u) << "without --rm the exited container stays, like docker's";
    auto second = krun({"--name", "kubik-twin", "busybox", "true"});
    EXPECT_EQ(second.exit_code, 125) << second.describe();
    EXPECT_NE(second.err.find("kubik-twin"), std::string::npos) << second.describe();
    EXPECT_EQ(container_dirs(), before) << "the failed run must remove its own container directory";
    EXPECT_TRUE(fs::is_symlink(root_ / "names/kubik-twin")) << "the first container keeps its name";
}

TEST_F(Process, RmLeavesNothingAndWithoutRmTheContainerStays) {
    auto r = krun({"--rm", "busybox", "true"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    expect_no_container_state("after --rm");

    r = krun({"busybox", "true"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(container_dirs().size(), 1u) << "without --rm an exited container stays (docker ps -a)";
}

// ---------------------------------------------------------------------------
// Signals and the terminal

TEST_F(Process, SigtermToKubikStopsTheContainer) {
    Child kubik_run(kubik_argv({"run", "--rm", "busybox", "sleep", "100"}));
    auto sleeper = wait_for_descendant(kubik_run.pid(), "sleep");
    ASSERT_TRUE(sleeper) << "no `sleep` process appeared below kubik (pid " << kubik_run.pid() << ")";

    // Timed from the signal, not from the start: start-up on a loaded host
    // is no part of how fast kubik stops.
    const auto signalled = std::chrono::steady_clock::now();
    ASSERT_EQ(::kill(kubik_run.pid(), SIGTERM), 0);
    auto r = kubik_run.finish(10s);
    EXPECT_EQ(r.exit_code, 128 + SIGTERM)
        << "kubik forwards SIGTERM to the container, whose command dies of it: 143\n" << r.describe();
    const auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.exited_at - signalled).count();
    EXPECT_LT(stop_ms, 2500) << "took " << stop_ms << " ms from SIGTERM to exit\n" << r.describe();
    EXPECT_FALSE(is_alive(*sleeper)) << "the container's sleep (pid " << sleeper->pid
                                     << ") survived kubik";
    expect_no_container_state("after SIGTERM");
}

TEST_F(Process, TtyGivesTheCommandATerminal) {
    // `test -t` and `stty size` ask the descriptors themselves (an ioctl), so
    // they answer from lesson 0 on; `tty` would need /proc and /dev, which
    // the container has only from lesson 2 (lesson 2 checks which pty it is).
    auto r = run_in_pty(kubik_argv({"run", "--rm", "-t", "busybox", "sh", "-c",
                                    "for fd in 0 1 2; do test -t $fd && echo fd $fd is a terminal; done; stty size; "
                                    "echo \"TERM=$TERM\""}),
                        37, 123, 20s);
    std::string out;
    for (char c : r.output)
        if (c != '\r') out += c;
    EXPECT_FALSE(r.timed_out) << out;
    EXPECT_EQ(r.exit_code, 0) << out;
    for (int fd = 0; fd <= 2; ++fd)
        EXPECT_NE(out.find("fd " + std::to_string(fd) + " is a terminal\n"), std::string::npos)
            << "with -t the command's descriptor " << fd << " must be a terminal, got:\n" << out;
    EXPECT_NE(out.find("TERM=xterm\n"), std::string::npos) << "docker sets TERM=xterm with -t, got:\n" << out;
    EXPECT_NE(out.find("37 123\n"), std::string::npos)
        << "`stty size` must show the window size of kubik's terminal (37 rows, 123 columns), got:\n"
        << out;
    // TERM=xterm is only the default: -e TERM wins, as docker has it.
    r = run_in_pty(kubik_argv({"run", "--rm", "-t", "-e", "TERM=vt100", "busybox", "sh", "-c", "echo \"TERM=$TERM\""}),
                   24, 80, 20s);
    EXPECT_NE(r.output.find("TERM=vt100"), std::string::npos) << "-t -e TERM=vt100 must keep vt100, got:\n"
                                                              << r.output;
    expect_no_container_state("after -t");
}

}  // namespace
}  // namespace kubik::test
