// `--entrypoint=""`: an option given an empty value with '='.
//
// The shell turns `--entrypoint=""` into the word "--entrypoint=", and docker
// reads that as the empty value (which clears the image's ENTRYPOINT). CLI11
// reads it as the option with its value still to come and takes the next
// word, the image's name, instead. So before parsing, each such word of
// kubik's own options is split into "--NAME" and "" (which CLI11 takes as an
// empty value); the words of the container's command, after the first
// positional argument (the image), are left as they are.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace kubik::cli {

/// argv[1…] with every "--NAME=" of an option of `app` (or of the
/// subcommand it is given to) split into "--NAME", "", in CLI11's reversed
/// order: what App::parse(std::vector<std::string>&) takes.
std::vector<std::string> split_empty_values(const CLI::App& app, int argc, char** argv);

} // namespace kubik::cli
