// Lesson 0 — process: how a runtime starts a command and reports how it ended.
//
// A container is, in the end, an ordinary process. This lesson builds the part
// that every later lesson keeps using: the command's environment, its working
// directory, exec with docker's exit codes, and decoding how the process ended.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace kubik::process {

/// Looks up a variable in kubik's own environment (getenv in production,
/// a map in unit tests). Returns nullptr when the variable is not set.
using HostGetenv = std::function<const char*(const char*)>;

/// Builds the command's environment, following docker:
/// - start from the image's variables (`image_env`, "KEY=VALUE");
/// - each `-e KEY=VALUE` (`user_env`) replaces a variable with the same KEY or is added;
/// - `-e KEY` without '=' takes KEY's value from kubik's own environment
///   (`host_getenv`); when kubik's environment has no KEY, KEY is unset: the
///   result has no KEY at all, not even the image's;
/// - HOSTNAME=`hostname` is set before the `-e` flags (so `-e HOSTNAME=x`
///   wins), HOME=/root unless already set, TERM=xterm with `tty` unless set.
/// Each KEY appears once.
/// Order: image variables first, in their order, then new ones in the order given.
std::vector<std::string> build_environment(const std::vector<std::string>& image_env,
                                           const std::vector<std::string>& user_env,
                                           const std::string& hostname, bool tty,
                                           const HostGetenv& host_getenv);

/// Resets what a process inherits about signals and exec does not reset:
/// unblocks every signal and restores every handler to its default. Call it
/// in the child, just before exec_command().
void reset_signals();

/// Makes `dir` the current directory, creating it and its parents first when
/// missing (docker's `-w` does). Throws kubik::Error naming the directory when
/// it cannot (e.g. a path component is a file: "Not a directory").
void prepare_working_directory(const std::string& dir);

/// Replaces the current process with argv[0], looked up in the PATH of `env`
/// (the container's environment, not kubik's) unless it contains a '/'.
/// Never returns. On failure throws kubik::ExecError with docker's exit code:
/// 127 `exec: "NAME": executable file not found in $PATH` (or "no such file or
/// directory" for a path), 126 `exec: "NAME": permission denied` (no execute
/// bit, a directory, a file the kernel can't run).
[[noreturn]] void exec_command(const std::vector<std::string>& argv,
                               const std::vector<std::string>& env);

/// Turns a status from waitpid() into the exit code docker reports: the
/// process's own exit code, or 128+N when signal N killed it.
int exit_code_from_wait_status(int status);

} // namespace kubik::process
