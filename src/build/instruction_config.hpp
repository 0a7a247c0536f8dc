// The instructions that change only the image's config (no layer): what each
// does to ImageConfig, as docker's builder does it, and the line each leaves
// in the image's history. Their arguments come variable-expanded (for the
// instructions docker expands) from the stage builder.
#pragma once

#include "build/dockerfile_ast.hpp"
#include "image/image_config.hpp"

#include <string>
#include <vector>

namespace kubik::build {

/// ENV/LABEL: key/value pairs as the parser gave them (expanded).
/// ENV replaces a variable of the same name in place (order kept) or appends.
void apply_env(ImageConfig& config, const std::vector<std::string>& pairs);
/// LABEL: sets each key to its value (a label of the same key, inherited or
/// earlier, is replaced).
void apply_labels(ImageConfig& config, const std::vector<std::string>& pairs);

/// EXPOSE's words ("80", "80/tcp", "53/udp", "8000-8002"): normalised to
/// "PORT/PROTO" keys, sorted and unique. Throws kubik::Error on a bad port
/// ("invalid containerPort: x") or protocol.
void apply_expose(ImageConfig& config, const std::vector<std::string>& words);

/// VOLUME's paths: appended when new. Throws on an empty path.
void apply_volumes(ImageConfig& config, const std::vector<std::string>& paths);

/// WORKDIR: a relative path is relative to the current one; cleaned ("/a/b/..").
std::string resolve_workdir(const std::string& current, const std::string& path);

/// HEALTHCHECK: NONE or CMD with its flags (--interval, --timeout,
/// --start-period, --start-interval as Go durations, --retries). Throws on a
/// bad value or an unknown flag.
ImageConfig::Healthcheck parse_healthcheck(const dockerfile::Instruction& in);

/// A Go duration ("30s", "1m30s", "500ms", "1h") in nanoseconds; throws on
/// anything else.
std::int64_t parse_go_duration(const std::string& text);

/// Docker's rendering of an argv in history lines: ["a" "b c"].
std::string history_argv(const std::vector<std::string>& argv);

} // namespace kubik::build
