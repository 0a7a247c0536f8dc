// libFuzzer target: parse_dockerfile() and format_ast() on arbitrary bytes.
// The parser must either return a Dockerfile or throw kubik::Error — never
// crash, hang, read out of bounds (ASan) or hit undefined behaviour (UBSan),
// whatever a Dockerfile holds. Each instruction's command form and every
// word of its arguments also goes through expand_word, as the builder
// would send it, with a lookup that knows a few names.
//
//   scripts/fuzz-dockerfile.sh 300     # build in build-fuzz/, run 5 minutes
#include "build/dockerfile_ast.hpp"
#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace df = kubik::dockerfile;

namespace {

std::optional<std::string> lookup(std::string_view name) {
    if (name == "A") return std::string("apple");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
}

void expand_all(const df::Instruction& ins, char escape) {
    for (const auto& arg : ins.args) {
        try {
            (void)df::expand_word(arg, lookup, escape);
        } catch (const kubik::Error&) {
        }
    }
    for (const auto& t : ins.trigger) expand_all(t, escape);
    (void)df::command_argv(ins.command, {"/bin/sh", "-c"}, {"/entry"});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto file = df::parse_dockerfile(text, "Dockerfile");
        (void)df::format_ast(file);
        for (const auto& a : file.global_args) expand_all(a, file.directives.escape);
        for (const auto& stage : file.stages) {
            expand_all(stage.from, file.directives.escape);
            for (const auto& ins : stage.instructions) expand_all(ins, file.directives.escape);
        }
    } catch (const kubik::Error&) {
        // A refused Dockerfile: fine, that's what errors are for.
    }
    // The reading functions alone, on the raw bytes too.
    try {
        (void)df::expand_word(text, lookup, '\\');
    } catch (const kubik::Error&) {
    }
    (void)df::parse_command_form(text);
    (void)df::heredoc_markers(text);
    return 0;
}
