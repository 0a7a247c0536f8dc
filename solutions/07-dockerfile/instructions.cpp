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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them (the next physical line,
// blank tests, trimming).
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

std::string_view trim_left(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    return s;
}

std::string_view trim(std::string_view s) {
    s = trim_left(s);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

bool is_comment(std::string_view line) {
    const auto t = trim_left(line);
    return !t.empty() && t.front() == '#';
}

// The physical lines one after another, without their "\n" / "\r\n".
class Lines {
public:
    explicit Lines(std::string_view text) : text_(text) {
        // A UTF-8 byte order mark is not part of the first instruction.
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
    }
    bool next(std::string_view& line) {
        if (pos_ >= text_.size()) return false;
        const auto end = text_.find('\n', pos_);
        line = text_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
        pos_ = end == std::string_view::npos ? text_.size() : end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        ++number_;
        return true;
    }
    int number() const { return number_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    int number_ = 0;
};

// Removes a continuation (the escape character and any blanks after it) at
// the end of `line`; true when there was one.
bool cut_continuation(std::string_view& line, char escape) {
    std::string_view t = line;
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.empty() || t.back() != escape) return false;
    t.remove_suffix(1);
    line = t;
    return true;
}

// Leading tabs of a <<- heredoc's line go (sh(1): "<<-").
std::string_view cut_tabs(std::string_view s) {
    while (!s.empty() && s.front() == '\t') s.remove_prefix(1);
    return s;
}
// END SOLUTION

} // namespace

std::vector<RawInstruction> split_instructions(std::string_view text, char escape) {
    // BEGIN SOLUTION split_instructions
    // TODO: read the text line by line (the line number counts every physical
    // line). Skip comment lines and empty lines. An instruction starts at the
    // next other line: while it ends in `escape` (blanks after it allowed),
    // cut that off and append the next line that is neither a comment nor
    // empty. Then, when heredoc_markers(text) finds markers, read each body:
    // the following lines up to one that equals its delimiter (after cutting
    // leading tabs for <<-), each body line + "\n"; no such line is the error
    // "unterminated heredoc NAME opened on line N". Trim the text.
    std::vector<RawInstruction> out;
    Lines lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (is_comment(line) || trim(line).empty()) continue;
        RawInstruction instruction;
        instruction.line = lines.number();
        bool continues = cut_continuation(line, escape);
        std::string joined(trim_left(line));
        while (continues && lines.next(line)) {
            // Comment and empty lines don't end the continuation: they vanish.
            if (is_comment(line) || trim(line).empty()) continue;
            continues = cut_continuation(line, escape);
            joined += line;
        }
        instruction.text = std::string(trim(joined));
        // A lone escape character at the end of the file: nothing to join.
        if (instruction.text.empty())
            throw Error("line " + std::to_string(instruction.line) +
                            ": the file ends inside a line continuation, with nothing to continue",
                        kExitGeneric);

        for (const auto& marker : heredoc_markers(instruction.text)) {
            Heredoc heredoc;
            heredoc.name = marker.name;
            heredoc.expand = !marker.quoted;
            heredoc.strip_tabs = marker.strip_tabs;
            bool terminated = false;
            while (lines.next(line)) {
                const std::string_view body_line = marker.strip_tabs ? cut_tabs(line) : line;
                if (body_line == marker.name) {
                    terminated = true;
                    break;
                }
                heredoc.body.append(body_line);
                heredoc.body += '\n';
            }
            if (!terminated)
                throw Error("unterminated heredoc " + marker.name + " opened on line " +
                                std::to_string(instruction.line),
                            kExitGeneric);
            instruction.heredocs.push_back(std::move(heredoc));
        }
        out.push_back(std::move(instruction));
    }
    return out;
    // END SOLUTION
}

} // namespace kubik::dockerfile
