// parse_dockerfile (dockerfile_ast.hpp): the student's split_instructions()
// makes logical lines; here each becomes an Instruction — keyword, flags,
// arguments cut the way docker's BuildKit frontend cuts each instruction —
// and the instructions are grouped into stages. Nothing is expanded and
// nothing is run: that is the builder's, step by step, since a variable's
// value depends on where in the stage it is read.
//
// Every error names the file and the instruction's first line, like
// docker's "Dockerfile:3: unknown instruction: RUNN", and exits 1.
#include "build/dockerfile_ast.hpp"

#include "build/directives.hpp"
#include "build/dockerfile_words.hpp"
#include "build/instruction_flags.hpp"
#include "core/error.hpp"

#include <array>
#include <cctype>
#include <set>

namespace kubik::dockerfile {

std::optional<std::string> Instruction::flag(std::string_view name) const {
    std::optional<std::string> value;
    for (const auto& f : flags)
        if (f.name == name) value = f.value;
    return value;
}

namespace {

constexpr std::array kKeywords = {"ADD",        "ARG",     "CMD",     "COPY",   "ENTRYPOINT",  "ENV",
                                  "EXPOSE",     "FROM",    "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
                                  "RUN",        "SHELL",   "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};

bool is_keyword(std::string_view word) {
    for (std::string_view k : kKeywords)
        if (k == word) return true;
    return false;
}

// A problem of one instruction, before the file and line are known: the
// caller adds them (ParseContext::fail).
struct InstructionError {
    std::string message;
};

[[noreturn]] void bad(std::string message) { throw InstructionError{std::move(message)}; }

std::string requires_one(const std::string& keyword) { return keyword + " requires at least one argument"; }

// ENV and LABEL: `k=v k2="v 2"` or the legacy `k the rest of the line`
// (BuildKit's parseNameVal): the form is decided by the first word — an
// '=' in it means k=v pairs, and then every word must have one.
std::vector<std::string> name_values(const std::string& keyword, std::string_view rest, char escape) {
    const auto words = quoted_words(rest, escape);
    if (words.empty()) bad(requires_one(keyword));
    std::vector<std::string> args;
    if (words[0].find('=') == std::string::npos) {
        // Legacy: the name, then everything after the first blank run.
        std::size_t i = 0;
        while (i < rest.size() && !is_blank(rest[i])) ++i;
        const std::string_view value = trim_blanks(rest.substr(i));
        if (value.empty()) bad(keyword + " must have two arguments: " + keyword + " NAME VALUE or " + keyword +
                               " NAME=VALUE (\"" + std::string(rest) + "\" has no value)");
        args.emplace_back(rest.substr(0, i));
        args.emplace_back(value);
        return args;
    }
    for (const auto& word : words) {
        const auto eq = word.find('=');
        if (eq == std::string::npos)
            bad("Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value");
        if (eq == 0) bad(keyword + " names can not be blank");
        args.push_back(word.substr(0, eq));
        args.push_back(word.substr(eq + 1));
    }
    return args;
}

// FROM's words, [image] or [image, "AS", name]; the name is checked as
// docker checks it (after lower-casing).
std::vector<std::string> from_args(std::string_view rest) {
    auto words = blank_words(rest);
    if (words.size() == 3 && upper(words[1]) == "AS") words[1] = "AS";
    else if (words.size() != 1) bad("FROM requires either one or three arguments: FROM IMAGE [AS NAME]");
    if (words.size() == 3) {
        const auto name = lower(words[2]);
        bool ok = name.front() >= 'a' && name.front() <= 'z';
        for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
        if (!ok)
            bad("invalid name for build stage: \"" + words[2] +
                "\", name can't start with a number or contain symbols");
    }
    return words;
}

// COPY/ADD's sources and destination: a JSON array (for paths with
// blanks) or words. A heredoc source is named "<<NAME", the marker's
// delimiter without quotes or "-".
std::vector<std::string> copy_args(const std::string& keyword, std::string_view rest, char escape) {
    const auto form = parse_command_form(rest);
    std::vector<std::string> args = form.exec_form ? form.words : quoted_words(rest, escape);
    for (auto& arg : args) {
        const auto markers = heredoc_markers(keyword + " " + arg);
        if (markers.size() == 1) arg = "<<" + markers[0].name;
    }
    if (args.size() < 2)
        bad(keyword + " requires at least two arguments, but only " + std::to_string(args.size()) +
            (args.size() == 1 ? " was" : " were") + " provided. Destination could not be determined.");
    return args;
}

class Parser {
public:
    Parser(std::string file, char escape) : file_(std::move(file)), escape_(escape) {}

    [[noreturn]] void fail(int line, const std::string& message) const {
        throw Error(file_ + ":" + std::to_string(line) + ": " + message, kExitGeneric);
    }

    Instruction instruction(const RawInstruction& raw) {
        try {
            return parse(raw.line, raw.text, raw.heredocs, false);
        } catch (const InstructionError& e) {
            fail(raw.line, e.message);
        } catch (const Error& e) {
            fail(raw.line, e.what());
        }
    }

private:
    Instruction parse(int line, std::string_view text, const std::vector<Heredoc>& heredocs, bool trigger) {
        Instruction ins;
        ins.line = line;
        ins.original = std::string(text);
        std::size_t i = 0;
        while (i < text.size() && !is_blank(text[i])) ++i;
        const std::string_view word = text.substr(0, i);
        ins.keyword = upper(word);
        if (!is_keyword(ins.keyword)) bad("unknown instruction: " + std::string(word));
        if (trigger) {
            if (ins.keyword == "ONBUILD") bad("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            if (ins.keyword == "FROM" || ins.keyword == "MAINTAINER")
                bad(ins.keyword + " isn't allowed as an ONBUILD trigger");
        }
        const auto split = extract_flags(text.substr(i));
        check_flags(ins.keyword, split);
        ins.flags = split.flags;
        const std::string& rest = split.rest;
        ins.heredocs = heredocs;
        if (rest.empty()) bad(requires_one(ins.keyword));

        const std::string& k = ins.keyword;
        if (k == "RUN" || k == "CMD" || k == "ENTRYPOINT") {
            // With heredocs RUN is always the shell form: the line after RUN
            // (with its markers) is the command the bodies feed.
            if (!heredocs.empty()) ins.command.words = {rest};
            else ins.command = parse_command_form(rest);
        } else if (k == "FROM") {
            ins.args = from_args(rest);
        } else if (k == "COPY" || k == "ADD") {
            ins.args = copy_args(k, rest, escape_);
        } else if (k == "ENV" || k == "LABEL") {
            ins.args = name_values(k, rest, escape_);
        } else if (k == "ARG") {
            for (const auto& w : quoted_words(rest, escape_)) {
                if (w.empty() || w.front() == '=') bad("ARG names can not be blank");
                ins.args.push_back(w);
            }
        } else if (k == "EXPOSE") {
            ins.args = blank_words(rest);
        } else if (k == "VOLUME") {
            const auto form = parse_command_form(rest);
            ins.args = form.exec_form ? form.words : blank_words(rest);
            if (ins.args.empty()) bad(requires_one(k));
            for (const auto& v : ins.args)
                if (trim_blanks(v).empty()) bad("VOLUME specified can not be an empty string");
        } else if (k == "STOPSIGNAL") {
            if (blank_words(rest).size() != 1) bad("STOPSIGNAL requires exactly one argument");
            ins.args = {rest};
        } else if (k == "WORKDIR" || k == "USER" || k == "MAINTAINER") {
            ins.args = {rest};
        } else if (k == "SHELL") {
            const auto form = parse_command_form(rest);
            if (!form.exec_form) bad("SHELL requires the arguments to be in JSON form: SHELL [\"executable\", \"parameters\"]");
            if (form.words.empty()) bad(requires_one(k));
            ins.args = form.words;
        } else if (k == "HEALTHCHECK") {
            healthcheck(ins, rest);
        } else if (k == "ONBUILD") {
            ins.args = {rest};
            ins.trigger.push_back(parse(line, rest, {}, true));
        }
        return ins;
    }

    // HEALTHCHECK NONE | HEALTHCHECK [flags] CMD command
    static void healthcheck(Instruction& ins, std::string_view rest) {
        std::size_t i = 0;
        while (i < rest.size() && !is_blank(rest[i])) ++i;
        const auto type = upper(rest.substr(0, i));
        const auto command = trim_blanks(rest.substr(i));
        if (type == "NONE") {
            if (!command.empty()) bad("HEALTHCHECK NONE takes no arguments");
            if (!ins.flags.empty()) bad("HEALTHCHECK NONE takes no flags");
            ins.args = {"NONE"};
        } else if (type == "CMD") {
            if (command.empty()) bad("Missing command after HEALTHCHECK CMD");
            ins.args = {"CMD"};
            ins.command = parse_command_form(command);
        } else {
            bad("Unknown type \"" + std::string(rest.substr(0, i)) + "\" in HEALTHCHECK (try CMD or NONE)");
        }
    }

    std::string file_;
    char escape_;
};

// split_instructions' errors say "line N: …" or "… opened on line N";
// they become "FILE:N: …" like every other.
[[noreturn]] void relocate(const std::string& file, const Error& e) {
    const std::string message = e.what();
    std::string text = message;
    std::size_t at = std::string::npos;
    if (message.rfind("line ", 0) == 0) {
        at = 0;
        const auto colon = message.find(": ");
        if (colon != std::string::npos) text = message.substr(colon + 2);
    } else if (const auto on = message.rfind("on line "); on != std::string::npos) {
        at = on + 3;
    }
    long line = 0;
    if (at != std::string::npos) {
        for (std::size_t i = at + 5; i < message.size() && std::isdigit(static_cast<unsigned char>(message[i])) &&
                                     line < 100000000;
             ++i)
            line = line * 10 + (message[i] - '0');
    }
    throw Error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + text, kExitGeneric);
}

} // namespace

Dockerfile parse_dockerfile(std::string_view text, const std::string& file) {
    Dockerfile dockerfile;
    dockerfile.directives = parse_directives(text, file);
    std::vector<RawInstruction> raws;
    try {
        raws = split_instructions(text, dockerfile.directives.escape);
    } catch (const Error& e) {
        relocate(file, e);
    }
    if (raws.empty()) throw Error(file + ": file with no instructions", kExitGeneric);

    Parser parser(file, dockerfile.directives.escape);
    std::set<std::string> names;
    for (const auto& raw : raws) {
        Instruction ins = parser.instruction(raw);
        if (ins.keyword == "FROM") {
            Stage stage;
            stage.index = static_cast<int>(dockerfile.stages.size());
            if (ins.args.size() == 3) {
                stage.name = lower(ins.args[2]);
                if (!names.insert(stage.name).second)
                    parser.fail(ins.line, "duplicate stage name \"" + stage.name + "\"");
            }
            stage.from = std::move(ins);
            dockerfile.stages.push_back(std::move(stage));
        } else if (!dockerfile.stages.empty()) {
            dockerfile.stages.back().instructions.push_back(std::move(ins));
        } else if (ins.keyword == "ARG") {
            dockerfile.global_args.push_back(std::move(ins));
        } else {
            parser.fail(ins.line, ins.keyword + " before the first FROM: only ARG may come before FROM "
                                                "(no build stage in current context)");
        }
    }
    if (dockerfile.stages.empty())
        parser.fail(raws.back().line, "no FROM: a Dockerfile needs at least one build stage");
    return dockerfile;
}

} // namespace kubik::dockerfile
