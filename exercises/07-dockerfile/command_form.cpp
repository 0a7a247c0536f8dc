// Lesson 7 — dockerfile: the two forms of a command. Read
// lessons/07-dockerfile/README.md first.
//
//   RUN ["/bin/echo", "hi"]    exec form: a JSON array of strings, run as it
//                              is: argv[0] is /bin/echo, no shell involved
//   RUN echo $HOME > /f        shell form: the text, run as
//                              SHELL + [text] = /bin/sh -c 'echo $HOME > /f'
//
// Docker decides by trying: text that starts with '[' and is a valid JSON
// array of strings is the exec form; anything else — `[ 'x' ]` (JSON has no
// single quotes), `["a", b]`, `[1]` — is the shell form, with the text
// given to the shell as written. No error: the shell will complain if it
// can't make sense of it. Only JSON's own grammar counts (RFC 8259): a
// string is "…" with the escapes \" \\ \/ \b \f \n \r \t \uXXXX, and no raw
// control character inside.
#include "dockerfile.hpp"

#include "core/not_implemented.hpp"

#include <optional>
#include <string>

namespace kubik::dockerfile {

namespace {

// TODO: helpers of your own, if you want them (a reader for a JSON array of
// strings: skip blanks, read one string with its escapes, expect ',' or ']').

} // namespace

CommandForm parse_command_form(std::string_view argument) {
    // TODO: trim the argument. When it starts with '[' and the whole of it is
    // a JSON array of strings, that's the exec form with those strings (an
    // empty array: no words). Otherwise the shell form: one word, the
    // trimmed text — or no word when the text is empty.
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — parse_command_form(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

std::vector<std::string> command_argv(const CommandForm& form, const std::vector<std::string>& shell,
                                      const std::vector<std::string>& prefix) {
    // TODO: prefix first; then the exec form's words as they are, or, for a
    // shell form with text, the shell's words and the text as ONE argument
    // (sh -c takes the whole command line as a single string).
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — command_argv(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
