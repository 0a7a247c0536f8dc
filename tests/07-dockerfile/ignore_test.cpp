// Lesson 7 — .dockerignore (IgnoreRules) against docker's matching rules:
// the cases of moby's patternmatcher tests (fileutils_test.go) and the
// documented ones of the Dockerfile reference, each path with the answer
// docker gives. In-process, no kubik binary.
#include "context_helpers.hpp"

#include "build/build_context.hpp"

namespace kubik::test {
namespace {

using namespace context7;
using kubik::build::IgnoreRules;

struct Case {
    const char* dockerignore;
    const char* path;
    bool excluded;
};

void expect_cases(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        const IgnoreRules rules = IgnoreRules::parse(c.dockerignore);
        EXPECT_EQ(rules.excluded(c.path), c.excluded)
            << ".dockerignore:\n" << c.dockerignore << "\npath: " << c.path << " should be "
            << (c.excluded ? "excluded" : "kept");
    }
}

TEST_F(ContextTest, IgnoreStarStopsAtSlash) {
    expect_cases({
        {"*.go", "main.go", true},
        {"*.go", "cmd/main.go", false},
        {"*.go", "main.gox", false},
        {"*/*.go", "cmd/main.go", true},
        {"*/*.go", "main.go", false},
        {"*", "anything", true},
        {"*", "dir/below", true}, // its parent "dir" matches
        {"a*b", "a/b", false},
    });
}

TEST_F(ContextTest, IgnoreDoubleStarIsAnyNumberOfDirectories) {
    expect_cases({
        {"**/*.go", "main.go", true},
        {"**/*.go", "a/main.go", true},
        {"**/*.go", "a/b/c/main.go", true},
        {"**/*.go", "a/b/main.c", false},
        {"**", "x/y/z", true},
        {"**/foo", "foo", true},
        {"**/foo", "a/b/foo", true},
        {"**/foo", "a/foo/inside", true},
        {"**/foo", "a/foobar", false},
        {"dir/**", "dir/a", true},
        {"dir/**", "dir/a/b", true},
        {"dir/**", "other/a", false},
        {"a/**/b", "a/b", true},
        {"a/**/b", "a/x/y/b", true},
        {"a/**/b", "a/x/y/c", false},
    });
}

TEST_F(ContextTest, IgnoreQuestionMarkClassesAndEscapes) {
    expect_cases({
        {"a?c", "abc", true},
        {"a?c", "a/c", false},
        {"a?c", "ac", false},
        {"[a-c]x", "bx", true},
        {"[a-c]x", "dx", false},
        {"[^a]x", "bx", true},
        {"[^a]x", "ax", false},
        {"a\\*b", "a*b", true},
        {"a\\*b", "axb", false},
        {"a.b", "a.b", true},
        {"a.b", "axb", false}, // '.' is literal, not a regex's "any"
        {"a+b", "a+b", true},
        {"a+b", "aab", false},
        {"(x)", "(x)", true},
        {"$x", "$x", true},
        {"{a,b}", "a", false}, // no brace expansion in docker's patterns
    });
}

TEST_F(ContextTest, IgnoreDirectoryExcludesEverythingBelowIt) {
    expect_cases({
        {"node_modules", "node_modules", true},
        {"node_modules", "node_modules/a/b.js", true},
        {"node_modules", "node_modulesx", false},
        {"node_modules", "src/node_modules", false}, // only at the root, unlike .gitignore
        {"dir/", "dir/file", true},                  // cleaned: "dir"
        {"/dir", "dir/file", true},                  // the leading '/' is the context's root
        {"./dir//sub/", "dir/sub/x", true},
        {"a/../b", "b", true},
        {"dir/*", "dir", false},
        {"dir/*", "dir/x/y", true},
    });
}

TEST_F(ContextTest, IgnoreExceptionsAndTheLastMatchWins) {
    expect_cases({
        {"*.md\n!README.md", "README.md", false},
        {"*.md\n!README.md", "CHANGES.md", true},
        {"*.md\n!README.md\nREADME.md", "README.md", true},
        {"!README.md\n*.md", "README.md", true},
        {"dir\n!dir/keep", "dir/keep", false},
        {"dir\n!dir/keep", "dir/keep/inside", false},
        {"dir\n!dir/keep", "dir/other", true},
        {"**\n!src/**\nsrc/**/*.tmp", "src/a/b.tmp", true},
        {"**\n!src/**\nsrc/**/*.tmp", "src/a/b.c", false},
        {"**\n!src/**\nsrc/**/*.tmp", "docs/x", true},
    });
}

TEST_F(ContextTest, IgnoreFileSyntax) {
    const char* text =
        "\xEF\xBB\xBF"     // a byte order mark before the first pattern
        "first\n"
        "# a comment\n"
        "\n"
        "   \t\n"
        "  spaced  \r\n"  // trimmed, CRLF too
        "  # not a comment\n" // docker checks for '#' before trimming
        "last";
    const IgnoreRules rules = IgnoreRules::parse(text);
    EXPECT_TRUE(rules.excluded("first"));
    EXPECT_TRUE(rules.excluded("spaced"));
    EXPECT_TRUE(rules.excluded("last"));
    EXPECT_FALSE(rules.excluded("# a comment"));
    EXPECT_FALSE(rules.excluded("#"));
    EXPECT_TRUE(rules.excluded("# not a comment"));
    EXPECT_FALSE(rules.excluded("other"));
    EXPECT_FALSE(IgnoreRules::parse("").excluded("a"));
    EXPECT_FALSE(IgnoreRules::parse("*").excluded("")) << "the context's root is never excluded";
    EXPECT_FALSE(IgnoreRules::parse("*").excluded("."));
    // docker refuses a bare "!" (patternmatcher: illegal exclusion pattern).
    const std::string err = error_of([] { (void)IgnoreRules::parse("a\n!\n"); });
    EXPECT_NE(err.find("illegal exclusion pattern"), std::string::npos) << err;
    // Paths are cleaned before they are matched.
    EXPECT_TRUE(IgnoreRules::parse("a/b").excluded("./a//b"));
}

TEST_F(ContextTest, IgnoreMayReincludeUnder) {
    const IgnoreRules rules = IgnoreRules::parse("dir\nother\n!dir/keep/file\n");
    EXPECT_TRUE(rules.may_reinclude_under("dir"));
    EXPECT_TRUE(rules.may_reinclude_under("dir/keep"));
    EXPECT_FALSE(rules.may_reinclude_under("other")) << "no exception names anything below other/";
    EXPECT_FALSE(rules.may_reinclude_under("di")) << "a prefix of a name is not its parent";
    EXPECT_FALSE(IgnoreRules::parse("dir").may_reinclude_under("dir"));
    // An exception starting with a wildcard may match below any directory.
    EXPECT_TRUE(IgnoreRules::parse("vendor\n!**/LICENSE").may_reinclude_under("vendor"));
}

} // namespace
} // namespace kubik::test
