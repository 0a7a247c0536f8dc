// Errors kubik reports to its user.
//
// Every error says what kubik was doing and, for a failed system call, why the
// kernel said no ("mount proc on /x/proc: Operation not permitted"), the way
// crun does. Each carries the exit code docker would use for it.
#pragma once

#include <stdexcept>
#include <string>

namespace kubik {

/// Docker's exit codes for `run` (see docker-run(1), "Exit Status").
enum ExitCode : int {
    kExitGeneric = 1,        ///< other commands: unknown container, bad state
    kExitRuntimeError = 125, ///< kubik itself failed (bad flag, unknown image, ...)
    kExitCannotExecute = 126,///< the command exists but cannot be executed
    kExitNotFound = 127,     ///< the command was not found
};

/// An error with a message for the user and the exit code it should cause.
class Error : public std::runtime_error {
public:
    /// `message` is printed as "kubik: MESSAGE"; kubik then exits with `exit_code`.
    explicit Error(const std::string& message, int exit_code = kExitRuntimeError)
        : std::runtime_error(message), exit_code_(exit_code) {}
    /// The exit code this error should end kubik with.
    int exit_code() const noexcept { return exit_code_; }

private:
    int exit_code_;
};

/// Throws an Error "<what>: <strerror(err)>". `err` defaults to the current errno.
[[noreturn]] void throw_errno(const std::string& what, int err = -1);

/// Same as throw_errno, for failures of exec: exit 126 or 127 like docker.
class ExecError : public Error {
public:
    using Error::Error; ///< kubik::Error's constructors; the exit code is 126 or 127
};

} // namespace kubik
