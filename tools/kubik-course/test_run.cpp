#include "test_run.hpp"

#include "cgroup_sweep.hpp"
#include "subprocess.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Ignores SIGINT and SIGQUIT for as long as it lives, the way system(3) does
// while its child runs.
class IgnoreInterrupts {
public:
    IgnoreInterrupts() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        sigaction(SIGINT, &ignore, &old_int_);
        sigaction(SIGQUIT, &ignore, &old_quit_);
    }
    ~IgnoreInterrupts() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGQUIT, &old_quit_, nullptr);
    }
    IgnoreInterrupts(const IgnoreInterrupts&) = delete;
    IgnoreInterrupts& operator=(const IgnoreInterrupts&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_quit_ {};
};

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

// The child side of fork: only async-signal-safe calls until exec, so every
// string is prepared by the parent.
[[noreturn]] void exec_child(const char* program, const char* folder, const char* json_flag, int log_fd) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    if (chdir(folder) != 0) _exit(127);
    char* const argv[] = {const_cast<char*>(program), const_cast<char*>(json_flag), nullptr};
    execv(program, argv);
    _exit(127);
}

} // namespace

bool TestRun::passed() const {
    return !crashed() && exit_code == 0 && !report->checks.empty() && report->count(Outcome::passed) == report->checks.size();
}

TestRun run_test_binary(const fs::path& binary) {
    if (!fs::is_regular_file(binary)) throw std::runtime_error(binary.string() + " does not exist");
    if (access(binary.c_str(), X_OK) != 0) throw std::runtime_error(binary.string() + " is not executable");

    const TempDir temp;
    const auto json_path = temp.path() / "report.json";
    const auto log_path = temp.path() / "output.log";
    const std::string json_flag = "--gtest_output=json:" + json_path.string();
    const std::string program = fs::absolute(binary).string();
    const std::string folder = fs::absolute(binary).parent_path().string();
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) throw std::runtime_error("cannot create " + log_path.string() + ": " + std::strerror(errno));

    const IgnoreInterrupts ignore_interrupts;
    const pid_t pid = fork();
    if (pid < 0) {
        close(log_fd);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) exec_child(program.c_str(), folder.c_str(), json_flag.c_str(), log_fd);
    close(log_fd);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }

    TestRun run;
    if (WIFSIGNALED(status)) {
        run.signal = WTERMSIG(status);
    } else {
        run.exit_code = WEXITSTATUS(status);
    }
    run.output = read_all(log_path);
    if (fs::exists(json_path)) {
        try {
            run.report = parse_gtest_report(read_all(json_path));
        } catch (const std::exception&) {
            // A report cut short by a crash is no report; crashed() says so.
        }
    }
    return run;
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
    if (result.start_failed) {
        run.exit_code = 127;
        return run;
    }
    if (!run.timed_out && !run.interrupted && fs::exists(json_path) && fs::file_size(json_path) < (64u << 20)) {
        try {
            run.report = parse_gtest_report(read_all(json_path));
        } catch (const std::exception&) {
            // A report cut short by a crash is no report; crashed() says so.
        }
    }
    return run;
}

} // namespace kubik::course
