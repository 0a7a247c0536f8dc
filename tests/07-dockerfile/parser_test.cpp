// parse_dockerfile() and format_ast(): every instruction of the Dockerfile
// reference cut into keyword, flags and arguments as docker's BuildKit
// frontend cuts it; directives; stages; and every error, each naming the
// file and line ("Dockerfile:3: unknown instruction: RUNN").
#include "parse_fixture.hpp"

#include "build/dockerfile_ast.hpp"

namespace kubik::test::parse7 {
namespace {

using Words = std::vector<std::string>;

df::Dockerfile parse(std::string_view text) { return df::parse_dockerfile(text, "Dockerfile"); }

// The only instruction after `FROM scratch`.
df::Instruction one(const std::string& line) {
    const auto d = parse("FROM scratch\n" + line + "\n");
    EXPECT_EQ(d.stages.size(), 1u);
    EXPECT_EQ(d.stages.at(0).instructions.size(), 1u) << line;
    return d.stages.at(0).instructions.at(0);
}

TEST_F(ParseFunctions, ParserStagesAndGlobalArgs) {
    const auto d = parse("ARG BASE=busybox\nARG TAG\nFROM $BASE AS Build\nRUN make\n"
                         "FROM busybox\nCOPY --from=build /out /bin/\nCMD [\"app\"]\n");
    ASSERT_EQ(d.global_args.size(), 2u);
    EXPECT_EQ(d.global_args[0].args, (Words{"BASE=busybox"}));
    EXPECT_EQ(d.global_args[1].args, (Words{"TAG"}));
    ASSERT_EQ(d.stages.size(), 2u);
    EXPECT_EQ(d.stages[0].index, 0);
    EXPECT_EQ(d.stages[0].name, "build") << "stage names are lower-cased, as docker does";
    EXPECT_EQ(d.stages[0].from.args, (Words{"$BASE", "AS", "Build"})) << "FROM's image is not expanded here";
    EXPECT_EQ(d.stages[0].from.line, 3);
    ASSERT_EQ(d.stages[0].instructions.size(), 1u);
    EXPECT_EQ(d.stages[0].instructions[0].keyword, "RUN");
    EXPECT_EQ(d.stages[1].index, 1);
    EXPECT_EQ(d.stages[1].name, "");
    ASSERT_EQ(d.stages[1].instructions.size(), 2u);
    EXPECT_EQ(d.stages[1].instructions[0].flag("from"), "build");
    EXPECT_EQ(d.stages[1].instructions[0].args, (Words{"/out", "/bin/"}));
    EXPECT_EQ(d.stages[1].instructions[1].line, 7);
}

TEST_F(ParseFunctions, ParserKeywordsAreCaseInsensitive) {
    const auto d = parse("from scratch as base\nrun echo hi\nCoPy a b\n");
    EXPECT_EQ(d.stages.at(0).from.keyword, "FROM");
    EXPECT_EQ(d.stages.at(0).from.args, (Words{"scratch", "AS", "base"}));
    EXPECT_EQ(d.stages.at(0).instructions.at(0).keyword, "RUN");
    EXPECT_EQ(d.stages.at(0).instructions.at(1).keyword, "COPY");
    EXPECT_EQ(d.stages.at(0).instructions.at(1).original, "CoPy a b");
}

TEST_F(ParseFunctions, ParserFromPlatform) {
    const auto d = parse("FROM --platform=linux/amd64 busybox\n");
    EXPECT_EQ(d.stages.at(0).from.flag("platform"), "linux/amd64");
    EXPECT_EQ(d.stages.at(0).from.args, (Words{"busybox"}));
}

TEST_F(ParseFunctions, ParserRunShellAndExec) {
    auto i = one("RUN echo $HOME && ls");
    EXPECT_FALSE(i.command.exec_form);
    EXPECT_EQ(i.command.words, (Words{"echo $HOME && ls"}));
    EXPECT_TRUE(i.args.empty());
    i = one("RUN [\"/bin/ls\", \"-l\"]");
    EXPECT_TRUE(i.command.exec_form);
    EXPECT_EQ(i.command.words, (Words{"/bin/ls", "-l"}));
}

TEST_F(ParseFunctions, ParserRunFlags) {
    const auto i = one("RUN --mount=type=cache,target=/root/.cache --mount=type=bind,source=x,target=/x "
                       "--network=none pip install .");
    ASSERT_EQ(i.flags.size(), 3u);
    EXPECT_EQ(i.flags[0].name, "mount");
    EXPECT_EQ(i.flags[0].value, "type=cache,target=/root/.cache");
    EXPECT_EQ(i.flags[1].value, "type=bind,source=x,target=/x");
    EXPECT_EQ(i.flag("network"), "none");
    EXPECT_EQ(i.flag("mount"), "type=bind,source=x,target=/x") << "flag() gives the last one";
    EXPECT_EQ(i.command.words, (Words{"pip install ."}));
}

TEST_F(ParseFunctions, ParserFlagQuotesAreRemoved) {
    const auto i = one("COPY --chown=\"app user:staff\" a b");
    EXPECT_EQ(i.flag("chown"), "app user:staff");
    EXPECT_EQ(i.args, (Words{"a", "b"}));
}

TEST_F(ParseFunctions, ParserDoubleDashEndsFlags) {
    const auto i = one("RUN -- --version");
    EXPECT_TRUE(i.flags.empty());
    EXPECT_EQ(i.command.words, (Words{"--version"}));
}

TEST_F(ParseFunctions, ParserRunHeredocIsShellForm) {
    const auto d = parse("FROM scratch\nRUN <<EOF\necho hi\nEOF\nRUN python3 <<'PY' > /out\nprint(1)\nPY\n");
    const auto& r = d.stages.at(0).instructions;
    ASSERT_EQ(r.size(), 2u);
    EXPECT_FALSE(r[0].command.exec_form);
    EXPECT_EQ(r[0].command.words, (Words{"<<EOF"}));
    ASSERT_EQ(r[0].heredocs.size(), 1u);
    EXPECT_EQ(r[0].heredocs[0].body, "echo hi\n");
    EXPECT_EQ(r[1].command.words, (Words{"python3 <<'PY' > /out"}));
    ASSERT_EQ(r[1].heredocs.size(), 1u);
    EXPECT_FALSE(r[1].heredocs[0].expand);
    EXPECT_EQ(r[1].line, 5);
}

TEST_F(ParseFunctions, ParserCopyHeredocSource) {
    const auto d = parse("FROM scratch\nCOPY --chmod=0644 <<-\"EOF\" /etc/motd\n\thello\n\tEOF\n");
    const auto& c = d.stages.at(0).instructions.at(0);
    EXPECT_EQ(c.args, (Words{"<<EOF", "/etc/motd"}));
    EXPECT_EQ(c.flag("chmod"), "0644");
    ASSERT_EQ(c.heredocs.size(), 1u);
    EXPECT_EQ(c.heredocs[0].body, "hello\n");
}

TEST_F(ParseFunctions, ParserCopyForms) {
    auto i = one("COPY a b c /dest/");
    EXPECT_EQ(i.args, (Words{"a", "b", "c", "/dest/"}));
    i = one("COPY [\"my file\", \"/my dir/\"]");
    EXPECT_EQ(i.args, (Words{"my file", "/my dir/"})) << "the JSON form, for names with blanks";
    i = one("COPY \"a b\" $DEST");
    EXPECT_EQ(i.args, (Words{"\"a b\"", "$DEST"})) << "quotes kept for expand_word, not expanded";
    i = one("COPY --link --parents --exclude=*.tmp --exclude=.git src/ /app/");
    EXPECT_EQ(i.flags.size(), 4u);
    EXPECT_EQ(i.flag("link"), "");
}

TEST_F(ParseFunctions, ParserAddFlags) {
    const auto i = one("ADD --chown=1:2 --chmod=755 --checksum=sha256:abc --keep-git-dir=true app.tar.gz /srv/");
    EXPECT_EQ(i.flag("chown"), "1:2");
    EXPECT_EQ(i.flag("keep-git-dir"), "true");
    EXPECT_EQ(i.args, (Words{"app.tar.gz", "/srv/"}));
}

TEST_F(ParseFunctions, ParserEnvPairs) {
    const auto i = one("ENV A=1 B=\"two words\" C='$x' D=a\\ b E=");
    EXPECT_EQ(i.args, (Words{"A", "1", "B", "\"two words\"", "C", "'$x'", "D", "a\\ b", "E", ""}))
        << "ENV keeps quotes and escapes; the builder expands the value with expand_word";
}

TEST_F(ParseFunctions, ParserEnvLegacyForm) {
    auto i = one("ENV GREETING hello   big world");
    EXPECT_EQ(i.args, (Words{"GREETING", "hello   big world"})) << "legacy: the name, then the whole rest";
    i = one("ENV X \"quoted\"");
    EXPECT_EQ(i.args, (Words{"X", "\"quoted\""}));
}

TEST_F(ParseFunctions, ParserEnvValueWithEqualsSign) {
    const auto i = one("ENV OPTS=--a=b");
    EXPECT_EQ(i.args, (Words{"OPTS", "--a=b"}));
}

TEST_F(ParseFunctions, ParserLabel) {
    auto i = one("LABEL org.opencontainers.image.title=\"My app\" version=1.0");
    EXPECT_EQ(i.args, (Words{"org.opencontainers.image.title", "\"My app\"", "version", "1.0"}));
    i = one("LABEL \"com.example.vendor\"=\"ACME\"");
    EXPECT_EQ(i.args, (Words{"\"com.example.vendor\"", "\"ACME\""}));
    i = one("LABEL maintainer someone");
    EXPECT_EQ(i.args, (Words{"maintainer", "someone"}));
}

TEST_F(ParseFunctions, ParserArg) {
    auto i = one("ARG VERSION");
    EXPECT_EQ(i.args, (Words{"VERSION"}));
    i = one("ARG A=1 B C=\"x y\"");
    EXPECT_EQ(i.args, (Words{"A=1", "B", "C=\"x y\""})) << "one word per ARG, quotes kept";
}

TEST_F(ParseFunctions, ParserCmdAndEntrypoint) {
    auto i = one("CMD [\"python3\", \"app.py\"]");
    EXPECT_TRUE(i.command.exec_form);
    EXPECT_EQ(i.command.words, (Words{"python3", "app.py"}));
    i = one("ENTRYPOINT exec top -b");
    EXPECT_FALSE(i.command.exec_form);
    EXPECT_EQ(i.command.words, (Words{"exec top -b"}));
    i = one("CMD []");
    EXPECT_TRUE(i.command.exec_form);
    EXPECT_TRUE(i.command.words.empty());
    i = one("CMD [\"a\", 'b']");
    EXPECT_FALSE(i.command.exec_form) << "not JSON: the shell form";
}

TEST_F(ParseFunctions, ParserExposeVolume) {
    auto i = one("EXPOSE 80 443/tcp   53/udp");
    EXPECT_EQ(i.args, (Words{"80", "443/tcp", "53/udp"}));
    i = one("VOLUME /data /var/log");
    EXPECT_EQ(i.args, (Words{"/data", "/var/log"}));
    i = one("VOLUME [\"/my data\"]");
    EXPECT_EQ(i.args, (Words{"/my data"}));
}

TEST_F(ParseFunctions, ParserOneWordInstructions) {
    EXPECT_EQ(one("WORKDIR /app/my dir").args, (Words{"/app/my dir"})) << "WORKDIR takes the rest of the line";
    EXPECT_EQ(one("USER app:staff").args, (Words{"app:staff"}));
    EXPECT_EQ(one("STOPSIGNAL SIGTERM").args, (Words{"SIGTERM"}));
    EXPECT_EQ(one("MAINTAINER Jane Doe <jane@example.com>").args, (Words{"Jane Doe <jane@example.com>"}));
}

TEST_F(ParseFunctions, ParserShell) {
    const auto i = one("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]");
    EXPECT_EQ(i.args, (Words{"/bin/bash", "-o", "pipefail", "-c"}));
}

TEST_F(ParseFunctions, ParserHealthcheck) {
    auto i = one("HEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --retries=3 "
                 "CMD wget -q -O- http://localhost/ || exit 1");
    EXPECT_EQ(i.args, (Words{"CMD"}));
    EXPECT_EQ(i.flag("interval"), "30s");
    EXPECT_EQ(i.flag("retries"), "3");
    EXPECT_FALSE(i.command.exec_form);
    EXPECT_EQ(i.command.words, (Words{"wget -q -O- http://localhost/ || exit 1"}));
    i = one("HEALTHCHECK cmd [\"/check\"]");
    EXPECT_EQ(i.args, (Words{"CMD"}));
    EXPECT_TRUE(i.command.exec_form);
    i = one("HEALTHCHECK none");
    EXPECT_EQ(i.args, (Words{"NONE"}));
}

TEST_F(ParseFunctions, ParserOnbuild) {
    const auto i = one("ONBUILD COPY --chown=app . /src");
    EXPECT_EQ(i.args, (Words{"COPY --chown=app . /src"}));
    ASSERT_EQ(i.trigger.size(), 1u);
    EXPECT_EQ(i.trigger[0].keyword, "COPY");
    EXPECT_EQ(i.trigger[0].flag("chown"), "app");
    EXPECT_EQ(i.trigger[0].args, (Words{".", "/src"}));
    const auto r = one("onbuild run make");
    ASSERT_EQ(r.trigger.size(), 1u);
    EXPECT_EQ(r.trigger[0].command.words, (Words{"make"}));
}

TEST_F(ParseFunctions, ParserContinuationsAndCommentsInside) {
    const auto d = parse("FROM scratch\nRUN set -e; \\\n# why\n    make \\\n\n    install\nENV A=1\n");
    const auto& r = d.stages.at(0).instructions;
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].command.words, (Words{"set -e;     make     install"}));
    EXPECT_EQ(r[1].line, 7);
}

