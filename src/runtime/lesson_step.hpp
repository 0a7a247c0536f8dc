// Calling a lesson's function from the runtime.
//
// In a student's build, a lesson that is not written yet throws
// kubik::NotImplemented. The runtime still works at every stage: a capability
// it can do without is skipped with a one-line notice, unless the user asked
// for it explicitly (then it is an error, exit 125).
#pragma once

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <unistd.h>

#include <string>

namespace kubik {

/// Prints "kubik: skipped: MESSAGE" on stderr, in one write(2) so that lines
/// from the container's processes never cut into it.
inline void print_skip_notice(const std::string& message) noexcept {
    std::string line = "kubik: skipped: " + message + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
}

/// Runs `step`. Returns false if it is a stub and was skipped. When
/// `required_by` names a flag the user gave, a stub is an error instead.
template <class Step>
bool lesson_step(Step&& step, const char* required_by = nullptr) {
    try {
        step();
        return true;
    } catch (const NotImplemented& e) {
        if (required_by) throw Error(std::string(required_by) + ": " + e.what());
        print_skip_notice(e.what());
        return false;
    }
}

} // namespace kubik
