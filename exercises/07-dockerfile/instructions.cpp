// Lesson 7 — dockerfile: a Dockerfile's text, split into its instructions.
// Read lessons/07-dockerfile/README.md first.
//
// A Dockerfile is read line by line (BuildKit's parser.Parse does the same):
//
//   # comment            a line whose first non-blank character is '#'
//   RUN apt-get update \ the escape character at the very end of a line
//       && apt-get ...   joins the next line to it (blanks after it too)
//   # still RUN's        comment and empty lines inside a continuation are
//                        dropped; the instruction goes on after them
//   COPY <<EOF /a        a heredoc: the lines after this one, up to a line
//   hello                that is exactly "EOF", are the body, taken as
//   EOF                  they are (no comments, no continuations in them)
//
// Only lines that START with '#' are comments: in `RUN echo # hi` the '#' is
// part of the command (the shell then reads it as a comment, not docker).
// A file may end in "\": docker joins nothing to it and takes the line as
// it is. Lines end in "\n" or "\r\n" (bufio.ScanLines drops the '\r').
#include "dockerfile.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <string>

namespace kubik::dockerfile {

namespace {

// TODO: helpers of your own, if you want them (the next physical line,
// blank tests, trimming).

} // namespace

std::vector<RawInstruction> split_instructions(std::string_view text, char escape) {
    // TODO: read the text line by line (the line number counts every physical
    // line). Skip comment lines and empty lines. An instruction starts at the
    // next other line: while it ends in `escape` (blanks after it allowed),
    // cut that off and append the next line that is neither a comment nor
    // empty. Then, when heredoc_markers(text) finds markers, read each body:
    // the following lines up to one that equals its delimiter (after cutting
    // leading tabs for <<-), each body line + "\n"; no such line is the error
    // "unterminated heredoc NAME opened on line N". Trim the text.
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — split_instructions(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
