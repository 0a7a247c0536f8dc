// Lesson 7 — dockerfile: variable expansion in one word. Read
// lessons/07-dockerfile/README.md first.
//
// Docker expands $VAR itself — not a shell — in ENV, ARG, LABEL, COPY, ADD,
// WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL and FROM, with the rules of its
// shell lexer (BuildKit's frontend/dockerfile/shell/lex.go):
//
//   'text'          literal: nothing inside single quotes is special
//   "text"          quotes removed; $VAR still expands; the escape only
//                   escapes " $ and itself ("\n" stays a backslash and n)
//   \c              outside quotes: c, taken literally (the escape is '\'
//                   or '`', by the `# escape=` directive)
//   $NAME ${NAME}   the value, "" when unset; NAME is [A-Za-z_][A-Za-z0-9_]*
//                   (or digits); a '$' before anything else stays a '$'
//   ${NAME:-word}   word when NAME is unset or empty, else the value
//   ${NAME:+word}   word when NAME is set and not empty, else ""
//   ${NAME-word}    word when NAME is unset (set and empty: "")
//   ${NAME+word}    word when NAME is set, even to ""
//
// The word of a modifier is itself expanded, quotes and all, up to the '}'
// that closes it. RUN, CMD and ENTRYPOINT are NOT expanded by docker: their
// shell does it, in the container, with the container's environment.
#include "dockerfile.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <string>

namespace kubik::dockerfile {

namespace {

// TODO: helpers of your own, if you want them (a small scanner over the
// word, with one function for $…, one for "…", one for a modifier's word).

} // namespace

std::string expand_word(std::string_view word, const VariableLookup& lookup, char escape) {
    // TODO: walk the word once, left to right, building the result: a single
    // quote copies up to the next one; a double quote processes up to its
    // partner ($ expands, the escape escapes only " $ and itself); the escape
    // outside quotes takes the next character literally; '$' starts a
    // variable (a name, or ${…} with an optional :- / :+ and a word that is
    // expanded the same way up to its '}'). Errors: "missing '}'", "bad
    // substitution", "unsupported modifier", an unterminated quote.
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — expand_word(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
