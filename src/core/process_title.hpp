// Renaming our own process for `ps`.
//
// The container's init is a copy of kubik (fork without exec), so `ps` in the
// container would show kubik's command line, a path on the host. The kernel
// reads /proc/PID/cmdline straight from the memory that held argv, so
// overwriting that memory renames the process (what setproctitle() does).
#pragma once

namespace kubik {

/// Call once from main() with main's own arguments.
void remember_process_args(int argc, char** argv);

/// Replaces the command line (as far as the original argv's space allows)
/// and comm (the 15-character name in /proc/PID/comm) with `title`.
void set_process_title(const char* title);

} // namespace kubik
