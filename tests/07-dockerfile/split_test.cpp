// split_instructions() and the given heredoc_markers(): physical lines to
// logical instructions, as BuildKit's parser reads them (continuations,
// comments anywhere, the escape directive's character, heredoc bodies),
// each with the line it starts on.
#include "parse_fixture.hpp"

namespace kubik::test::parse7 {
namespace {

std::vector<df::RawInstruction> split(std::string_view text, char escape = '\\') {
    return df::split_instructions(text, escape);
}

std::vector<std::string> texts(const std::vector<df::RawInstruction>& list) {
    std::vector<std::string> out;
    for (const auto& i : list) out.push_back(i.text);
    return out;
}

std::vector<int> lines(const std::vector<df::RawInstruction>& list) {
    std::vector<int> out;
    for (const auto& i : list) out.push_back(i.line);
    return out;
}

using Texts = std::vector<std::string>;
using Lines = std::vector<int>;

TEST_F(ParseFunctions, SplitOneInstructionPerLine) {
    const auto r = split("FROM busybox\nRUN echo hi\nCMD [\"sh\"]\n");
    EXPECT_EQ(texts(r), (Texts{"FROM busybox", "RUN echo hi", "CMD [\"sh\"]"}));
    EXPECT_EQ(lines(r), (Lines{1, 2, 3}));
}

TEST_F(ParseFunctions, SplitLastLineWithoutNewline) {
    EXPECT_EQ(texts(split("FROM a\nRUN b")), (Texts{"FROM a", "RUN b"}));
}

TEST_F(ParseFunctions, SplitSkipsEmptyAndBlankLinesButCountsThem) {
    const auto r = split("\n\nFROM a\n   \n\t\nRUN b\n\n");
    EXPECT_EQ(texts(r), (Texts{"FROM a", "RUN b"}));
    EXPECT_EQ(lines(r), (Lines{3, 6})) << "line numbers count every physical line, empty ones too";
}

TEST_F(ParseFunctions, SplitTrimsLeadingAndTrailingBlanks) {
    EXPECT_EQ(texts(split("   FROM a   \n\tRUN b\t\n")), (Texts{"FROM a", "RUN b"}));
}

TEST_F(ParseFunctions, SplitDropsCommentLinesAnywhere) {
    const auto r = split("# top\nFROM a\n   # indented comment\nRUN b\n#end");
    EXPECT_EQ(texts(r), (Texts{"FROM a", "RUN b"}));
    EXPECT_EQ(lines(r), (Lines{2, 4}));
}

TEST_F(ParseFunctions, SplitKeepsHashInsideALine) {
    EXPECT_EQ(texts(split("RUN echo hi # not docker's comment\n")), (Texts{"RUN echo hi # not docker's comment"}))
        << "only a line that starts with # is a comment; the rest is the shell's business";
}

TEST_F(ParseFunctions, SplitJoinsContinuationRemovingOnlyEscapeAndNewline) {
    const auto r = split("RUN a \\\n  b\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].text, "RUN a   b") << "the blanks on both sides of the join stay";
    EXPECT_EQ(r[0].line, 1);
}

TEST_F(ParseFunctions, SplitJoinsSeveralContinuations) {
    const auto r = split("FROM x\nRUN apt-get update \\\n && apt-get install -y \\\n    curl\nCMD y\n");
    EXPECT_EQ(texts(r), (Texts{"FROM x", "RUN apt-get update  && apt-get install -y     curl", "CMD y"}));
    EXPECT_EQ(lines(r), (Lines{1, 2, 5}));
}

TEST_F(ParseFunctions, SplitContinuationWithBlanksAfterTheEscape) {
    EXPECT_EQ(texts(split("RUN a \\  \t\nb\n")), (Texts{"RUN a b"}))
        << "docker's continuation pattern allows blanks after the escape character";
}

TEST_F(ParseFunctions, SplitCommentsAndEmptyLinesInsideAContinuationVanish) {
    const auto r = split("RUN a \\\n# a comment\n\n   \n  # another\n  b\nCMD c\n");
    EXPECT_EQ(texts(r), (Texts{"RUN a   b", "CMD c"}));
    EXPECT_EQ(lines(r), (Lines{1, 7}));
}

TEST_F(ParseFunctions, SplitEscapeInTheMiddleIsNoContinuation) {
    EXPECT_EQ(texts(split("RUN echo a\\b\nCMD c\n")), (Texts{"RUN echo a\\b", "CMD c"}));
}

TEST_F(ParseFunctions, SplitBacktickEscape) {
    const auto r = split("RUN dir c:\\ `\n  /w\nCMD \\\n", '`');
    EXPECT_EQ(texts(r), (Texts{"RUN dir c:\\   /w", "CMD \\"}))
        << "with escape=` a backslash at the end is just a character (Windows paths)";
}

TEST_F(ParseFunctions, SplitTrailingEscapeAtEndOfFileIsAccepted) {
    EXPECT_EQ(texts(split("FROM a\nRUN b \\")), (Texts{"FROM a", "RUN b"}));
    EXPECT_EQ(texts(split("FROM a\nRUN b \\\n\n# c\n")), (Texts{"FROM a", "RUN b"}));
}

TEST_F(ParseFunctions, SplitLoneEscapeAtEndOfFileIsAnErrorNamingTheLine) {
    const auto e = error_of([] { split("FROM a\n\n\\\n"); });
    EXPECT_NE(e.find("line 3"), std::string::npos) << e;
}

TEST_F(ParseFunctions, SplitCrLfLineEnds) {
    const auto r = split("FROM a\r\nRUN b \\\r\n c\r\n");
    EXPECT_EQ(texts(r), (Texts{"FROM a", "RUN b  c"})) << "\\r\\n ends a line like \\n";
}

TEST_F(ParseFunctions, SplitByteOrderMark) {
    EXPECT_EQ(texts(split("\xEF\xBB\xBF" "FROM a\n")), (Texts{"FROM a"}));
}

TEST_F(ParseFunctions, SplitDirectivesAreComments) {
    const auto r = split("# syntax=docker/dockerfile:1\n# escape=\\\nFROM a\n");
    EXPECT_EQ(texts(r), (Texts{"FROM a"}));
    EXPECT_EQ(lines(r), (Lines{3}));
}

TEST_F(ParseFunctions, SplitNothingButComments) {
    EXPECT_TRUE(split("").empty());
    EXPECT_TRUE(split("# a\n\n   # b\n").empty());
}

TEST_F(ParseFunctions, SplitHeredocBody) {
    const auto r = split("FROM a\nRUN <<EOF\necho one\n  echo two\nEOF\nCMD x\n");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[1].text, "RUN <<EOF");
    ASSERT_EQ(r[1].heredocs.size(), 1u);
    EXPECT_EQ(r[1].heredocs[0].name, "EOF");
    EXPECT_EQ(r[1].heredocs[0].body, "echo one\n  echo two\n");
    EXPECT_TRUE(r[1].heredocs[0].expand);
    EXPECT_FALSE(r[1].heredocs[0].strip_tabs);
    EXPECT_EQ(r[2].text, "CMD x");
    EXPECT_EQ(r[2].line, 6) << "the body's lines count";
}

TEST_F(ParseFunctions, SplitHeredocBodyIsTakenAsItIs) {
    const auto r = split("RUN <<EOF\n# not a comment\n\nline \\\nEOF\n");
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].heredocs.size(), 1u);
    EXPECT_EQ(r[0].heredocs[0].body, "# not a comment\n\nline \\\n")
        << "no comments, empty lines or continuations inside a heredoc";
}

