// Helpers shared by every lesson's gate tests.
//
// The gate tests drive the real `kubik` binary, the way a student (or docker's
// own integration tests) would, and then look at kernel state from the host:
// /proc/PID/stat, /proc/PID/ns/*, /proc/PID/status, /proc/self/mountinfo.
// Stdout alone can lie; the kernel can't.
//
//   process.cpp  run a command (argv, no shell) with stdin, env and a timeout
//   proc.cpp     read the host's /proc: processes, namespaces, mounts
//   cgroups.cpp  read the host's cgroup filesystems; remove a test's cgroups
//   fixture.cpp  a temp state root and cgroup parent per test, the busybox
//                image, the lesson gate and the "nothing leaked" checks after
//                every test
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kubik::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// Paths baked in by tests/CMakeLists.txt.

/// The kubik binary under test ($<TARGET_FILE:kubik>).
std::string kubik_binary();
/// ${CMAKE_BINARY_DIR}/test-roots: every test's state root lives below it.
fs::path test_roots_dir();
/// The busybox the image is made from (KUBIK_TEST_BUSYBOX overrides /bin/busybox).
std::string busybox_binary();

/// The whole file, "" when it can't be read.
std::string slurp(const fs::path& p);
/// Writes `data` to `p`, making its parent directories first.
void put(const fs::path& p, const std::string& data);

// ---------------------------------------------------------------------------
// Running a command.

struct RunOptions {
    /// Bytes written to the command's stdin, which is then closed.
    /// nullopt: stdin is /dev/null.
    std::optional<std::string> stdin_data;
    /// Environment changes for the child: {"K", "V"} sets, {"K", nullopt} unsets.
    std::vector<std::pair<std::string, std::optional<std::string>>> env;
    /// Killed with SIGKILL when it runs longer (the result says timed_out).
    std::chrono::milliseconds timeout = 30s;
    /// Descriptors (>= 3) of the test process that the child inherits at the
    /// same numbers, close-on-exec or not: what a caller's shell passes on
    /// with `exec 7</dir`. Every other descriptor >= 3 is closed.
    std::vector<int> keep_fds;
};

struct RunResult {
    std::vector<std::string> argv;
    int exit_code = -1;      ///< WEXITSTATUS, or -1 when killed by a signal
    int term_signal = 0;     ///< WTERMSIG when killed by a signal
    bool timed_out = false;  ///< we had to kill it
    /// Stdout/stderr were still open 2 s after the process exited: something
    /// it started (a leaked container process) still holds them.
    bool pipes_held_open = false;
    std::chrono::milliseconds elapsed{0};  ///< from start (fork) to exit
    /// When the exit was seen (steady_clock), to time the exit from a moment
    /// other than the start, e.g. from a signal the test sent.
    std::chrono::steady_clock::time_point exited_at{};
    std::string out, err;

    /// Command, exit status, stdout and stderr, for failure messages.
    std::string describe() const;
};

/// A started command whose stdout/stderr go to pipes read by finish().
/// The destructor kills (SIGKILL) and reaps it if finish() was never called,
/// so a failing ASSERT can't leave it running.
class Child {
public:
    Child(const std::vector<std::string>& argv, const RunOptions& options = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    /// Feeds stdin, collects output, waits for the exit (at most `timeout`
    /// from now, then SIGKILL).
    RunResult finish(std::chrono::milliseconds timeout);

private:
    std::vector<std::string> argv_;
    std::optional<std::string> stdin_data_;
    pid_t pid_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    std::chrono::steady_clock::time_point started_;
};

/// Runs argv (no shell) to completion.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

/// A directory of the host, `dir`, with a file `dir/marker` of random content,
/// held open by the test process (close-on-exec here; RunOptions::keep_fds
/// passes it to a child): the descriptor a caller of kubik may hold without
/// knowing it (`exec 7</dir` in a shell). A container must never reach it,
/// so the marker's content must never show up in what the container printed.
class HeldDirectory {
public:
    /// Creates `dir` (and its parents) and the marker, opens `dir` at a
    /// descriptor >= 20.
    explicit HeldDirectory(const fs::path& dir);
    ~HeldDirectory();
    HeldDirectory(const HeldDirectory&) = delete;
    HeldDirectory& operator=(const HeldDirectory&) = delete;

