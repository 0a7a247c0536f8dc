// Instruction flags (instruction_flags.hpp), as BuildKit's BFlags reads
// them: a string flag needs "=value"; a bool flag may stand alone or say
// =true/=false; only --mount, --exclude and --device may be given twice.
#include "build/instruction_flags.hpp"

#include "build/dockerfile_words.hpp"
#include "core/error.hpp"

#include <map>
#include <set>

namespace kubik::dockerfile {

namespace {

enum class Kind { String, Bool, Repeated, Duration, Count };

using FlagTable = std::map<std::string, Kind, std::less<>>;

// The flags of each instruction in docker's current (BuildKit) frontend;
// every other instruction takes none.
const FlagTable* flags_of(std::string_view keyword) {
    static const std::map<std::string, FlagTable, std::less<>> table = {
        {"FROM", {{"platform", Kind::String}}},
        {"RUN", {{"mount", Kind::Repeated}, {"network", Kind::String}, {"security", Kind::String},
                 {"device", Kind::Repeated}}},
        {"COPY", {{"from", Kind::String}, {"chown", Kind::String}, {"chmod", Kind::String},
                  {"link", Kind::Bool}, {"parents", Kind::Bool}, {"exclude", Kind::Repeated}}},
        {"ADD", {{"chown", Kind::String}, {"chmod", Kind::String}, {"link", Kind::Bool},
                 {"checksum", Kind::String}, {"keep-git-dir", Kind::Bool}, {"unpack", Kind::Bool},
                 {"exclude", Kind::Repeated}}},
        {"HEALTHCHECK", {{"interval", Kind::Duration}, {"timeout", Kind::Duration},
                         {"start-period", Kind::Duration}, {"start-interval", Kind::Duration},
                         {"retries", Kind::Count}}},
    };
    const auto it = table.find(keyword);
    return it == table.end() ? nullptr : &it->second;
}

// Go's time.ParseDuration, which docker uses for HEALTHCHECK: "30s",
// "1m30s", "1.5h", "500ms"; no sign, no bare number (except "0").
bool is_duration(std::string_view s) {
    if (s == "0") return true;
    if (s.empty()) return false;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        bool digits = i > start;
        if (i < s.size() && s[i] == '.') {
            ++i;
            const auto frac = i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
            digits = digits || i > frac;
        }
        if (!digits) return false;
        bool unit = false;
        for (std::string_view u : {"ns", "us", "\xC2\xB5s", "ms", "s", "m", "h"}) {
            if (s.substr(i, u.size()) == u) { // "ms" is tried before "m" and "s"
                i += u.size();
                unit = true;
                break;
            }
        }
        if (!unit) return false;
    }
    return true;
}

} // namespace

FlagSplit extract_flags(std::string_view line) {
    FlagSplit out;
    std::size_t i = 0;
    for (;;) {
        while (i < line.size() && is_blank(line[i])) ++i;
        if (i + 1 >= line.size() || line[i] != '-' || line[i + 1] != '-') break;
        // One flag word: quotes removed, '\' keeps the next character.
        std::string word;
        char quote = 0;
        for (; i < line.size(); ++i) {
            const char c = line[i];
            if (quote == 0 && is_blank(c)) break;
            if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
                continue;
            }
            if (quote != 0 && c == quote) {
                quote = 0;
                continue;
            }
            if (c == '\\') {
                if (i + 1 == line.size()) continue;
                word += line[++i];
                continue;
            }
            word += c;
        }
        if (word == "--") {
            // `RUN -- --not-a-flag`: the arguments start after "--".
            while (i < line.size() && is_blank(line[i])) ++i;
            break;
        }
        InstructionFlag flag;
        const auto eq = word.find('=');
        flag.name = word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        if (eq != std::string::npos) {
            flag.value = word.substr(eq + 1);
        }
        out.flags.push_back(std::move(flag));
        out.valued.push_back(eq != std::string::npos);
    }
    out.rest = std::string(trim_blanks(line.substr(std::min(i, line.size()))));
    return out;
}

void check_flags(const std::string& keyword, const FlagSplit& split) {
    const FlagTable* allowed = flags_of(keyword);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < split.flags.size(); ++i) {
        const auto& flag = split.flags[i];
        const bool has_value = split.valued[i];
        const std::string name = "--" + flag.name;
        const auto it = allowed ? allowed->find(flag.name) : FlagTable::const_iterator{};
        if (!allowed || it == allowed->end()) throw Error("unknown flag: " + name, kExitGeneric);
        const Kind kind = it->second;
        if (kind != Kind::Repeated && !seen.insert(flag.name).second)
            throw Error("duplicate flag specified: " + name, kExitGeneric);
        if (kind == Kind::Bool) {
            const auto v = lower(flag.value);
            if (has_value && v != "true" && v != "false")
                throw Error("expecting boolean value for flag " + name + ", not: " + flag.value, kExitGeneric);
            continue;
        }
        if (!has_value) throw Error("missing a value on flag: " + name, kExitGeneric);
        if (kind == Kind::Duration && !is_duration(flag.value))
            throw Error("invalid duration for " + name + ": \"" + flag.value + "\" (like 30s, 1m30s, 500ms)",
                        kExitGeneric);
        if (kind == Kind::Count) {
            const bool digits = !flag.value.empty() && flag.value.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || flag.value.size() > 9)
                throw Error(name + " must be a number of tries, not \"" + flag.value + "\"", kExitGeneric);
        }
        if (keyword == "RUN" && flag.name == "network" && flag.value != "default" && flag.value != "none" &&
            flag.value != "host")
            throw Error("unsupported network mode for RUN --network: \"" + flag.value +
                            "\" (default, none or host)",
                        kExitGeneric);
        if (kind == Kind::Repeated && flag.value.empty()) throw Error("empty value on flag: " + name, kExitGeneric);
    }
}

} // namespace kubik::dockerfile