TEST_F(ParseFunctions, ParserDirectives) {
    const auto d = parse("# syntax=docker/dockerfile:1.7\n# ESCAPE = `\n# check=skip=all\n"
                         "FROM scratch\nRUN dir c:\\ `\n  /b\n");
    EXPECT_EQ(d.directives.escape, '`');
    EXPECT_EQ(d.directives.syntax, "docker/dockerfile:1.7");
    EXPECT_EQ(d.directives.check, "skip=all");
    EXPECT_EQ(d.stages.at(0).instructions.at(0).command.words, (Words{"dir c:\\   /b"}));
}

TEST_F(ParseFunctions, ParserDirectivesOnlyAtTheTop) {
    auto d = parse("FROM scratch\n# escape=`\nRUN a \\\n b\n");
    EXPECT_EQ(d.directives.escape, '\\') << "after an instruction it is a comment";
    EXPECT_EQ(d.stages.at(0).instructions.at(0).command.words, (Words{"a  b"}));
    d = parse("# a comment\n# escape=`\nFROM scratch\n");
    EXPECT_EQ(d.directives.escape, '\\') << "after a comment it is a comment";
    d = parse("\n# escape=`\nFROM scratch\n");
    EXPECT_EQ(d.directives.escape, '\\') << "after an empty line it is a comment";
    d = parse("# unknown=x\n# escape=`\nFROM scratch\n");
    EXPECT_EQ(d.directives.escape, '\\') << "after an unknown directive it is a comment";
}

