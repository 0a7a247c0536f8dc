// The exception every exercise stub throws.
//
// exercises/ is generated from solutions/: each region a student writes becomes
// `throw kubik::NotImplemented("not implemented yet: lesson N (topic) — fn(); ...")`.
// The start pipeline catches it to skip a capability that is not written yet
// (with a one-line notice) so the runtime works at every stage of the course.
#pragma once

#include <stdexcept>
#include <string>

namespace kubik {

class NotImplemented : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

} // namespace kubik
