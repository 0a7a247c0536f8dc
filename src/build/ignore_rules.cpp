// .dockerignore, read and matched the way docker does it (moby's
// patternmatcher and its ignorefile reader), so that a context that works
// with `docker build` sends kubik the same files.
//
// The rules, from moby/patternmatcher:
//   - a pattern is matched against the WHOLE context-relative path, and the
//     path also counts as matched when one of its parent directories is
//     ("node_modules" excludes node_modules/a/b.js). That parent check uses
//     as many leading components of the path as the pattern has;
//   - `*` is any run of characters but '/', `?` one character but '/',
//     `[...]` a class, `\` escapes the next character, and `**` any number
//     of directories, none included ("**/*.go" matches "a.go" too);
//   - lines starting with '#' are comments, the others are trimmed, blank
//     ones skipped, a bare "!" is an error, and each pattern is
//     cleaned like a path (filepath.Clean: "./a//b/" is "a/b") and a leading
//     '/' dropped: the context's root is the only root there is;
//   - `!pattern` re-includes; patterns are read top to bottom and the LAST
//     one that matches decides.
#include "build/build_context.hpp"

#include "core/error.hpp"

#include <regex>
#include <vector>

namespace kubik::build {

namespace {

// filepath.Clean for '/'-separated paths: no "." components, no doubled
// or trailing '/', ".." folded where it can be.
std::string clean_path(std::string_view path) {
    const bool absolute = !path.empty() && path.front() == '/';
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string part(path.substr(start, end - start));
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!absolute) parts.push_back(part);
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        start = end + 1;
    }
    std::string out = absolute ? "/" : "";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}

std::string trimmed(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
    std::size_t b = 0, e = text.size();
    while (b < e && blank(text[b])) ++b;
    while (e > b && blank(text[e - 1])) --e;
    return std::string(text.substr(b, e - b));
}

// The pattern as an anchored regular expression (patternmatcher's compile()).
std::string pattern_regex(const std::string& pattern) {
    std::string re = "^";
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (in_class) {
            if (c == ']') in_class = false;
            if (c == '\\' && i + 1 < pattern.size()) {
                re += '\\';
                re += pattern[++i];
                continue;
            }
            re += c;
            continue;
        }
        if (c == '*') {
            if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
                ++i;
                // "**/" is "**": the '/' is eaten, so "**/a" matches "a" too.
                if (i + 1 < pattern.size() && pattern[i + 1] == '/') ++i;
                re += i + 1 == pattern.size() ? ".*" : "(.*/)?";
            } else {
                re += "[^/]*";
            }
        } else if (c == '?') {
            re += "[^/]";
        } else if (c == '[') {
            in_class = true;
            re += c;
            // Go's negated class is "[^...]", ECMAScript's too; "[!" is literal in both.
        } else if (c == '\\') {
            if (i + 1 < pattern.size()) {
                re += '\\';
                re += pattern[++i];
            } else {
                re += "\\\\";
            }
        } else if (std::string_view(".+()|{}$^]").find(c) != std::string_view::npos) {
            re += '\\';
            re += c;
        } else {
            re += c;
        }
    }
    return re + "$";
}

std::vector<std::string> split_dirs(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

} // namespace

IgnoreRules IgnoreRules::parse(std::string_view text) {
    IgnoreRules rules;
    // A UTF-8 byte order mark (editors on Windows write one) is not part of the first pattern.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view raw = text.substr(start, end - start);
        start = end + 1;
        // As docker: a comment is a line whose FIRST character is '#',
        // checked before trimming ("  #x" is the pattern "#x").
        if (raw.starts_with('#')) continue;
        std::string line = trimmed(raw);
        if (line.empty()) continue;
        Pattern pattern;
        if (line.front() == '!') {
            if (trimmed(line.substr(1)).empty())
                throw Error(".dockerignore: illegal exclusion pattern: \"!\"", kExitGeneric);
            pattern.exception = true;
            line = trimmed(line.substr(1));
        }
        if (!line.empty()) {
            line = clean_path(line);
            if (line.size() > 1 && line.front() == '/') line.erase(0, 1);
        }
        pattern.text = line;
        if (!line.empty()) {
            try {
                pattern.compiled = std::make_shared<const std::regex>(pattern_regex(line));
            } catch (const std::regex_error&) {
                throw Error(".dockerignore: bad pattern " + line + ": syntax error in pattern", kExitGeneric);
            }
            pattern.components = split_dirs(line).size();
            pattern.literal = line.find_first_of("*?[\\") == std::string::npos;
        }
        rules.patterns_.push_back(std::move(pattern));
    }
    return rules;
}

bool IgnoreRules::excluded(std::string_view path) const {
    if (patterns_.empty()) return false;
    const std::string file = clean_path(path);
    if (file == ".") return false; // the context's root is never excluded
    const std::vector<std::string> dirs = split_dirs(file);
    bool matched = false;
    for (const auto& pattern : patterns_) {
        if (!pattern.compiled) continue; // a bare "!" matches nothing
        if (pattern.literal) {
            // Most lines name a file or directory ("node_modules", ".git"):
            // the path itself or a path below it, no regex needed.
            const std::string& t = pattern.text;
            if (file == t || (file.size() > t.size() && file.starts_with(t) && file[t.size()] == '/'))
                matched = !pattern.exception;
            continue;
        }
        const std::regex& re = *pattern.compiled;
        bool match = std::regex_match(file, re);
        if (!match && dirs.size() > 1) {
            // The parent check: the path's first N components, N being the
            // pattern's, matched against it ("a/b" matches "a/b/c/d").
            const std::size_t n = pattern.components;
            if (n < dirs.size()) {
                std::string parent;
                for (std::size_t i = 0; i < n; ++i) parent += (i ? "/" : "") + dirs[i];
                match = std::regex_match(parent, re);
            }
        }
        if (match) matched = !pattern.exception;
    }
    return matched;
}

bool IgnoreRules::may_reinclude_under(std::string_view dir) const {
    const std::string prefix = clean_path(dir) + "/";
    for (const auto& pattern : patterns_) {
        if (!pattern.exception || pattern.text.empty()) continue;
        // docker walks into an excluded directory when an exception names
        // something below it ("!dir/keep"). A wildcard before that point
        // ("!**/keep", "!*/keep") may match below any directory: walk in too,
        // excluded() still decides for every path found.
        const std::string text = pattern.text + "/";
        const std::size_t wild = text.find_first_of("*?[\\");
        const std::string literal = text.substr(0, wild);
        if (wild == std::string::npos ? text.starts_with(prefix) : (prefix.starts_with(literal) || literal.starts_with(prefix)))
            return true;
    }
    return false;
}

} // namespace kubik::build
