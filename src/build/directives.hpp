// The parser directives at the top of a Dockerfile (`# escape=`, `# syntax=`,
// `# check=`): comments to the splitter, settings to the parser.
#pragma once

#include "build/dockerfile_ast.hpp"

#include <string>
#include <string_view>

namespace kubik::dockerfile {

/// Reads the directives at the top of `text` (named `file` in errors).
/// Throws kubik::Error "FILE:LINE: …" (exit 1) on an escape that is not
/// '\\' or '`' and on a directive given twice.
Directives parse_directives(std::string_view text, const std::string& file);

} // namespace kubik::dockerfile
