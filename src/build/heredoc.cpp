// Lesson 7, given: the heredoc markers of one Dockerfile line (dockerfile.hpp).
//
// BuildKit (frontend/dockerfile/parser: heredocsFromLine, ParseHeredoc)
// splits the line into words as the shell would, quotes and escapes kept
// as written, and takes every word of the form `[FD]<<[-]DELIM` with a
// non-empty DELIM as a marker. So `<< EOF` (a blank after <<) is no marker,
// and neither is `"<<EOF"` or `a<<EOF`: that word does not start with <<.
// A delimiter with any quote in it (`<<"EOF"`, `<<'E'OF`) is "quoted": the
// body is then taken literally, with no $VAR expansion, as in sh(1).
#include "dockerfile.hpp"

#include <cctype>

namespace kubik::dockerfile {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// The words of `line`, split at blanks outside quotes; quotes and
// backslashes stay in the words (BuildKit's RawQuotes/RawEscapes lexer).
std::vector<std::string> raw_words(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote != 0) {
            word += c;
            if (c == '\\' && quote == '"' && i + 1 < line.size()) word += line[++i];
            else if (c == quote) quote = 0;
            continue;
        }
        if (is_blank(c)) {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        word += c;
        if (c == '\\' && i + 1 < line.size()) word += line[++i];
        else if (c == '"' || c == '\'') quote = c;
    }
    if (in_word) words.push_back(word);
    return words;
}

// The delimiter with its quotes removed, as the shell reads the word
// (`"E"OF` is EOF; a backslash keeps the next character).
std::string unquote(std::string_view word) {
    std::string out;
    char quote = 0;
    for (std::size_t i = 0; i < word.size(); ++i) {
        const char c = word[i];
        if (quote != 0) {
            if (c == quote) quote = 0;
            else if (c == '\\' && quote == '"' && i + 1 < word.size()) out += word[++i];
            else out += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '\\' && i + 1 < word.size()) {
            out += word[++i];
        } else {
            out += c;
        }
    }
    return out;
}

bool keyword_is(std::string_view word, std::string_view keyword) {
    if (word.size() != keyword.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(word[i])) != keyword[i]) return false;
    return true;
}

} // namespace

std::vector<HeredocMarker> heredoc_markers(std::string_view line) {
    std::vector<HeredocMarker> markers;
    const auto words = raw_words(line);
    // Only RUN, COPY and ADD take heredocs (BuildKit's canContainHeredoc);
    // `ENV a=<<EOF` is just a value.
    if (words.empty() ||
        !(keyword_is(words[0], "RUN") || keyword_is(words[0], "COPY") || keyword_is(words[0], "ADD")))
        return markers;
    for (std::size_t w = 1; w < words.size(); ++w) {
        std::string_view word = words[w];
        std::size_t i = 0;
        while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i; // 3<<EOF: an fd
        if (word.substr(i, 2) != "<<") continue;
        i += 2;
        HeredocMarker marker;
        if (i < word.size() && word[i] == '-') {
            marker.strip_tabs = true;
            ++i;
        }
        const std::string_view delimiter = word.substr(i);
        // `<<` alone, or `<<<` (a here-string) or `<<a<<b`: not a heredoc.
        if (delimiter.empty() || delimiter.find('<') != std::string_view::npos) continue;
        marker.quoted = delimiter.find_first_of("\"'") != std::string_view::npos;
        marker.name = unquote(delimiter);
        if (marker.name.empty()) continue;
        markers.push_back(std::move(marker));
    }
    return markers;
}

} // namespace kubik::dockerfile
