// parse_command_form() and command_argv(): the exec form (a JSON array of
// strings, run as it is) against the shell form (SHELL + the text), with
// docker's fallback to the shell form for text that only looks like JSON.
#include "parse_fixture.hpp"

namespace kubik::test::parse7 {
namespace {

using Words = std::vector<std::string>;
const Words kSh = {"/bin/sh", "-c"};

TEST_F(ParseFunctions, CommandExecForm) {
    const auto f = df::parse_command_form("[\"/bin/echo\", \"hello world\"]");
    EXPECT_TRUE(f.exec_form);
    EXPECT_EQ(f.words, (Words{"/bin/echo", "hello world"}));
}

TEST_F(ParseFunctions, CommandExecFormBlanksAnywhere) {
    const auto f = df::parse_command_form("  [ \"a\" ,\t\"b\"\n ]  ");
    EXPECT_TRUE(f.exec_form);
    EXPECT_EQ(f.words, (Words{"a", "b"}));
}

TEST_F(ParseFunctions, CommandExecFormJsonEscapes) {
    const auto f = df::parse_command_form(R"(["a\"b", "c\\d", "\u00e9\n", "\/", "\ud83d\ude00"])");
    ASSERT_TRUE(f.exec_form);
    EXPECT_EQ(f.words, (Words{"a\"b", "c\\d", "\xC3\xA9\n", "/", "\xF0\x9F\x98\x80"}));
}

TEST_F(ParseFunctions, CommandEmptyArrayIsExecFormWithNoWords) {
    const auto f = df::parse_command_form("[]");
    EXPECT_TRUE(f.exec_form);
    EXPECT_TRUE(f.words.empty());
}

TEST_F(ParseFunctions, CommandShellForm) {
    const auto f = df::parse_command_form("  echo $HOME > /f  ");
    EXPECT_FALSE(f.exec_form);
    EXPECT_EQ(f.words, (Words{"echo $HOME > /f"})) << "one word: the trimmed text, unexpanded";
}

TEST_F(ParseFunctions, CommandEmptyIsShellFormWithNoWords) {
    const auto f = df::parse_command_form("   ");
    EXPECT_FALSE(f.exec_form);
    EXPECT_TRUE(f.words.empty());
}

// Text that starts like JSON but isn't a JSON array of strings is the shell
// form, as written: docker never reports an error for it.
class CommandFallback : public ParseFunctions, public ::testing::WithParamInterface<const char*> {};

TEST_P(CommandFallback, IsShellForm) {
    const std::string text = GetParam();
    const auto f = df::parse_command_form(text);
    EXPECT_FALSE(f.exec_form) << text;
    EXPECT_EQ(f.words, (Words{text})) << text;
}

INSTANTIATE_TEST_SUITE_P(Parse, CommandFallback,
                         ::testing::Values("[ 'x' ]", "[\"a\", b]", "[1]", "[\"a\", 2]", "[\"a\"] tail",
                                           "[\"a\"", "[", "[\"a\",]", "[,\"a\"]", "[\"a\" \"b\"]",
                                           "[null]", "[[\"a\"]]", "[\"bad \\x escape\"]",
                                           "[\"tab\tinside\"]", "[\"\\u12\"]", "[echo hi]"));

TEST_F(ParseFunctions, ArgvExecFormRunsAsItIs) {
    const auto f = df::parse_command_form("[\"/bin/echo\", \"$HOME\"]");
    EXPECT_EQ(df::command_argv(f, kSh), (Words{"/bin/echo", "$HOME"})) << "no shell, so no expansion";
}

TEST_F(ParseFunctions, ArgvShellFormIsShellPlusOneArgument) {
    const auto f = df::parse_command_form("echo a  b | wc -c");
    EXPECT_EQ(df::command_argv(f, kSh), (Words{"/bin/sh", "-c", "echo a  b | wc -c"}));
}

TEST_F(ParseFunctions, ArgvUsesTheStagesShell) {
    const auto f = df::parse_command_form("Get-Item x");
    EXPECT_EQ(df::command_argv(f, {"pwsh", "-NoLogo", "-Command"}), (Words{"pwsh", "-NoLogo", "-Command", "Get-Item x"}));
    const auto e = df::parse_command_form("[\"x\"]");
    EXPECT_EQ(df::command_argv(e, {"pwsh", "-Command"}), (Words{"x"})) << "the exec form ignores SHELL";
}

TEST_F(ParseFunctions, ArgvPrefixComesFirst) {
    const Words entrypoint = {"/docker-entrypoint.sh", "--verbose"};
    EXPECT_EQ(df::command_argv(df::parse_command_form("[\"serve\", \"-p\", \"80\"]"), kSh, entrypoint),
              (Words{"/docker-entrypoint.sh", "--verbose", "serve", "-p", "80"}));
    EXPECT_EQ(df::command_argv(df::parse_command_form("serve now"), kSh, entrypoint),
              (Words{"/docker-entrypoint.sh", "--verbose", "/bin/sh", "-c", "serve now"}));
}

TEST_F(ParseFunctions, ArgvEmptyShellFormIsThePrefixAlone) {
    const auto f = df::parse_command_form("");
    EXPECT_EQ(df::command_argv(f, kSh, {"/entry"}), (Words{"/entry"}));
    EXPECT_TRUE(df::command_argv(f, kSh).empty());
    EXPECT_EQ(df::command_argv(df::parse_command_form("[]"), kSh, {"/entry"}), (Words{"/entry"}));
}

} // namespace
} // namespace kubik::test::parse7