TEST_F(ParseFunctions, ParserWindowsLineEnds) {
    const auto d = parse("FROM scratch\r\nENV A=1\r\nCMD [\"x\"]\r\n");
    const auto& r = d.stages.at(0).instructions;
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].args, (Words{"A", "1"}));
    EXPECT_TRUE(r[1].command.exec_form);
}

// Every error: the file, the line and the problem, exit 1.
struct BadDockerfile {
    const char* name;
    const char* text;
    const char* says; ///< the whole message must contain this
};

class ParserErrors : public ParseFunctions, public ::testing::WithParamInterface<BadDockerfile> {};

TEST_P(ParserErrors, NameFileLineAndProblem) {
    const auto& bad = GetParam();
    std::string message;
    int code = 0;
    try {
        (void)df::parse_dockerfile(bad.text, "path/Dockerfile.dev");
    } catch (const kubik::Error& e) {
        message = e.what();
        code = e.exit_code();
    } catch (const std::exception& e) {
        FAIL() << "not a kubik::Error: " << e.what();
    }
    ASSERT_FALSE(message.empty()) << bad.text << "\nmust be refused";
    EXPECT_NE(message.find(bad.says), std::string::npos) << "got: " << message;
    EXPECT_EQ(code, 1) << "docker's build errors exit 1";
}

