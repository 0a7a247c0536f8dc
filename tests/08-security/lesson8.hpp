// Lesson 8's gate and the helpers its tests share.
//
// Two kinds of tests, as in lessons 6 and 7:
//   *_functions_test.cpp  the five functions called directly, each in a
//                         forked child (in a mount namespace of its own when
//                         it mounts): what a child drops or loads dies with it.
//   the others            kubik run end to end with the busybox image, in the
//                         test's own state root, checked from the host
//                         (/proc/PID/status, mountinfo, errno values).
#pragma once

#include "kubik_test.hpp"

#include <string>
#include <vector>

namespace kubik::test::security8 {

/// Calls each of lesson 8's functions once where nothing can change (a
/// forked child; empty lists); returns the stub's message while one is
/// still a stub, "" when all five are written.
std::string stub_message();

/// The fixture of lesson 8's end-to-end tests: BusyboxTest, failing every
/// test with the stub's message while lesson 8 is not written, and asking
/// the gate for a wall explicitly (a stub skips the walls quietly).
class Lesson8Test : public LessonTest {
protected:
    Lesson8Test() : LessonTest(8, "security") {}
    void SetUp() override;
    std::vector<std::string> gate_args() const override {
        return {"run", "--rm", "--cap-drop", "NET_RAW", "busybox", "true"};
    }
};

} // namespace kubik::test::security8
