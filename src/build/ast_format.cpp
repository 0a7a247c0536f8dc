// format_ast (dockerfile_ast.hpp): the parsed Dockerfile as text, one line
// per instruction, for `kubik build --print-ast` and the parser's tests:
//
//   # escape=`                                   (directives that were set)
//   1 ARG ["BASE=busybox"]
//   2 FROM ["$BASE","AS","build"]
//   3 RUN --mount=type=cache,target=/c shell "make"
//   4 COPY --from=build ["/out","/bin/"]
//   5 COPY ["<<EOF","/etc/motd"] heredoc EOF "hello\n"
//   6 ONBUILD ["RUN make"] trigger RUN shell "make"
//
// Strings are JSON (escapes for quotes, newlines and invalid UTF-8), so a
// line of the output is always one line, whatever the Dockerfile held.
#include "build/dockerfile_ast.hpp"

#include <nlohmann/json.hpp>

namespace kubik::dockerfile {

namespace {

std::string json_text(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A flag's value as written when it is plain, else as a JSON string
// (--chown="a b" was one word in the file; here it must stay one).
std::string flag_value(const std::string& value) {
    for (unsigned char c : value)
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\') return json_text(value);
    return value;
}

std::string body(const Instruction& ins) {
    std::string out = ins.keyword;
    for (const auto& flag : ins.flags) out += " --" + flag.name + "=" + flag_value(flag.value);
    if (!ins.args.empty()) out += " " + json_text(ins.args);
    if (ins.keyword == "RUN" || ins.keyword == "CMD" || ins.keyword == "ENTRYPOINT" ||
        (ins.keyword == "HEALTHCHECK" && !ins.args.empty() && ins.args[0] == "CMD")) {
        if (ins.command.exec_form) out += " exec " + json_text(ins.command.words);
        else out += " shell " + json_text(ins.command.words.empty() ? std::string() : ins.command.words[0]);
    }
    for (const auto& heredoc : ins.heredocs) {
        out += " heredoc " + json_text(heredoc.name);
        if (!heredoc.expand) out += " quoted";
        if (heredoc.strip_tabs) out += " strip-tabs";
        out += " " + json_text(heredoc.body);
    }
    for (const auto& trigger : ins.trigger) out += " trigger " + body(trigger);
    return out;
}

std::string line_of(const Instruction& ins) { return std::to_string(ins.line) + " " + body(ins) + "\n"; }

} // namespace

std::string format_ast(const Dockerfile& file) {
    std::string out;
    if (file.directives.escape != '\\') out += std::string("# escape=") + file.directives.escape + "\n";
    if (!file.directives.syntax.empty()) out += "# syntax=" + file.directives.syntax + "\n";
    if (!file.directives.check.empty()) out += "# check=" + file.directives.check + "\n";
    for (const auto& arg : file.global_args) out += line_of(arg);
    for (const auto& stage : file.stages) {
        out += line_of(stage.from);
        for (const auto& ins : stage.instructions) out += line_of(ins);
    }
    return out;
}

} // namespace kubik::dockerfile