// Names for gtest: no blanks, no punctuation.
std::string bad_name(const ::testing::TestParamInfo<BadDockerfile>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(
    Parse, ParserErrors,
    ::testing::Values(
        BadDockerfile{"UnknownInstruction", "FROM a\n\nRUNN echo\n", "path/Dockerfile.dev:3: unknown instruction: RUNN"},
        BadDockerfile{"UnknownInstructionAfterContinuation", "FROM a\nRUN a \\\n  b\nFOO x\n",
                      "path/Dockerfile.dev:4: unknown instruction: FOO"},
        BadDockerfile{"EmptyFile", "", "path/Dockerfile.dev: file with no instructions"},
        BadDockerfile{"OnlyComments", "# syntax=x\n\n# nothing\n", "path/Dockerfile.dev: file with no instructions"},
        BadDockerfile{"OnlyArgs", "ARG A=1\n", "path/Dockerfile.dev:1: no FROM"},
        BadDockerfile{"RunBeforeFrom", "ARG A\nRUN x\nFROM a\n", "path/Dockerfile.dev:2: RUN before the first FROM"},
        BadDockerfile{"MissingArgument", "FROM a\nRUN\n", "path/Dockerfile.dev:2: RUN requires at least one argument"},
        BadDockerfile{"MissingArgumentAfterFlags", "FROM a\nRUN --network=none\n",
                      "path/Dockerfile.dev:2: RUN requires at least one argument"},
        BadDockerfile{"FromAlone", "FROM\n", "path/Dockerfile.dev:1: FROM requires at least one argument"},
        BadDockerfile{"FromTwoWords", "FROM a b\n", "path/Dockerfile.dev:1: FROM requires either one or three arguments"},
        BadDockerfile{"FromAsWithoutName", "FROM a AS\n", "FROM requires either one or three arguments"},
        BadDockerfile{"FromBadStageName", "FROM a AS 1st\n", "path/Dockerfile.dev:1: invalid name for build stage: \"1st\""},
        BadDockerfile{"DuplicateStage", "FROM a AS x\nFROM b AS X\n", "path/Dockerfile.dev:2: duplicate stage name \"x\""},
        BadDockerfile{"EnvWithoutValue", "FROM a\nENV NAME\n", "path/Dockerfile.dev:2: ENV must have two arguments"},
        BadDockerfile{"EnvPairMissingEquals", "FROM a\nENV A=1 B\n", "can't find = in \"B\""},
        BadDockerfile{"EnvBlankName", "FROM a\nENV =1\n", "ENV names can not be blank"},
        BadDockerfile{"LabelWithoutValue", "FROM a\nLABEL key\n", "path/Dockerfile.dev:2: LABEL must have two arguments"},
        BadDockerfile{"ArgBlankName", "FROM a\nARG =x\n", "ARG names can not be blank"},
        BadDockerfile{"CopyOneArgument", "FROM a\nCOPY onlysource\n", "path/Dockerfile.dev:2: COPY requires at least two arguments"},
        BadDockerfile{"AddNoArgument", "FROM a\nADD\n", "ADD requires at least one argument"},
        BadDockerfile{"UnknownFlag", "FROM a\nCOPY --x=1 a b\n", "path/Dockerfile.dev:2: unknown flag: --x"},
        BadDockerfile{"FlagOfAnotherInstruction", "FROM a\nRUN --from=x true\n", "path/Dockerfile.dev:2: unknown flag: --from"},
        BadDockerfile{"FlagOnEnv", "FROM a\nENV --x A=1\n", "unknown flag: --x"},
        BadDockerfile{"FlagOnCmd", "FROM a\nCMD --help\n", "unknown flag: --help"},
        BadDockerfile{"FlagWithoutValue", "FROM a\nCOPY --from a b\n", "path/Dockerfile.dev:2: missing a value on flag: --from"},
        BadDockerfile{"DuplicateFlag", "FROM a\nCOPY --from=x --from=y a b\n", "duplicate flag specified: --from"},
        BadDockerfile{"BadBoolFlag", "FROM a\nCOPY --link=maybe a b\n", "expecting boolean value for flag --link, not: maybe"},
        BadDockerfile{"BadNetwork", "FROM a\nRUN --network=bridge0 true\n", "unsupported network mode"},
        BadDockerfile{"BadHealthcheckInterval", "FROM a\nHEALTHCHECK --interval=5 CMD true\n", "invalid duration for --interval"},
        BadDockerfile{"BadHealthcheckRetries", "FROM a\nHEALTHCHECK --retries=-1 CMD true\n", "--retries must be a number"},
        BadDockerfile{"HealthcheckUnknownType", "FROM a\nHEALTHCHECK RUN true\n", "Unknown type \"RUN\" in HEALTHCHECK"},
        BadDockerfile{"HealthcheckCmdWithoutCommand", "FROM a\nHEALTHCHECK CMD\n", "Missing command after HEALTHCHECK CMD"},
        BadDockerfile{"HealthcheckNoneWithArgs", "FROM a\nHEALTHCHECK NONE x\n", "HEALTHCHECK NONE takes no arguments"},
        BadDockerfile{"ShellNotJson", "FROM a\nSHELL /bin/bash -c\n", "path/Dockerfile.dev:2: SHELL requires the arguments to be in JSON form"},
        BadDockerfile{"ShellEmpty", "FROM a\nSHELL []\n", "SHELL requires at least one argument"},
        BadDockerfile{"StopsignalTwoWords", "FROM a\nSTOPSIGNAL TERM KILL\n", "STOPSIGNAL requires exactly one argument"},
        BadDockerfile{"VolumeEmptyString", "FROM a\nVOLUME [\"\"]\n", "VOLUME specified can not be an empty string"},
        BadDockerfile{"OnbuildOnbuild", "FROM a\nONBUILD ONBUILD RUN x\n", "path/Dockerfile.dev:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
        BadDockerfile{"OnbuildFrom", "FROM a\nONBUILD FROM b\n", "FROM isn't allowed as an ONBUILD trigger"},
        BadDockerfile{"OnbuildMaintainer", "FROM a\nONBUILD MAINTAINER me\n", "MAINTAINER isn't allowed as an ONBUILD trigger"},
        BadDockerfile{"OnbuildUnknown", "FROM a\nONBUILD RUNN x\n", "path/Dockerfile.dev:2: unknown instruction: RUNN"},
        BadDockerfile{"OnbuildEmpty", "FROM a\nONBUILD\n", "ONBUILD requires at least one argument"},
        BadDockerfile{"UnterminatedHeredoc", "FROM a\nRUN <<EOF\necho\n", "path/Dockerfile.dev:2: unterminated heredoc EOF opened on line 2"},
        BadDockerfile{"LoneContinuationAtEnd", "FROM a\n\\\n", "path/Dockerfile.dev:2:"},
        BadDockerfile{"BadEscapeDirective", "# escape=x\nFROM a\n", "path/Dockerfile.dev:1: invalid escape token 'x'"},
        BadDockerfile{"DuplicateDirective", "# escape=`\n# escape=\\\nFROM a\n", "path/Dockerfile.dev:2: only one escape parser directive"}),
    bad_name);

// format_ast: what `kubik build --print-ast` prints.
TEST_F(ParseFunctions, FormatAstOneLinePerInstruction) {
    const auto d = parse("# escape=`\nARG BASE=busybox\nFROM $BASE AS build\n"
                         "RUN --mount=type=cache,target=/c make `\n  all\n"
                         "COPY <<EOF /etc/motd\nhi \"there\"\nEOF\n"
                         "FROM busybox\nCOPY --from=build --chown=\"a b\" /out /bin/\n"
                         "CMD [\"app\", \"-v\"]\nHEALTHCHECK --retries=2 CMD true\nONBUILD RUN make\n");
    const std::string expected =
        "# escape=`\n"
        "2 ARG [\"BASE=busybox\"]\n"
        "3 FROM [\"$BASE\",\"AS\",\"build\"]\n"
        "4 RUN --mount=type=cache,target=/c shell \"make   all\"\n"
        "6 COPY [\"<<EOF\",\"/etc/motd\"] heredoc \"EOF\" \"hi \\\"there\\\"\\n\"\n"
        "9 FROM [\"busybox\"]\n"
        "10 COPY --from=build --chown=\"a b\" [\"/out\",\"/bin/\"]\n"
        "11 CMD exec [\"app\",\"-v\"]\n"
        "12 HEALTHCHECK --retries=2 [\"CMD\"] shell \"true\"\n"
        "13 ONBUILD [\"RUN make\"] trigger RUN shell \"make\"\n";
    EXPECT_EQ(df::format_ast(d), expected);
}

TEST_F(ParseFunctions, FormatAstKeepsEveryLineOneLine) {
    const auto d = parse("FROM scratch\nRUN <<EOF\na\nb\nEOF\nLABEL x=\"\xff\"\n");
    const auto text = df::format_ast(d);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
}

} // namespace
} // namespace kubik::test::parse7
