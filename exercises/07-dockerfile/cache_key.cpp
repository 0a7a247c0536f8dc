// Lesson 7 — dockerfile: the cache key of a build step.
// Read lessons/07-dockerfile/README.md first.
//
// A step's result depends on exactly four things: the state it starts from
// (the key of the step before it, which itself stands for everything before),
// what it does (its instruction with the variables expanded), the build args
// it can see (a RUN's environment), and for COPY/ADD what it copies (the
// digest of the sources' bytes and metadata). When a new build comes to a
// step whose four inputs are the same as in an earlier build, the earlier
// result is the result: nothing runs. Because every key contains the one
// before it, a change to one step changes the keys of all steps after it,
// which is why the order of a Dockerfile's instructions matters.
//
// The key is a hash of those inputs, and the bytes hashed must tell
// different inputs apart: "ab" + "c" and "a" + "bc" may never hash alike,
// or two different steps would share a layer. Each field is written with
// its length in front, so a field's end is never guessed from its content.
#include "dockerfile.hpp"

#include "core/not_implemented.hpp"
#include "core/sha256.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace kubik::dockerfile {

namespace {

// TODO: helpers of your own, if you want them.
// "LEN:BYTES;" — a length prefix makes the encoding unambiguous whatever
// the bytes are (a separator alone could appear inside a field).

} // namespace

std::string step_cache_key(const StepKeyInput& input) {
    // TODO: hash (core/sha256.hpp) every field of `input` so that two
    // different inputs never give the same bytes: write each field's length
    // before it. The build args come in any order: sort a copy first, so
    // the same args in another order give the same key. Return
    // "sha256:" + 64 hex digits (Sha256::digest() gives that form).
    throw kubik::NotImplemented("not implemented yet: lesson 7 (dockerfile) — step_cache_key(); see lessons/07-dockerfile/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::dockerfile
