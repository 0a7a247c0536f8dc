// Lesson 7: see builder.hpp. Being written.
#include "build/builder.hpp"
