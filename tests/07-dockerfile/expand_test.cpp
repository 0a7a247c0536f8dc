// expand_word(): docker's own variable expansion (BuildKit's shell lexer),
// quotes, escapes, ${…} modifiers, and its errors.
#include "parse_fixture.hpp"

namespace kubik::test::parse7 {
namespace {

const df::VariableLookup kVars = vars({{"A", "apple"}, {"EMPTY", ""}, {"SPACE", "a b"}, {"B_2", "bee"},
                                        {"Q", "\"q\""}, {"PATH", "/usr/bin"}});

std::string ex(std::string_view word, char escape = '\\') { return df::expand_word(word, kVars, escape); }

TEST_F(ParseFunctions, ExpandPlainWordUnchanged) {
    EXPECT_EQ(ex("/usr/local/bin"), "/usr/local/bin");
    EXPECT_EQ(ex(""), "");
}

TEST_F(ParseFunctions, ExpandDollarName) {
    EXPECT_EQ(ex("$A"), "apple");
    EXPECT_EQ(ex("x$A/y"), "xapple/y");
    EXPECT_EQ(ex("$B_2"), "bee");
    EXPECT_EQ(ex("$A-b"), "apple-b") << "a name is letters, digits and _";
    EXPECT_EQ(ex("$A.txt"), "apple.txt");
    EXPECT_EQ(ex("$PATH:/bin"), "/usr/bin:/bin");
}

TEST_F(ParseFunctions, ExpandBraces) {
    EXPECT_EQ(ex("${A}"), "apple");
    EXPECT_EQ(ex("${A}pie"), "applepie");
    EXPECT_EQ(ex("$Apie"), "") << "$Apie is the variable Apie, unset";
}

TEST_F(ParseFunctions, ExpandUnsetIsEmpty) {
    EXPECT_EQ(ex("[$NOPE]"), "[]");
    EXPECT_EQ(ex("[${NOPE}]"), "[]");
}

TEST_F(ParseFunctions, ExpandDollarBeforeNoNameStays) {
    EXPECT_EQ(ex("$"), "$");
    EXPECT_EQ(ex("a$"), "a$");
    EXPECT_EQ(ex("cost: 5$ /"), "cost: 5$ /");
}

TEST_F(ParseFunctions, ExpandDefaultIfUnsetOrEmpty) {
    EXPECT_EQ(ex("${NOPE:-def}"), "def");
    EXPECT_EQ(ex("${EMPTY:-def}"), "def") << ":- also replaces an empty value";
    EXPECT_EQ(ex("${A:-def}"), "apple");
    EXPECT_EQ(ex("${NOPE:-}"), "");
}

TEST_F(ParseFunctions, ExpandAlternativeIfSetAndNotEmpty) {
    EXPECT_EQ(ex("${A:+alt}"), "alt");
    EXPECT_EQ(ex("${EMPTY:+alt}"), "") << ":+ treats an empty value as unset";
    EXPECT_EQ(ex("${NOPE:+alt}"), "");
}

TEST_F(ParseFunctions, ExpandWithoutColonOnlyUnsetCounts) {
    EXPECT_EQ(ex("${EMPTY-def}"), "");
    EXPECT_EQ(ex("${NOPE-def}"), "def");
    EXPECT_EQ(ex("${EMPTY+alt}"), "alt");
    EXPECT_EQ(ex("${NOPE+alt}"), "");
}

TEST_F(ParseFunctions, ExpandModifierWordIsExpandedToo) {
    EXPECT_EQ(ex("${NOPE:-$A}"), "apple");
    EXPECT_EQ(ex("${NOPE:-${A}/x}"), "apple/x");
    EXPECT_EQ(ex("${NOPE:-${ALSO_NOPE:-deep}}"), "deep");
    EXPECT_EQ(ex("${A:+[$B_2]}"), "[bee]");
    EXPECT_EQ(ex("${NOPE:-a b}"), "a b");
    EXPECT_EQ(ex("${NOPE:-'}'}"), "}") << "quotes in the word protect a brace";
    EXPECT_EQ(ex("${NOPE:-\\}}"), "}");
}

TEST_F(ParseFunctions, ExpandSingleQuotesAreLiteral) {
    EXPECT_EQ(ex("'$A'"), "$A");
    EXPECT_EQ(ex("'a \\ b'"), "a \\ b") << "no escapes inside single quotes";
    EXPECT_EQ(ex("x'${A}'y"), "x${A}y");
    EXPECT_EQ(ex("''"), "");
}

TEST_F(ParseFunctions, ExpandDoubleQuotesExpand) {
    EXPECT_EQ(ex("\"$A pie\""), "apple pie");
    EXPECT_EQ(ex("\"it's\""), "it's");
    EXPECT_EQ(ex("\"a\"'b'c"), "abc");
    EXPECT_EQ(ex("\"\""), "");
}

TEST_F(ParseFunctions, ExpandEscapesInsideDoubleQuotes) {
    EXPECT_EQ(ex(R"("\$A")"), "$A");
    EXPECT_EQ(ex(R"("\"")"), "\"");
    EXPECT_EQ(ex(R"("\\")"), "\\");
    EXPECT_EQ(ex(R"("\n")"), "\\n") << "only \" $ and the escape itself are escaped in \"…\"";
}

TEST_F(ParseFunctions, ExpandEscapeOutsideQuotes) {
    EXPECT_EQ(ex("\\$A"), "$A");
    EXPECT_EQ(ex("\\'x"), "'x");
    EXPECT_EQ(ex("a\\ b"), "a b");
    EXPECT_EQ(ex("\\\\"), "\\");
    EXPECT_EQ(ex("c:\\n"), "c:n");
    EXPECT_EQ(ex("x\\"), "x") << "an escape at the end goes";
}

TEST_F(ParseFunctions, ExpandBacktickEscape) {
    EXPECT_EQ(ex("c:\\dir\\$A", '`'), "c:\\dir\\apple") << "with escape=` a backslash is plain";
    EXPECT_EQ(ex("`$A", '`'), "$A");
    EXPECT_EQ(ex("\"`\"\"", '`'), "\"");
}

TEST_F(ParseFunctions, ExpandValuesAreNotReexpanded) {
    EXPECT_EQ(df::expand_word("$X", vars({{"X", "$A 'q' \\"}}), '\\'), "$A 'q' \\")
        << "a value is inserted as it is: no quotes removed, no second expansion";
    EXPECT_EQ(ex("$Q"), "\"q\"");
    EXPECT_EQ(ex("$SPACE"), "a b");
}

TEST_F(ParseFunctions, ExpandAsksTheLookupForExactNames) {
    std::vector<std::string> asked;
    const df::VariableLookup spy = [&asked](std::string_view name) -> std::optional<std::string> {
        asked.emplace_back(name);
        return std::nullopt;
    };
    (void)df::expand_word("$ab-c ${d_1} ${e:-x}", spy, '\\');
    EXPECT_EQ(asked, (std::vector<std::string>{"ab", "d_1", "e"}));
}

TEST_F(ParseFunctions, ExpandDeepNestingIsAnErrorNotACrash) {
    std::string deep;
    for (int i = 0; i < 200000; ++i) deep += "${X:-";
    deep += "x";
    for (int i = 0; i < 200000; ++i) deep += "}";
    const auto e = error_of([&deep] { (void)ex(deep); });
    EXPECT_FALSE(e.empty()) << "200000 nested substitutions: refused, not a stack overflow";
    EXPECT_EQ(e.find("not a kubik::Error"), std::string::npos) << e.substr(0, 200);
    std::string fine;
    for (int i = 0; i < 50; ++i) fine += "${X:-";
    fine += "x";
    for (int i = 0; i < 50; ++i) fine += "}";
    EXPECT_EQ(ex(fine), "x") << "50 levels are fine";
}

class ExpandErrors : public ParseFunctions,
                     public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(ExpandErrors, Throw) {
    const auto [word, says] = GetParam();
    const auto e = error_of([word = word] { (void)ex(word); });
    ASSERT_FALSE(e.empty()) << word << " must be an error";
    EXPECT_EQ(e.find("not a kubik::Error"), std::string::npos) << e;
    EXPECT_NE(e.find(says), std::string::npos) << word << ": " << e;
}

INSTANTIATE_TEST_SUITE_P(Parse, ExpandErrors,
                         ::testing::Values(std::pair{"${A", "missing '}'"}, std::pair{"${", "missing '}'"},
                                           std::pair{"${A:-x", "missing '}'"},
                                           std::pair{"x${A:-${B}", "missing '}'"},
                                           std::pair{"${A:?x}", "unsupported modifier"},
                                           std::pair{"${A?x}", "unsupported modifier"},
                                           std::pair{"${A#x}", "unsupported modifier"},
                                           std::pair{"${}", "bad substitution"},
                                           std::pair{"${:-x}", "bad substitution"},
                                           std::pair{"'abc", "single-quote"},
                                           std::pair{"\"abc", "double-quote"}));

} // namespace
} // namespace kubik::test::parse7
