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

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them (a reader for a JSON array of
// strings: skip blanks, read one string with its escapes, expect ',' or ']').
bool is_json_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_json_blank(s.front()) || s.front() == '\v' || s.front() == '\f')) s.remove_prefix(1);
    while (!s.empty() && (is_json_blank(s.back()) || s.back() == '\v' || s.back() == '\f')) s.remove_suffix(1);
    return s;
}

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class JsonReader {
public:
    explicit JsonReader(std::string_view text) : s_(text) {}

    // The array's strings, or nullopt when the text is anything else.
    std::optional<std::vector<std::string>> string_array() {
        std::vector<std::string> words;
        skip_blanks();
        if (!take('[')) return std::nullopt;
        skip_blanks();
        if (!take(']')) {
            for (;;) {
                skip_blanks();
                auto word = string();
                if (!word) return std::nullopt;
                words.push_back(std::move(*word));
                skip_blanks();
                if (take(']')) break;
                if (!take(',')) return std::nullopt;
            }
        }
        skip_blanks();
        if (i_ != s_.size()) return std::nullopt; // `["a"] b` is not JSON
        return words;
    }

private:
    void skip_blanks() {
        while (i_ < s_.size() && is_json_blank(s_[i_])) ++i_;
    }
    bool take(char c) {
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    std::optional<unsigned long> hex4() {
        if (s_.size() - i_ < 4) return std::nullopt;
        unsigned long v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = s_[i_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<unsigned long>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned long>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned long>(c - 'A' + 10);
            else return std::nullopt;
        }
        return v;
    }
    std::optional<std::string> string() {
        if (!take('"')) return std::nullopt;
        std::string out;
        while (i_ < s_.size()) {
            const char c = s_[i_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) return std::nullopt; // raw control character
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ == s_.size()) return std::nullopt;
            switch (s_[i_++]) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                auto cp = hex4();
                if (!cp) return std::nullopt;
                // A surrogate pair is one character; a lone half becomes
                // U+FFFD, as Go's encoding/json makes it.
                if (*cp >= 0xD800 && *cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
                    const auto save = i_;
                    i_ += 2;
                    auto low = hex4();
                    if (!low) return std::nullopt;
                    if (*low >= 0xDC00 && *low < 0xE000) cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
                    else i_ = save;
                }
                if (*cp >= 0xD800 && *cp < 0xE000) cp = 0xFFFD;
                append_utf8(out, *cp);
                break;
            }
            default: return std::nullopt;
            }
        }
        return std::nullopt; // no closing quote
    }

    std::string_view s_;
    std::size_t i_ = 0;
};
// END SOLUTION

} // namespace

CommandForm parse_command_form(std::string_view argument) {
    // BEGIN SOLUTION parse_command_form
    // TODO: trim the argument. When it starts with '[' and the whole of it is
    // a JSON array of strings, that's the exec form with those strings (an
    // empty array: no words). Otherwise the shell form: one word, the
    // trimmed text — or no word when the text is empty.
    CommandForm form;
    const std::string_view text = trim(argument);
    if (!text.empty() && text.front() == '[') {
        if (auto words = JsonReader(text).string_array()) {
            form.exec_form = true;
            form.words = std::move(*words);
            return form;
        }
    }
    if (!text.empty()) form.words.emplace_back(text);
    return form;
    // END SOLUTION
}

std::vector<std::string> command_argv(const CommandForm& form, const std::vector<std::string>& shell,
                                      const std::vector<std::string>& prefix) {
    // BEGIN SOLUTION command_argv
    // TODO: prefix first; then the exec form's words as they are, or, for a
    // shell form with text, the shell's words and the text as ONE argument
    // (sh -c takes the whole command line as a single string).
    std::vector<std::string> argv = prefix;
    if (form.exec_form) {
        argv.insert(argv.end(), form.words.begin(), form.words.end());
    } else if (!form.words.empty()) {
        argv.insert(argv.end(), shell.begin(), shell.end());
        std::string text = form.words.front();
        for (std::size_t i = 1; i < form.words.size(); ++i) text += " " + form.words[i];
        argv.push_back(std::move(text));
    }
    return argv;
    // END SOLUTION
}

} // namespace kubik::dockerfile
