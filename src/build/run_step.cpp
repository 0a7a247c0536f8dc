// See run_step.hpp.
#include "build/run_step.hpp"

#include "container/container_store.hpp"
#include "container/naming.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/unique_fd.hpp"
#include "image/image_store.hpp"
#include "process.hpp"
#include "runtime/container_network.hpp"
#include "runtime/launch.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <cstdio>
#include <iostream>

namespace kubik::build {

namespace fs = std::filesystem;

namespace {

// Points this process's stdout and stderr at `fd` while it lives: the step's
// container inherits them (start_container), so its output is captured
// without a relay process. Restored however the step ends.
class CapturedOutput {
public:
    explicit CapturedOutput(int fd) {
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
        saved_out_.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
        saved_err_.reset(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));
        if (!saved_out_ || !saved_err_) throw_errno("save stdout and stderr");
        if (::dup2(fd, STDOUT_FILENO) < 0 || ::dup2(fd, STDERR_FILENO) < 0) {
            restore();
            throw_errno("redirect the step's output");
        }
    }
    ~CapturedOutput() { restore(); }
    CapturedOutput(const CapturedOutput&) = delete;
    CapturedOutput& operator=(const CapturedOutput&) = delete;

private:
    void restore() noexcept {
        std::fflush(nullptr);
        if (saved_out_) ::dup2(saved_out_.get(), STDOUT_FILENO);
        if (saved_err_) ::dup2(saved_err_.get(), STDERR_FILENO);
    }
    UniqueFd saved_out_, saved_err_;
};

// Points this process's stdin at `fd` while it lives: an interactive
// container inherits it, so a heredoc script reaches its interpreter with
// no relay.
class RedirectedInput {
public:
    explicit RedirectedInput(int fd) {
        saved_.reset(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3));
        if (!saved_ || ::dup2(fd, STDIN_FILENO) < 0) throw_errno("redirect the step's stdin");
    }
    ~RedirectedInput() {
        if (saved_) ::dup2(saved_.get(), STDIN_FILENO);
    }
    RedirectedInput(const RedirectedInput&) = delete;
    RedirectedInput& operator=(const RedirectedInput&) = delete;

private:
    UniqueFd saved_;
};

// An unlinked file in `dir` holding `data`, read from its start.
UniqueFd temp_file_with(const fs::path& dir, const std::string& data) {
    UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!fd) throw_errno("create a temp file in " + dir.string());
    if (::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()) ||
        ::lseek(fd.get(), 0, SEEK_SET) != 0)
        throw_errno("write a temp file in " + dir.string());
    return fd;
}

// The step's output, live: a small process that reads what the container
// writes from a pipe, keeps every byte in `log` (for the error message) and
// hands each complete line to `on_line`. A process, not a thread: kubik
// clones containers, and a thread would be a second one in the process that
// clones. It exits when the last writer is gone: this process (finish())
// and the container, whose processes all die with its PID 1.
class OutputRelay {
public:
    OutputRelay(int log, const std::function<void(const std::string&)>& on_line) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe for the step's output");
        UniqueFd read_end(p[0]);
        write_end_.reset(p[1]);
        std::cout.flush();
        std::cerr.flush();
        pid_ = ::fork();
        if (pid_ < 0) throw_errno("fork the step's output relay");
        if (pid_ == 0) {
            // Ctrl-C is for the container (kubik forwards it); the relay
            // ends when the output does.
            ::signal(SIGINT, SIG_IGN);
            ::signal(SIGTERM, SIG_IGN);
            ::signal(SIGQUIT, SIG_IGN);
            write_end_.reset();
            std::string pending;
            char buf[8192];
            for (;;) {
                ssize_t n = ::read(read_end.get(), buf, sizeof buf);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;
                (void)!::write(log, buf, static_cast<size_t>(n));
                pending.append(buf, static_cast<size_t>(n));
                for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
                    if (on_line) on_line(pending.substr(0, nl));
            }
            if (!pending.empty() && on_line) on_line(pending);
            std::cerr.flush();
            ::_exit(0);
        }
    }
    ~OutputRelay() { finish(); }
    OutputRelay(const OutputRelay&) = delete;
    OutputRelay& operator=(const OutputRelay&) = delete;

    /// Where the container writes.
    int fd() const { return write_end_.get(); }
    /// Closes our end and waits for the relay to pass on the last line.
    void finish() noexcept {
        write_end_.reset();
        if (pid_ > 0) {
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
            pid_ = -1;
        }
    }

