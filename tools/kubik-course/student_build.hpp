// Building the student's runtime before checking it (check, watch): the
// lessons' checks drive the kubik binary, so a stale build checks old code.
#pragma once

#include "subprocess.hpp"

#include <filesystem>

namespace kubik::course {

/// `cmake --build BUILD_DIR`: kubik, its monitor and the lessons' test
/// programs. The output is captured (capped); compiler_errors() (grader.hpp)
/// picks what to show when it fails. Ctrl-C is reported as `interrupted`.
ProcessResult build_student_runtime(const std::filesystem::path& build_dir);

} // namespace kubik::course
