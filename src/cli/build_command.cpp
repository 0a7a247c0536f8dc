// `kubik build` (lesson 7). TODO (l7-build).
#include "cli/commands.hpp"

namespace kubik::cli {

void add_build_command(CLI::App&, const GlobalOptions&, Action&) {}

} // namespace kubik::cli
