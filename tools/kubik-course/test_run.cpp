#include "test_run.hpp"

#include "cgroup_sweep.hpp"
#include "network_sweep.hpp"
#include "subprocess.hpp"
#include "tree_ops.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "kubik-course-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary directory: " + std::string(std::strerror(errno)));
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

} // namespace

bool TestRun::passed() const {
    return !crashed() && exit_code == 0 && !report->checks.empty() && report->count(Outcome::passed) == report->checks.size();
}

TestRun run_test_binary_isolated(const fs::path& binary, const IsolatedRunOptions& options) {
    if (!fs::is_regular_file(binary)) throw std::runtime_error(binary.string() + " does not exist");
    if (access(binary.c_str(), X_OK) != 0) throw std::runtime_error(binary.string() + " is not executable");

    const TempDir temp;
    const auto json_path = temp.path() / "report.json";
    ProcessOptions process;
    process.argv = {fs::absolute(binary).string(), "--gtest_output=json:" + json_path.string()};
    process.working_dir = fs::absolute(binary).parent_path();
    process.timeout = options.timeout;
    process.output_limit = options.output_limit;
    process.kill_orphans = options.kill_orphans;
    const auto cgroup_prefix = fresh_cgroup_prefix();
    const auto names_file = network_names_file(binary);
    const auto names_mark = network_names_mark(names_file);
    process.environment = {std::string(kCgroupPrefixVariable) + "=" + cgroup_prefix};
    const auto result = run_process(process);

    TestRun run;
    run.signal = result.signal;
    run.exit_code = result.exit_code;
    run.timed_out = result.timed_out;
    run.interrupted = result.interrupted;
    run.seconds = result.elapsed.count();
    run.output = result.output;
    // A test that ran to its end removed its cgroups itself; this finds none.
    run.leftovers = remove_cgroups_with_prefix(cgroup_prefix);
    // The same for its networks, but only after a run that was cut short: a
    // run that ended removed its own, and another program of the same build
    // (ctest beside it) may be using names recorded since the mark.
    if (result.timed_out || result.interrupted || result.signal != 0) {
        auto networks = remove_recorded_networks(names_file, names_mark);
        run.leftovers.insert(run.leftovers.end(), networks.begin(), networks.end());
    }
    if (result.start_failed) {
        run.exit_code = 127;
        return run;
    }
    if (!run.timed_out && !run.interrupted && fs::exists(json_path) && fs::file_size(json_path) < (64u << 20)) {
        try {
            run.report = parse_gtest_report(read_file(json_path));
        } catch (const std::exception&) {
            // A report cut short by a crash is no report; crashed() says so.
        }
    }
    return run;
}

} // namespace kubik::course