private:
    UniqueFd write_end_;
    pid_t pid_ = -1;
};

// The step's container goes, whatever happens: its record, its directory
// (upper layer included) and its name. Its cgroup and network lease are given
// back by finish_container (or by ContainerRecord's own cleanup when the
// start fails).
struct RemoveContainer {
    const ContainerStore& store;
    const ContainerInfo* info = nullptr;
    ~RemoveContainer() {
        if (info) store.remove(*info);
    }
};

ContainerSpec step_spec(const fs::path& root, const BuildState& state, const RunStep& step) {
    ContainerSpec spec;
    spec.id = generate_container_id();
    // Docker's builder containers don't show a user's name either; this one
    // says what it is in `kubik ps -a` while the step runs.
    spec.name = "kubik-build-" + spec.id.substr(0, 12);
    spec.image = "(build step)";
    for (const auto& layer : state.store_layers()) spec.layers.push_back({layer.chain_id, layer.dir, layer.link});
    spec.layer_links = ImageStore(root).dir() / "l";
    spec.argv = step.argv;
    spec.working_dir = step.working_dir.empty() ? "/" : step.working_dir;
    spec.hostname = spec.id.substr(0, 12);
    spec.user = step.user;
    spec.cgroup_parent = step.cgroup_parent;
    spec.mounts = step.mounts;
    NetworkChoice network = decide_network(root, step.network == "default" ? "bridge" : step.network, false, false, false);
    spec.network_mode = network.mode;
    spec.network = network.network;
    spec.env = process::build_environment(step.env, {}, spec.hostname, false, [](const char*) { return nullptr; });
    return spec;
}

} // namespace

RunResult run_step(const fs::path& root, const BuildState& state, const RunStep& step,
                   const std::function<void(const fs::path& upper)>& on_success) {
    ContainerStore store(root);
    ContainerSpec spec = step_spec(root, state, step);

    // The output goes to an unlinked temp file: nothing to clean up.
    fs::path log_dir = ImageStore(root).dir() / "tmp";
    fs::create_directories(log_dir);
    UniqueFd log(::open(log_dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!log) throw_errno("create the step's log in " + log_dir.string());

    // Before anything else is open (the container's lock): the relay
    // process inherits what is open when it starts.
    OutputRelay relay(log.get(), step.on_output);

    UniqueFd input;
    if (step.stdin_data) {
        input = temp_file_with(log_dir, *step.stdin_data);
        spec.interactive = true;
    }

    RunResult result;
    std::optional<ContainerRecord> record;
    record.emplace(store, store.create(spec));
    RemoveContainer remove{store, nullptr};
    {
        std::optional<RedirectedInput> redirected;
        if (input) redirected.emplace(input.get());
        CapturedOutput captured(relay.fd());
        result.exit_code = run_foreground(store, *record);
    }
    relay.finish();
    // run_foreground keeps the record (no --rm): from here it is ours to remove.
    remove.info = &record->info();

    off_t size = ::lseek(log.get(), 0, SEEK_END);
    if (size > 0) {
        result.output.resize(static_cast<size_t>(size));
        if (::pread(log.get(), result.output.data(), result.output.size(), 0) != size) result.output.clear();
    }
    if (result.exit_code == 0) on_success(store.paths(spec.id).upper);
    return result;
}

} // namespace kubik::build
