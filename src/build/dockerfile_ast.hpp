// The parsed Dockerfile: what src/build/dockerfile_parser.cpp makes of the
// student's split_instructions() output, and what the builder runs.
//
//   text ──split_instructions──> RawInstruction[] ──parse_dockerfile──> Dockerfile
//                                                                        └ stages[] of Instruction
#pragma once

#include "dockerfile.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::dockerfile {

/// One `--name=value` (or bare `--name`) flag of an instruction, as written.
struct InstructionFlag {
    std::string name;  ///< without the dashes: "from", "chown", "mount"
    std::string value; ///< "" for a bare flag (`--link`)
};

/// One instruction, understood: its keyword, flags and arguments. Variables
/// are NOT expanded here (the builder expands, per step, with the ARG/ENV
/// values of that point in the stage).
struct Instruction {
    int line = 0;              ///< 1-based line of its first physical line
    std::string keyword;       ///< upper case: "RUN", "COPY", "ONBUILD", …
    std::string original;      ///< the logical line as split (for errors and history)
    std::vector<InstructionFlag> flags; ///< in the order written
    /// The arguments, by keyword:
    ///  - RUN/CMD/ENTRYPOINT: unused (see `command`).
    ///  - FROM: [image] or [image, "AS", name]  (the "AS" word normalised upper case)
    ///  - COPY/ADD: sources…, dest (JSON form decoded; heredoc sources are "<<NAME")
    ///  - ENV/LABEL: key, value, key, value… (both `k=v …` and legacy `k v` forms; quotes kept, unexpanded)
    ///  - ARG: "NAME" or "NAME=default" (one per ARG word)
    ///  - EXPOSE/VOLUME: the words (VOLUME's JSON form decoded)
    ///  - WORKDIR/USER/STOPSIGNAL/MAINTAINER: one word (the rest of the line)
    ///  - SHELL: the JSON array's strings (SHELL must be JSON)
    ///  - HEALTHCHECK: ["NONE"] or ["CMD"] with `command` set; its flags in `flags`
    ///  - ONBUILD: [the trigger's text]; `trigger` holds it parsed
    std::vector<std::string> args;
    /// RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD: the command in its form. A RUN
    /// with heredocs is the shell form whose text is the line after RUN.
    CommandForm command;
    std::vector<Heredoc> heredocs; ///< RUN/COPY/ADD heredoc bodies, in marker order
    /// ONBUILD's trigger, parsed as an instruction of its own (never ONBUILD,
    /// FROM or MAINTAINER: docker refuses those).
    std::vector<Instruction> trigger;

    /// The last flag called `name`, if given.
    std::optional<std::string> flag(std::string_view name) const;
};

/// One `FROM` and what follows it up to the next FROM.
struct Stage {
    int index = 0;         ///< 0-based
    std::string name;      ///< `FROM … AS name` (lower-cased, as docker), else ""
    Instruction from;      ///< its FROM
    std::vector<Instruction> instructions; ///< after the FROM
};

/// The parser directives at the top of the file.
struct Directives {
    char escape = '\\';    ///< `# escape=` (\\ or `)
    std::string syntax;    ///< `# syntax=` (recorded, not acted on)
    std::string check;     ///< `# check=` (recorded)
};

/// A whole Dockerfile.
struct Dockerfile {
    Directives directives;                ///< the parser directives it starts with
    std::vector<Instruction> global_args; ///< ARGs before the first FROM
    std::vector<Stage> stages;            ///< in file order (Stage::index is the position)
};

/// Parses `text` (named `file` in errors). Throws kubik::Error "FILE:LINE:
/// message" (exit 1) on: an unknown instruction, a missing argument, ENV/LABEL
/// without a value, an instruction before the first FROM other than ARG, an
/// empty file or one of only comments ("file with no instructions"), an
/// unterminated heredoc, an unknown or misplaced flag, a SHELL that is not
/// JSON, an ONBUILD of ONBUILD/FROM/MAINTAINER.
Dockerfile parse_dockerfile(std::string_view text, const std::string& file = "Dockerfile");

/// One line per instruction, for `kubik build --print-ast`: "LINE KEYWORD
/// [--flag=value…] ARGS" with args as a JSON array (and, for commands,
/// "exec [...]" / "shell \"...\""), stages introduced by their FROM.
std::string format_ast(const Dockerfile& file);

} // namespace kubik::dockerfile