TEST_F(ParseFunctions, SplitSeveralHeredocsOnOneLine) {
    const auto r = split("COPY <<A <<B /dest/\nfirst\nA\nsecond\nB\nRUN x\n");
    ASSERT_EQ(r.size(), 2u);
    ASSERT_EQ(r[0].heredocs.size(), 2u);
    EXPECT_EQ(r[0].heredocs[0].name, "A");
    EXPECT_EQ(r[0].heredocs[0].body, "first\n");
    EXPECT_EQ(r[0].heredocs[1].name, "B");
    EXPECT_EQ(r[0].heredocs[1].body, "second\n");
    EXPECT_EQ(r[1].line, 6);
}

TEST_F(ParseFunctions, SplitHeredocStripTabs) {
    const auto r = split("RUN <<-EOT\n\t\techo hi\n\tEOT\n");
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].heredocs.size(), 1u);
    EXPECT_TRUE(r[0].heredocs[0].strip_tabs);
    EXPECT_EQ(r[0].heredocs[0].body, "echo hi\n") << "<<- cuts leading tabs, also before the delimiter";
}

TEST_F(ParseFunctions, SplitHeredocDelimiterMustBeTheWholeLine) {
    const auto r = split("RUN <<EOF\n EOF\nEOF2\nEOF\n");
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].heredocs.size(), 1u);
    EXPECT_EQ(r[0].heredocs[0].body, " EOF\nEOF2\n");
}

