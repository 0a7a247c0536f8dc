// Lesson 7 — dockerfile: `kubik build` reads a Dockerfile and runs it, one
// instruction after another, each on top of the image the one before left.
//
// A Dockerfile is a text the builder reads in three passes, and each pass is
// one of the functions below:
//
//   text ──split_instructions──> one logical instruction per entry
//        ──(src/build: keyword, flags, arguments)──> the instruction list
//        ──expand_word / parse_command_form──> what the step really does
//
// and then each step becomes a layer: COPY copies files into the step's root
// (copy_into_root), RUN runs a command in a container of the image so far
// (command_argv gives its argv), and lesson 4's write_layer() turns what
// either changed (the overlay's upper directory) into the step's layer. Before
// a step runs, step_cache_key() says whether it ran before with the same
// inputs: then its layer is reused and nothing runs at all.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::dockerfile {

// [docs:dockerfile-api]
/// A heredoc of an instruction (`RUN <<EOF` … `EOF`).
struct Heredoc {
    std::string name;        ///< the delimiter word, without quotes or "-" ("EOF")
    std::string body;        ///< the lines between, each ending in "\n" (tabs cut with <<-)
    bool expand = true;      ///< false when the delimiter was quoted (<<"EOF", <<'EOF'): no $VAR expansion
    bool strip_tabs = false; ///< <<-EOF: leading tabs of every body line were removed
};

/// One instruction as it stands in the file, before it is understood.
struct RawInstruction {
    int line = 0;       ///< the 1-based line its first physical line is on
    /// Its text with every continuation joined: the escape character at the
    /// end of a line and the newline after it are removed (nothing else:
    /// "RUN a \\\n  b" becomes "RUN a   b"); comment lines and empty lines
    /// inside the continuation are dropped. No leading or trailing blanks.
    std::string text;
    std::vector<Heredoc> heredocs; ///< in the order their markers appear in `text`
};

/// Splits a Dockerfile into its instructions. A line whose first non-blank
/// character is '#' is a comment, anywhere (also inside a continuation);
/// empty lines are skipped; a line ending in `escape` ('\\' or '`', from the
/// `# escape=` directive) continues on the next one. After an instruction
/// line that holds heredoc markers (heredoc_markers() below), the following
/// lines are the bodies, each up to a line that is exactly its delimiter.
/// The parser directives at the top are comments here. Throws kubik::Error
/// naming the line of an unterminated heredoc ("unterminated heredoc EOF
/// opened on line 3") and of a file that ends inside a continuation only
/// when nothing is left to join (docker accepts a trailing "\\").
std::vector<RawInstruction> split_instructions(std::string_view text, char escape);

/// A heredoc marker found in an instruction line (src/build/heredoc.cpp).
struct HeredocMarker {
    std::string name;        ///< the delimiter, quotes removed
    bool quoted = false;     ///< <<"EOF" or <<'EOF'
    bool strip_tabs = false; ///< <<-EOF
};
/// The heredoc markers of one instruction line (`<<EOF`, `<<-EOF`,
/// `<<"EOF"`, several per line), for RUN, COPY and ADD only, as BuildKit
/// reads them; "<<" inside quotes or followed by a blank is not a marker.
/// Given: implemented in src/build/heredoc.cpp.
std::vector<HeredocMarker> heredoc_markers(std::string_view line);

/// An instruction's command in one of its two forms.
struct CommandForm {
    bool exec_form = false; ///< a JSON array of strings: run as it is, no shell
    /// Exec form: the array's strings. Shell form: one string, the text as
    /// written (trimmed), given to the SHELL as one argument.
    std::vector<std::string> words;
};

/// Reads a RUN/CMD/ENTRYPOINT (and HEALTHCHECK CMD) argument: a valid JSON
/// array of strings is the exec form; anything else — also text that only
/// looks like JSON (`["a", b]`, `[ 'x' ]`, a number in the array) — is the
/// shell form, as docker falls back. An empty argument is the shell form
/// with no words.
CommandForm parse_command_form(std::string_view argument);

/// The argv a command form runs as: the exec form's words; for the shell
/// form, `shell` (the stage's SHELL, ["/bin/sh", "-c"] by default) followed
/// by the text. `prefix` is prepended in both cases (ENTRYPOINT's argv before
/// CMD's: `prefix` = entrypoint, `form` = cmd). A shell form with no text
/// gives `prefix` alone.
std::vector<std::string> command_argv(const CommandForm& form, const std::vector<std::string>& shell,
                                      const std::vector<std::string>& prefix = {});

/// Looks a variable up: its value, or nullopt when it is not set.
using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Processes one word as docker's shell lexer does for ENV, ARG, LABEL,
/// COPY, ADD, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL and FROM: quotes are
/// removed ('…' keeps everything literally, "…" still expands variables),
/// `escape` followed by a character keeps that character literally (outside
/// single quotes), and $NAME, ${NAME}, ${NAME:-word} (word when NAME is unset
/// or empty), ${NAME:+word} (word when NAME is set and not empty), with the
/// words themselves expanded, are replaced by their values ("" when unset).
/// Throws kubik::Error on "${" without its "}" and on an unknown modifier
/// ("${a:?x}" is not supported, say so).
std::string expand_word(std::string_view word, const VariableLookup& lookup, char escape);

/// What a step's result depends on: when all of it is as before, the step's
/// layer from the cache is its result.
struct StepKeyInput {
    std::string parent;      ///< the key of the step before (the base image's ID for the first)
    std::string instruction; ///< the instruction as docker's history shows it, variables expanded
    /// "NAME=VALUE" of the build args the step can see, in any order: two
    /// builds that give the same args in another order share the step.
    std::vector<std::string> build_args;
    /// COPY/ADD: the digest of the sources' content and metadata
    /// (BuildContext::sources_digest), so a changed file misses and a
    /// touched one (same bytes, new mtime) hits; "" for other steps.
    std::string sources_digest;
};

/// The cache key of a step: "sha256:" and 64 hex digits over every field of
/// `input`, each field delimited so that no two different inputs can give
/// the same bytes ("ab"+"c" is not "a"+"bc").
std::string step_cache_key(const StepKeyInput& input);

/// Who owns what COPY/ADD writes, and its mode (--chown, --chmod).
struct CopyOptions {
    uid_t uid = 0;                  ///< --chown's user (0: root, docker's default)
    gid_t gid = 0;                  ///< --chown's group
    std::optional<mode_t> mode;     ///< --chmod: for every file and directory copied; else the source's mode
};

/// Copies `source` (a file, directory or symlink on the host: a path in the
/// build context, already checked to be inside it) to the absolute path
/// `dest` inside the image, whose root directory is `root_fd` (the step's
/// overlay mount, so what is written lands in the step's upper directory).
/// `dest` is the exact path of the copy (the caller has already appended
/// the source's name where docker does). Every path in the image is resolved
/// with openat2(RESOLVE_IN_ROOT) from `root_fd`: a symlink the image holds
/// ("/x -> /") is followed inside the image, never to the host. Missing
/// parent directories of `dest` are made (0755, root). A directory's contents
/// are copied recursively; symlinks inside it are copied as symlinks, never
/// followed; files keep their mode (unless options.mode) and mtime, and get
/// options.uid/gid. An existing file at `dest` is replaced; an existing
/// directory is merged into. Throws kubik::Error naming the path on failure.
void copy_into_root(const std::filesystem::path& source, int root_fd, const std::string& dest,
                    const CopyOptions& options);
// [docs:dockerfile-api end]

} // namespace kubik::dockerfile
