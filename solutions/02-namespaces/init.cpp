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
    // BEGIN SOLUTION run_init
    // TODO: loop on sigwaitinfo() over all signals. SIGCHLD: reap with
    // waitpid(-1, ..., WNOHANG) until none is left; when `command` is reaped,
    // return its exit code. Any other signal: kill(command, sig).
    sigset_t all;
    sigfillset(&all);
    // Signals stay blocked: we take them one at a time with sigwaitinfo()
    // instead of running handlers. A blocked signal is still delivered to
    // PID 1 (the kernel only drops signals PID 1 would ignore).
    sigprocmask(SIG_BLOCK, &all, nullptr);
    for (;;) {
        siginfo_t info;
        int sig = ::sigwaitinfo(&all, &info);
        if (sig < 0) {
            if (errno == EINTR) continue;
            throw_errno("init: sigwaitinfo");
        }
        if (sig != SIGCHLD) {
            // ESRCH is fine: the command may have exited a moment ago.
            ::kill(command, sig);
            continue;
        }
        // One SIGCHLD may stand for many exits (signals don't queue), so reap
        // until nothing is left. Orphans adopted by PID 1 are reaped here too.
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0)
            if (pid == command) return kubik::process::exit_code_from_wait_status(status);
    }
    // END SOLUTION
}

} // namespace kubik::ns
