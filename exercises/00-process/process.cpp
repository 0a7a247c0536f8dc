// Lesson 0 — process. Read lessons/00-process/README.md first.
#include "process.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <unordered_map>

namespace kubik::process {

std::vector<std::string> build_environment(const std::vector<std::string>& image_env,
                                           const std::vector<std::string>& user_env,
                                           const std::string& hostname, bool tty,
                                           const HostGetenv& host_getenv) {
    // TODO: merge image variables, -e overrides, and HOSTNAME/HOME/TERM by key.
    throw kubik::NotImplemented("not implemented yet: lesson 0 (process) — build_environment(); see lessons/00-process/README.md (по-русски: README.ru.md)");
}

void reset_signals() {
    // TODO: unblock all signals (sigprocmask) and set every handler back to SIG_DFL.
    // The signal mask and ignored signals survive execve(): a command started
    // with SIGTERM blocked would never die from `kubik stop`.
    throw kubik::NotImplemented("not implemented yet: lesson 0 (process) — reset_signals(); see lessons/00-process/README.md (по-русски: README.ru.md)");
}

void prepare_working_directory(const std::string& dir) {
    // TODO: create the directory (and its parents) if it is missing, then chdir into it.
    throw kubik::NotImplemented("not implemented yet: lesson 0 (process) — prepare_working_directory(); see lessons/00-process/README.md (по-русски: README.ru.md)");
}

void exec_command(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    // TODO: build char* arrays, search PATH from `env` when argv[0] has no '/',
    // execve(), and turn errno into ExecError(message, 126 or 127).
    throw kubik::NotImplemented("not implemented yet: lesson 0 (process) — exec_command(); see lessons/00-process/README.md (по-русски: README.ru.md)");
}

int exit_code_from_wait_status(int status) {
    // TODO: WIFEXITED → WEXITSTATUS; WIFSIGNALED → 128 + WTERMSIG.
    throw kubik::NotImplemented("not implemented yet: lesson 0 (process) — exit_code_from_wait_status(); see lessons/00-process/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::process
