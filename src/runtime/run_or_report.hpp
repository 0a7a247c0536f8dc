// How the processes kubik forks end: the container's init and command, and
// `kubik exec`'s joiner and command. They are copies of kubik and must never
// return into its code (its destructors would clean up the parent's state),
// so their body runs under run_or_report(): an error goes to the waiting
// kubik over the channel, and the process exits with the error's code.
#pragma once

#include "core/error.hpp"
#include "runtime/channel.hpp"

#include <exception>
#include <string>
#include <unistd.h>

namespace kubik {

/// Reports the error to the waiting kubik and exits with its code.
[[noreturn]] inline void fail(const Channel& channel, int exit_code, const std::string& message) noexcept {
    channel.send_error(exit_code, message);
    ::_exit(exit_code);
}

/// Runs `body`, which ends in exec() or _exit(); an exception it throws is
/// reported with fail() (kubik::Error with its own code, anything else 125).
template <class Body>
[[noreturn]] void run_or_report(const Channel& channel, Body&& body) noexcept {
    try {
        body();
        ::_exit(kExitRuntimeError); // body never returns normally
    } catch (const Error& e) {
        fail(channel, e.exit_code(), e.what());
    } catch (const std::exception& e) { // NotImplemented included
        fail(channel, kExitRuntimeError, e.what());
    }
}

} // namespace kubik
