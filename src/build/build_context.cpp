// Lesson 7: see build_context.hpp. Being written.
#include "build/build_context.hpp"
