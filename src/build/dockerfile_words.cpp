// Docker's word splitting of instruction arguments (dockerfile_words.hpp).
#include "build/dockerfile_words.hpp"

#include <cctype>

namespace kubik::dockerfile {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> quoted_words(std::string_view text, char escape) {
    // BuildKit's parseWords: a quote opens a quoted part that blanks don't
    // end; the escape character keeps the character after it (a quote
    // too) in the word, both of them as written. Inside single quotes the
    // escape is an ordinary character. An escape at the very end goes.
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, blank_ok = false;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote == 0) {
            if (is_blank(c)) {
                if (in_word && (blank_ok || !word.empty())) words.push_back(word);
                word.clear();
                in_word = blank_ok = false;
                continue;
            }
            in_word = true;
            if (c == '\'' || c == '"') {
                quote = c;
                blank_ok = true;
            } else if (c == escape) {
                if (i + 1 == text.size()) continue;
                word += c;
                word += text[++i];
                continue;
            }
            word += c;
        } else {
            if (c == quote) {
                quote = 0;
            } else if (c == escape && quote != '\'') {
                if (i + 1 == text.size()) continue;
                word += c;
                word += text[++i];
                continue;
            }
            word += c;
        }
    }
    if (in_word && (blank_ok || !word.empty())) words.push_back(word);
    return words;
}

std::vector<std::string> blank_words(std::string_view text) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_blank(text[i])) ++i;
        const auto start = i;
        while (i < text.size() && !is_blank(text[i])) ++i;
        if (i > start) words.emplace_back(text.substr(start, i - start));
    }
    return words;
}

} // namespace kubik::dockerfile
