// Runs a child program with a time limit, its output captured (and capped),
// in a process group of its own that is killed as a whole when it is done.
#pragma once

#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kubik::course {

/// Set by the SIGINT handler that install_interrupt_handler() installs; a
/// running run_process() sees it, kills its child and returns `interrupted`.
bool interrupt_requested();
/// SIGINT and SIGTERM set interrupt_requested() instead of killing this
/// process, so it can stop its children and clean up first. Also makes a
/// write end of the self-pipe returned by interrupt_fd() readable.
void install_interrupt_handler();
/// A descriptor that becomes readable when an interrupt arrives (for poll()),
/// or -1 before install_interrupt_handler().
int interrupt_fd();

struct ProcessOptions {
    std::vector<std::string> argv;         ///< argv[0] is looked up in PATH when it has no '/'
    std::filesystem::path working_dir;     ///< empty: this process's
    std::chrono::milliseconds timeout{0};  ///< 0: none
    /// Output beyond this is dropped from the middle: the first quarter and the
    /// last three quarters are kept, with a note of what was left out.
    std::size_t output_limit = 1 << 20;
    /// Extra environment variables ("NAME=value"), added to this process's.
    std::vector<std::string> environment;
    /// After the child ends, also kill every process that was reparented to
    /// this one (needs PR_SET_CHILD_SUBREAPER, see become_subreaper()): what a
    /// test left running in another session dies with it.
    bool kill_orphans = false;
};

struct ProcessResult {
    int exit_code = -1; ///< valid when signal == 0 and the program started
    int signal = 0;     ///< the signal that ended it, or 0
    bool timed_out = false;
    bool interrupted = false;
    bool start_failed = false; ///< exec failed; `output` says why
    std::string output;        ///< stdout and stderr, interleaved
    std::chrono::duration<double> elapsed{0};

    bool succeeded() const { return !timed_out && !interrupted && !start_failed && signal == 0 && exit_code == 0; }
};

/// Runs the program and waits for it (or for the time limit, or an
/// interrupt). The child gets /dev/null as stdin and runs in a new process
/// group, which is SIGKILLed when the call returns. Throws std::runtime_error
/// only when no child could be created.
ProcessResult run_process(const ProcessOptions& options);

/// Makes this process a child subreaper (prctl), so orphaned descendants of
/// its children come back to it and `kill_orphans` can find them.
void become_subreaper();

/// Kills (SIGKILL) and reaps every child of this process, repeatedly, until
/// none is left or `limit` passes. Returns how many were killed.
int kill_all_children(std::chrono::milliseconds limit = std::chrono::seconds(5));

/// Keeps the start and the end of a stream that may be too long to keep whole.
class CappedBuffer {
public:
    explicit CappedBuffer(std::size_t limit) : limit_(limit) {}
    void append(const char* data, std::size_t size);
    std::string str() const;
    std::size_t dropped() const { return dropped_; }

private:
    std::size_t limit_;
    std::string head_;
    std::string tail_; ///< the last bytes; older ones are dropped from its front
    std::size_t dropped_ = 0;
};

} // namespace kubik::course
