// Lesson 7: see dockerfile_parser.hpp. Being written.
#include "build/dockerfile_ast.hpp"