TEST_F(ParseFunctions, SplitQuotedHeredocDoesNotExpand) {
    for (const char* line : {"RUN <<\"EOF\"", "RUN <<'EOF'"}) {
        const auto r = split(std::string(line) + "\n$HOME\nEOF\n");
        ASSERT_EQ(r.size(), 1u) << line;
        ASSERT_EQ(r[0].heredocs.size(), 1u) << line;
        EXPECT_EQ(r[0].heredocs[0].name, "EOF") << line;
        EXPECT_FALSE(r[0].heredocs[0].expand) << line;
        EXPECT_EQ(r[0].heredocs[0].body, "$HOME\n") << line;
    }
}

TEST_F(ParseFunctions, SplitHeredocAfterAContinuation) {
    const auto r = split("RUN --network=none \\\n  <<EOF\nbody\nEOF\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].text, "RUN --network=none   <<EOF");
    ASSERT_EQ(r[0].heredocs.size(), 1u);
    EXPECT_EQ(r[0].heredocs[0].body, "body\n");
}

TEST_F(ParseFunctions, SplitUnterminatedHeredoc) {
    const auto e = error_of([] { split("FROM a\nRUN <<EOF\necho hi\n"); });
    EXPECT_NE(e.find("unterminated heredoc EOF opened on line 2"), std::string::npos) << e;
}

TEST_F(ParseFunctions, SplitSecondHeredocUnterminated) {
    const auto e = error_of([] { split("COPY <<A <<B /d\na\nA\nb\n"); });
    EXPECT_NE(e.find("unterminated heredoc B"), std::string::npos) << e;
}

TEST_F(ParseFunctions, SplitHeredocOnlyForRunCopyAdd) {
    const auto r = split("ENV a=<<EOF\nRUN x\nEOF\n");
    EXPECT_EQ(texts(r), (Texts{"ENV a=<<EOF", "RUN x", "EOF"})) << "ENV takes no heredoc";
    EXPECT_TRUE(r[0].heredocs.empty());
}

TEST_F(ParseFunctions, SplitLowerCaseRunTakesHeredocs) {
    const auto r = split("run <<EOF\nx\nEOF\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].heredocs.size(), 1u) << "instructions are case-insensitive";
}

// heredoc_markers (given, src/build/heredoc.cpp)

TEST_F(ParseFunctions, HeredocMarkersOfALine) {
    const auto m = df::heredoc_markers("COPY <<A <<-\"B\" 3<<'C' /dest");
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].name, "A");
    EXPECT_FALSE(m[0].quoted);
    EXPECT_FALSE(m[0].strip_tabs);
    EXPECT_EQ(m[1].name, "B");
    EXPECT_TRUE(m[1].quoted);
    EXPECT_TRUE(m[1].strip_tabs);
    EXPECT_EQ(m[2].name, "C");
    EXPECT_TRUE(m[2].quoted);
}

TEST_F(ParseFunctions, HeredocMarkersThatAreNot) {
    EXPECT_TRUE(df::heredoc_markers("RUN cat << EOF").empty()) << "a blank after << ";
    EXPECT_TRUE(df::heredoc_markers("RUN echo \"<<EOF\"").empty()) << "inside quotes";
    EXPECT_TRUE(df::heredoc_markers("RUN echo '<<EOF x'").empty()) << "inside quotes";
    EXPECT_TRUE(df::heredoc_markers("RUN cat <<<word").empty()) << "a here-string";
    EXPECT_TRUE(df::heredoc_markers("LABEL a=<<EOF").empty()) << "not RUN, COPY or ADD";
    EXPECT_TRUE(df::heredoc_markers("").empty());
}

} // namespace
} // namespace kubik::test::parse7
