#include "student_build.hpp"

#include <algorithm>
#include <system_error>

namespace fs = std::filesystem;

namespace kubik::course {

ProcessResult build_student_runtime(const fs::path& build_dir) {
    ProcessOptions build;
    build.argv = {"cmake", "--build", build_dir.string()};
    build.output_limit = 512 * 1024;
    return run_process(build);
}

std::vector<fs::path> files_modified_after(const fs::path& folder, fs::file_time_type since) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code entry_ec;
        if (!it->is_regular_file(entry_ec)) continue;
        const auto time = it->last_write_time(entry_ec);
        if (!entry_ec && time > since) files.push_back(it->path().lexically_relative(folder));
    }
    std::sort(files.begin(), files.end());
    return files;
}

ProcessResult build_until_settled(const std::function<ProcessResult()>& build, const fs::path& code_dir,
                                  const std::function<void(const std::vector<fs::path>&)>& on_rebuild) {
    // Files get the kernel's coarse time (a clock tick, up to 10 ms behind
    // the fine clock read here): a file saved just after we start could look
    // older than the start without the margin.
    const auto started = fs::file_time_type::clock::now() - std::chrono::milliseconds(20);
    auto result = build();
    if (result.interrupted || !result.succeeded()) return result;
    const auto saved = files_modified_after(code_dir, started);
    if (saved.empty()) return result;
    on_rebuild(saved);
    // Once: a student who keeps saving gets the next `check` for the rest.
    const auto now = fs::file_time_type::clock::now();
    for (const auto& file : saved) {
        std::error_code ec;
        fs::last_write_time(code_dir / file, now, ec);
    }
    return build();
}

} // namespace kubik::course
