// `kubik build --print-ast FILE`: the parser through the real binary. Its
// output is format_ast() of parse_dockerfile() of the file; a bad Dockerfile
// is refused with FILE:LINE and exit 1, by --print-ast and by a real build
// alike, and the build leaves nothing in the store.
#include "build/dockerfile_ast.hpp"
#include "kubik_test.hpp"
#include "parse_fixture.hpp"

namespace kubik::test::parse7 {
namespace {

// A scratch directory with a state root, for kubik commands that must not
// touch anything but it.
class PrintAst : public ParseFunctions {
protected:
    void SetUp() override {
        ParseFunctions::SetUp();
        if (HasFatalFailure()) return;
        const auto help = run({kubik_binary(), "build", "--help"});
        if (help.exit_code != 0 || help.out.find("--print-ast") == std::string::npos)
            GTEST_SKIP() << "kubik build has no --print-ast yet (the builder's part wires it)\n" << help.describe();
    }
    RunResult kubik(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kubik_binary(), "--root", (dir_.path() / "root").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }
    fs::path write(const std::string& name, const std::string& text) {
        const auto p = dir_.path() / "ctx" / name;
        put(p, text);
        return p;
    }
    ScratchDir dir_;
};

TEST_F(PrintAst, PrintsTheParsedInstructions) {
    const std::string text = "# escape=`\nARG BASE=busybox\nFROM $BASE AS build\nRUN make `\n  all\n"
                             "COPY <<EOF /etc/motd\nhi\nEOF\nFROM busybox\nCOPY --from=build /out /bin/\n"
                             "CMD [\"app\"]\n";
    const auto file = write("Dockerfile", text);
    const auto r = kubik({"build", "--print-ast", file.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, df::format_ast(df::parse_dockerfile(text))) << r.describe();
    EXPECT_TRUE(has_line(r.out, "4 RUN shell \"make   all\"")) << r.out;
    EXPECT_TRUE(has_line(r.out, "10 COPY --from=build [\"/out\",\"/bin/\"]")) << r.out;
}

TEST_F(PrintAst, RefusesABadDockerfileWithFileAndLine) {
    const auto file = write("Dockerfile", "FROM busybox\n\nRUNN echo hi\n");
    const auto r = kubik({"build", "--print-ast", file.string()});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("Dockerfile:3: unknown instruction: RUNN"), std::string::npos) << r.describe();
    EXPECT_TRUE(r.out.empty()) << "nothing printed for a file that does not parse\n" << r.describe();
}

TEST_F(PrintAst, BuildOfABadDockerfileMakesNothing) {
    write("Dockerfile", "FROM busybox\nCOPY --frm=x a /b\n");
    const auto r = kubik({"build", "-t", "bad", (dir_.path() / "ctx").string()});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("Dockerfile:2: unknown flag: --frm"), std::string::npos) << r.describe();
    const auto images = kubik({"images", "-q"});
    EXPECT_EQ(images.exit_code, 0) << images.describe();
    EXPECT_TRUE(images.out.empty()) << "no image may be left of a Dockerfile that does not parse\n" << images.describe();
}

} // namespace
} // namespace kubik::test::parse7