    int fd() const { return fd_; }
    /// "/proc/self/fd/N" (or PREFIX + N): the path that opens the descriptor.
    std::string fd_path(const std::string& prefix = "/proc/self/fd/") const {
        return prefix + std::to_string(fd_);
    }
    /// The content of dir/marker.
    const std::string& marker() const { return marker_; }
    /// Options for a child that inherits the descriptor.
    RunOptions passed_on(RunOptions options = {}) const {
        options.keep_fds.push_back(fd_);
        return options;
    }

private:
    int fd_ = -1;
    std::string marker_;
};

/// A fresh directory below test_roots_dir(), named after the running test,
/// removed with all it holds when destroyed (the leak check reports it if a
/// crash leaves it behind).
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

/// Runs `body` in a forked child of the test process and returns what it
/// wrote to the stream: a lesson function that changes the calling process
/// for good (its root, its mount namespace) is called there, never in the
/// test process. An exception in `body` ends the text with "threw: WHAT";
/// a child that doesn't finish within `timeout` is killed ("timed out").
std::string in_child(const std::function<void(std::ostream&)>& body,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Reaps the zombies among the test process's own children, except those a
/// live Child still owns (its finish() collects them). The test process is a
/// child subreaper (KubikTest), so a detached container's monitor and the
/// processes of a container whose monitor died end up as its children; until
/// they are reaped, they linger as zombies.
void reap_zombie_children();

/// Output of a command run on a pseudo-terminal we own (see run_in_pty).
struct PtyResult {
    int exit_code = -1;
    int term_signal = 0;
    bool timed_out = false;
    std::string output;  ///< everything read from the master, "\r\n" kept
};

/// Runs argv as a session leader whose controlling terminal (and stdin,
/// stdout, stderr) is the slave of a pty allocated here with posix_openpt,
/// after setting its window size to rows x cols with TIOCSWINSZ.
PtyResult run_in_pty(const std::vector<std::string>& argv, unsigned short rows,
                     unsigned short cols, std::chrono::milliseconds timeout = 30s);

/// Drops the notices kubik prints about stub capabilities it skipped
/// ("kubik: skipped: ...\n"): a student who is on lesson 0 still has stubs for
/// lessons 1 and 2, and those notices share the container's stderr. Each is
/// one write, but may land in the middle of the command's own output (PID 1
/// prints one while the command already runs), so they are cut out wherever
/// they are, not only at line starts.
std::string without_skip_notices(const std::string& err);

/// The lines of `text`, without their newlines.
std::vector<std::string> lines_of(const std::string& text);
/// True when one of the lines of `text` is exactly `line`.
bool has_line(const std::string& text, const std::string& line);

// ---------------------------------------------------------------------------
// The host's view of processes, namespaces and mounts (/proc).

struct ProcInfo {
    pid_t pid = 0;
    pid_t ppid = 0;
    char state = '?';         ///< R, S, D, Z, ...
    std::string comm;
    unsigned long long start_time = 0;  ///< field 22, tells a reused pid apart
};

/// Every process on the host (a snapshot of /proc/*/stat).
std::vector<ProcInfo> list_processes();
std::optional<ProcInfo> process_info(pid_t pid);
/// Still running (not gone, not a zombie) and the same process as `who`.
bool is_alive(const ProcInfo& who);
std::vector<ProcInfo> children_of(pid_t parent);
/// Children, grandchildren, ... of `ancestor`.
std::vector<ProcInfo> descendants_of(pid_t ancestor);
/// Polls until `parent` has a child named `comm`; nullopt after `timeout`.
std::optional<ProcInfo> wait_for_child(pid_t parent, const std::string& comm,
                                       std::chrono::milliseconds timeout = 10s);
/// Polls until some descendant of `ancestor` is named `comm`.
std::optional<ProcInfo> wait_for_descendant(pid_t ancestor, const std::string& comm,
                                            std::chrono::milliseconds timeout = 10s);

/// readlink /proc/PID/ns/NAME ("pid:[4026531836]"); "" when it can't be read.
std::string namespace_of(pid_t pid, const std::string& name);
/// Pids whose /proc/PID/ns/NAME reads `link`.
std::vector<pid_t> processes_in_namespace(const std::string& name, const std::string& link);
/// The NSpid line of /proc/PID/status: the pid in each nested pid namespace,
/// outermost first.
std::vector<pid_t> nspid_of(pid_t pid);
/// readlink /proc/PID/{root,cwd}; "" when it can't be read.
std::string root_of(pid_t pid);
std::string cwd_of(pid_t pid);

struct Mount {
    std::string mount_point;    ///< unescaped ("\040" -> ' ')
    std::string options;        ///< per-mount options ("ro,nosuid,...")
    std::string fs_type;
    std::string source;
    std::string line;           ///< the whole line
};
/// Parses mountinfo text (proc(5)).
std::vector<Mount> parse_mountinfo(const std::string& text);
/// /proc/PID/mountinfo ("self" by default) parsed.
std::vector<Mount> mounts_of(const std::string& pid = "self");
/// The host's mount table as a comparable set of lines.
std::multiset<std::string> mount_table();
/// True when `path` is `dir` or below it (lexically, after normalisation).
bool is_under(const std::string& path, const fs::path& dir);
/// Reads a whole file; nullopt when it can't be opened.
std::optional<std::string> read_text(const fs::path& path);

/// Why process `pid` belongs to the state root `dir`: its root, cwd or an
/// open file is below it, or (when it is in another mount namespace, like a
/// container after pivot_root) its mount table names it. "" when none.
std::string tie_to(pid_t pid, const fs::path& dir);

/// Everything under `root` that someone could leak: mounts below it and
/// processes tied to it (tie_to). Empty when clean; one line per leak.
std::vector<std::string> leaks_under(const fs::path& root);

// ---------------------------------------------------------------------------
// Control groups, as the host sees them: the tests' own reading of
// /proc/self/mountinfo and /proc/PID/cgroup, independent of lesson 3's code
// (a test must not trust the code it tests to tell it where to look).

/// One mounted cgroup hierarchy.
struct CgroupMount {
    fs::path mount_point;
    bool v2 = false;                    ///< cgroup2 (the unified hierarchy)
    std::set<std::string> controllers;  ///< v1: the controllers in its super options ("cpu", "cpuacct")
};
/// Every cgroup filesystem mounted in our mount namespace.
std::vector<CgroupMount> cgroup_mounts();

/// Where kubik keeps a container's cgroup on this host, by the rule of
/// docs/architecture.md: v1 when a v1 hierarchy holds memory or pids (a v1
/// or hybrid host), v2 otherwise.
struct CgroupHost {
    bool v1 = false;
    bool hybrid = false;                        ///< v1 controllers and a cgroup2 mount beside them
    fs::path unified;                           ///< the cgroup2 mount, "" if none
    std::map<std::string, fs::path> v1_mounts;  ///< controller -> its v1 hierarchy

    /// The directory of cgroup `relative` ("PARENT/ID") in the hierarchy that
    /// holds `controller` (memory, cpu, cpuacct, pids; on v2 the unified one).
    fs::path dir(const std::string& controller, const fs::path& relative) const;
    /// Every directory kubik makes for cgroup `relative`: one per hierarchy it uses.
    std::vector<fs::path> dirs(const fs::path& relative) const;
    /// "cgroup v1 (hybrid: ...)" for messages.
    std::string describe() const;
};
CgroupHost cgroup_host();

/// The cgroup of `pid` in the hierarchy that holds `controller` (as
/// CgroupHost::dir chooses it), from /proc/PID/cgroup: "/PARENT/ID".
/// "" when it can't be read.
std::string cgroup_of(pid_t pid, const std::string& controller);

/// The cgroups below `dir` (its subdirectories, recursively), deepest first.
std::vector<fs::path> cgroups_below(const fs::path& dir);
/// The pids in cgroup `dir` and every cgroup below it (cgroup.procs).
std::vector<pid_t> pids_in_cgroup_tree(const fs::path& dir);
/// SIGKILLs every process in the cgroup tree at `dir`, then removes its
/// directories, deepest first. Returns what could not be done (one line each);
/// a missing `dir` is fine. Only ever called on a test's own cgroup parent.
std::vector<std::string> destroy_cgroup_tree(const fs::path& dir);

/// TAG: 8 hex digits, a hash of test_roots_dir(), so stable for one build and
/// distinct between builds (build/ and build-student/). Names the tests give
/// things on the host outside their state roots carry it (the markers in
/// /tmp, a working directory at /), so the leak check of one build only ever
/// removes its own. Unlike test_cgroup_prefix(), no environment overrides it.
std::string build_tag();

/// "kubik-test-TAG-": every cgroup parent the tests of this build use starts
/// with it; TAG is derived from test_roots_dir(), so two builds testing at the
/// same time (build/ and build-student/) never take each other's cgroups.
/// KUBIK_TEST_CGROUP_PREFIX (a "kubik-" name) overrides it: kubik-course sets
/// it per run so it can remove what a test it killed left behind.
std::string test_cgroup_prefix();

// ---------------------------------------------------------------------------
// Fixtures.

/// A fresh state root and cgroup parent for every test: the root below
/// test_roots_dir(), the cgroup parent "kubik-test-TAG-RANDOM" (kubik_argv
/// gives every `run` `--cgroup-parent` with it). The test process becomes a
/// child subreaper so that a container process orphaned by a crashed kubik
/// (or a detached container's monitor) is re-parented to us and can't escape
/// the cleanup. TearDown fails the test if anything leaked (a mount or a
/// process under the root, a process started by the test still running, a
/// container's cgroup below the parent) and then removes it all, the cgroup
/// parent included.
class KubikTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// [kubik, --root, ROOT, args...]; for `run`, also `--cgroup-parent
    /// PARENT` right after it (unless args already name one), so that no test
    /// ever creates a cgroup outside its own parent.
    std::vector<std::string> kubik_argv(const std::vector<std::string>& args) const;
    /// Runs kubik with --root ROOT; virtual so a lesson can watch every call.
    virtual RunResult kubik(const std::vector<std::string>& args, const RunOptions& options = {});

    /// ROOT/containers and ROOT/names are empty (or absent): nothing of a
    /// failed or --rm run stayed behind.
    void expect_no_container_state(const std::string& context) const;
    std::vector<std::string> container_dirs() const;

    /// A host path the test creates and TearDown removes (files outside the
    /// test root, e.g. the marker in /tmp).
    void remove_at_teardown(const fs::path& path) { host_paths_.push_back(path); }

    /// This test's cgroup parent ("kubik-test-TAG-RANDOM"), relative to the
    /// root of each hierarchy.
    const std::string& cgroup_parent() const { return cgroup_parent_; }
    /// The containers' cgroups left below the parent, one line each.
    std::vector<std::string> cgroups_left() const;

    fs::path root_;
    std::string cgroup_parent_;

private:
    std::vector<fs::path> host_paths_;
};

/// KubikTest with the busybox image made in the test's root
/// (`kubik --root ROOT image busybox`).
class BusyboxTest : public KubikTest {
protected:
    void SetUp() override;
    /// The directory of the image's top layer in the test's own store
    /// (ROOT/store/layers/HEX/diff): a test may put files of its own there
    /// before a container starts (busybox has a single layer).
    fs::path image_rootfs(const std::string& name = "busybox") const;
    /// The image's whole configuration document (the OCI config blob).
    nlohmann::json image_config(const std::string& name = "busybox") const;
    /// Points `name` at a new image: the same layers, configuration `config`.
    void set_image_config(const std::string& name, const nlohmann::json& config);
};

/// The gate of lesson N: before any test of the lesson runs, a container must
/// start (`kubik run --rm busybox true`, or the lesson's gate_args(), exits 0)
/// without kubik saying that lesson N is still a stub. Without this, a test of
/// bad input (handled by src/, not by the lesson) would pass on a pristine
/// exercise.
class LessonTest : public BusyboxTest {
protected:
    LessonTest(int lesson, std::string topic) : lesson_(lesson), topic_(std::move(topic)) {}
    void SetUp() override;
    /// The kubik command of the gate; a lesson whose capability the runtime
    /// skips while it is a stub asks for it explicitly (lesson 3: --memory).
    virtual std::vector<std::string> gate_args() const { return {"run", "--rm", "busybox", "true"}; }
    /// Also fails the test when kubik says this lesson is not implemented.
    RunResult kubik(const std::vector<std::string>& args, const RunOptions& options = {}) override;
    /// "not implemented yet: lesson N " as the stubs print it.
    std::string stub_marker() const;
    /// True when stderr says lesson `n` was skipped or not implemented.
    static bool mentions_stub(const RunResult& r, int n);

    int lesson_;
    std::string topic_;
};

}  // namespace kubik::test
