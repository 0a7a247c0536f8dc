// The command's working directory must lie inside the container's root.
//
// Why a check after chdir() at all: the kernel never confines a process's
// working directory to its root. chdir() goes wherever its path leads, and
// in /proc the links fd/N, cwd and root of a process are not names but the
// open objects themselves: /proc/self/fd/7 is whatever descriptor 7 is, in
// whichever mount namespace and root it was opened. A command that starts
// with its cwd outside its root walks `..` up to the host's `/` (the kernel
// stops `..` only at the process's own root, which that walk never meets) —
// runc's CVE-2024-21626, through a descriptor runc had itself left open.
//
// The pitfall: the path tells nothing. "/proc/self/fd/7", "/dev/fd/7", an
// image's symlink `/app -> /proc/self/fd/7` and a WorkingDir in its config
// all look like paths inside the container; only where chdir() ended up
// counts. So kubik (1) closes every descriptor it inherited at the start of
// main() (src/cli/main.cpp), leaving no door to the host to find, and (2)
// asks the kernel after chdir(), in the process that then execs, whether the
// working directory is reachable from its root: getcwd(2) answers with a
// path from the process's root, or with one that starts with
// "(unreachable)" when the directory is not below it.
#pragma once

#include <string>

namespace kubik {

/// Throws kubik::Error (exit 125) unless the calling process's working
/// directory is reachable from its root (getcwd(2) succeeds with an absolute
/// path). Call it after chdir(`dir`) and before exec; `dir` is the working
/// directory as the user or the image gave it, for the message
/// (`working directory "/proc/self/fd/7" is outside the container's root
/// filesystem`).
void check_working_directory_inside_root(const std::string& dir);

} // namespace kubik
