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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them (a small scanner over the
// word, with one function for $…, one for "…", one for a modifier's word).
bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Expander {
public:
    Expander(std::string_view word, const VariableLookup& lookup, char escape)
        : s_(word), lookup_(lookup), escape_(escape) {}

    std::string word() { return until(0); }

private:
    bool at_end() const { return i_ >= s_.size(); }

    [[noreturn]] void fail(const std::string& why) const {
        throw Error("failed to process \"" + std::string(s_) + "\": " + why, kExitGeneric);
    }

    // Reads up to `stop` (0: the end), which is consumed; quotes, escapes and
    // $ are processed on the way.
    std::string until(char stop) {
        std::string out;
        while (!at_end()) {
            const char c = s_[i_];
            if (stop != 0 && c == stop) {
                ++i_;
                return out;
            }
            if (c == '\'') {
                out += single_quoted();
            } else if (c == '"') {
                out += double_quoted();
            } else if (c == '$') {
                out += dollar();
            } else if (c == escape_) {
                ++i_;
                if (!at_end()) out += s_[i_++]; // a trailing escape is dropped
            } else {
                out += c;
                ++i_;
            }
        }
        if (stop != 0) fail("syntax error: missing '}'");
        return out;
    }

    std::string single_quoted() {
        const auto close = s_.find('\'', i_ + 1);
        if (close == std::string_view::npos) fail("unexpected end of statement while looking for matching single-quote");
        std::string out(s_.substr(i_ + 1, close - i_ - 1));
        i_ = close + 1;
        return out;
    }

    std::string double_quoted() {
        ++i_;
        std::string out;
        while (!at_end()) {
            const char c = s_[i_];
            if (c == '"') {
                ++i_;
                return out;
            }
            if (c == '$') {
                out += dollar();
                continue;
            }
            ++i_;
            if (c == escape_ && !at_end()) {
                const char next = s_[i_];
                // Only these are escaped inside "…"; "\n" stays two characters.
                if (next == '"' || next == '$' || next == escape_) {
                    out += next;
                    ++i_;
                    continue;
                }
            }
            out += c;
        }
        fail("unexpected end of statement while looking for matching double-quote");
    }

    std::string name() {
        const auto start = i_;
        if (!at_end() && is_digit(s_[i_])) {
            while (!at_end() && is_digit(s_[i_])) ++i_;
        } else if (!at_end() && is_name_start(s_[i_])) {
            while (!at_end() && (is_name_start(s_[i_]) || is_digit(s_[i_]))) ++i_;
        }
        return std::string(s_.substr(start, i_ - start));
    }

    std::string dollar() {
        ++i_; // the '$'
        if (at_end() || s_[i_] != '{') {
            const auto n = name();
            if (n.empty()) return "$";
            return lookup_(n).value_or("");
        }
        ++i_; // the '{'
        if (at_end()) fail("syntax error: missing '}'");
        // Each ${…:-…} inside another is one more call deep: a hostile
        // Dockerfile must get an error, not a stack overflow.
        if (++depth_ > kMaxDepth) fail("substitutions nested more than " + std::to_string(kMaxDepth) + " deep");
        const auto n = name();
        if (n.empty()) fail("syntax error: bad substitution");
        if (at_end()) fail("syntax error: missing '}'");
        const char c = s_[i_++];
        if (c == '}') {
            --depth_;
            return lookup_(n).value_or("");
        }
        bool colon = false;
        char modifier = c;
        if (c == ':') {
            if (at_end()) fail("syntax error: missing '}'");
            colon = true;
            modifier = s_[i_++];
        }
        if (modifier != '-' && modifier != '+')
            fail(std::string("unsupported modifier (") + (colon ? ":" : "") + modifier +
                 ") in substitution: only ${NAME:-word}, ${NAME:+word}, ${NAME-word} and ${NAME+word} are supported");
        const std::string word = until('}');
        --depth_;
        const auto value = lookup_(n);
        // With ':' an empty value counts as unset, without it only unset does.
        const bool set = value.has_value() && (!colon || !value->empty());
        if (modifier == '-') return set ? *value : word;
        return set ? word : "";
    }

    std::string_view s_;
    const VariableLookup& lookup_;
    char escape_;
    std::size_t i_ = 0;
    int depth_ = 0;
    static constexpr int kMaxDepth = 100;
};
// END SOLUTION

} // namespace

std::string expand_word(std::string_view word, const VariableLookup& lookup, char escape) {
    // BEGIN SOLUTION expand_word
    // TODO: walk the word once, left to right, building the result: a single
    // quote copies up to the next one; a double quote processes up to its
    // partner ($ expands, the escape escapes only " $ and itself); the escape
    // outside quotes takes the next character literally; '$' starts a
    // variable (a name, or ${…} with an optional :- / :+ and a word that is
    // expanded the same way up to its '}'). Errors: "missing '}'", "bad
    // substitution", "unsupported modifier", an unterminated quote.
    return Expander(word, lookup, escape).word();
    // END SOLUTION
}

} // namespace kubik::dockerfile
