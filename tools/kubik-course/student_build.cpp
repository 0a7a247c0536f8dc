#include "student_build.hpp"

namespace kubik::course {

ProcessResult build_student_runtime(const std::filesystem::path& build_dir) {
    ProcessOptions build;
    build.argv = {"cmake", "--build", build_dir.string()};
    build.output_limit = 512 * 1024;
    return run_process(build);
}

} // namespace kubik::course
