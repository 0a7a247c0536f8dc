// Building the student's runtime before checking it (check, watch): the
// lessons' checks drive the kubik binary, so a stale build checks old code.
#pragma once

#include "subprocess.hpp"

#include <filesystem>
#include <functional>
#include <vector>

namespace kubik::course {

/// `cmake --build BUILD_DIR`: kubik, its monitor and the lessons' test
/// programs. The output is captured (capped); compiler_errors() (grader.hpp)
/// picks what to show when it fails. Ctrl-C is reported as `interrupted`.
ProcessResult build_student_runtime(const std::filesystem::path& build_dir);

/// The regular files under `folder` (recursively) modified after `since`,
/// relative to `folder`, sorted.
std::vector<std::filesystem::path> files_modified_after(const std::filesystem::path& folder,
                                                        std::filesystem::file_time_type since);

/// Runs `build`; when a file under `code_dir` was saved while it ran, the
/// compiler may have read the old text and written an object newer than the
/// saved file, so every later build would skip it. Such files get the time
/// of now and `build` runs once more; `on_rebuild` hears of them first (to
/// say so). The result is the last build's.
ProcessResult build_until_settled(const std::function<ProcessResult()>& build, const std::filesystem::path& code_dir,
                                  const std::function<void(const std::vector<std::filesystem::path>&)>& on_rebuild);

} // namespace kubik::course
