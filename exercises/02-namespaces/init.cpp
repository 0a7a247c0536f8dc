// Lesson 2 — namespaces: PID 1. Read lessons/02-namespaces/README.md first.
#include "init.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "process.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>

namespace kubik::ns {

int run_init(pid_t command) {
    // TODO: loop on sigwaitinfo() over all signals. SIGCHLD: reap with
    // waitpid(-1, ..., WNOHANG) until none is left; when `command` is reaped,
    // return its exit code. Any other signal: kill(command, sig).
    throw kubik::NotImplemented("not implemented yet: lesson 2 (namespaces) — run_init(); see lessons/02-namespaces/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::ns
