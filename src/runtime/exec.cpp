#include "runtime/exec.hpp"

#include "cgroup.hpp"
#include "runtime/device_cgroup.hpp"
#include "enter.hpp"
#include "process.hpp"
#include "runtime/launch.hpp"
#include "runtime/container_init.hpp"
#include "runtime/lesson_step.hpp"
#include "runtime/run_or_report.hpp"
#include "security/capabilities.hpp"
#include "runtime/supervisor.hpp"
#include "runtime/terminal.hpp"
#include "runtime/command_walls.hpp"
#include "runtime/container_user.hpp"
#include "runtime/working_directory.hpp"
#include "core/write_all.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cerrno>
#include <cstdlib>

namespace kubik {
namespace {

// Inside the container's namespaces: becomes the command.
[[noreturn]] void exec_command_main(const ContainerInfo& info, const ExecOptions& options, const Channel& channel,
                                    int stdin_fd, const security::CompiledSeccomp* seccomp) noexcept {
    run_or_report(channel, [&] {
        if (options.tty) {
            // The container's own /dev/ptmx: `tty` inside names its /dev/pts.
            struct winsize size {};
            if (auto s = terminal_size(STDIN_FILENO)) size = *s;
            PtyPair pty = open_pty(size);
            channel.send_terminal(pty.master.get());
            pty.master.reset();
            process::reset_signals();
            attach_to_terminal(pty.slave.get());
        } else {
            process::reset_signals();
            if (stdin_fd >= 0 && ::dup2(stdin_fd, STDIN_FILENO) < 0) throw_errno("redirect stdin");
        }
        auto env = process::build_environment(info.spec.env, options.env, info.spec.hostname, options.tty,
                                              [](const char* key) { return std::getenv(key); });
        const std::string& dir = options.working_dir.empty() ? info.spec.working_dir : options.working_dir;
        process::prepare_working_directory(dir);
        check_working_directory_inside_root(dir); // see working_directory.hpp
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); // nothing of kubik's leaks in (see container_init.cpp)
        // As docker: the container's user unless -u says otherwise, with
        // the names of the container's own /etc/passwd (container_user.hpp).
        const std::string& user = options.user.empty() ? info.spec.user : options.user;
        std::optional<ExecUser> who;
        if (!user.empty()) {
            who = resolve_user_in_root(user);
            auto is_home = [](const std::string& e) { return e == "HOME" || e.starts_with("HOME="); };
            const bool home_set = std::any_of(info.spec.env.begin(), info.spec.env.end(), is_home) ||
                                  std::any_of(options.env.begin(), options.env.end(), is_home);
            // build_environment's default HOME is root's; another user's is its passwd entry's.
            if (!home_set)
                for (auto& e : env)
                    if (e.starts_with("HOME=")) e = "HOME=" + who->home;
        }
        // The container's walls hold for exec too, as in docker: its
        // capabilities, its seccomp filter, no_new_privs (command_walls.hpp).
        put_up_command_walls(info.spec.security, who, seccomp);
        process::exec_command(options.argv, env);
    });
}

} // namespace

int exec_in_container(const ContainerInfo& info, const ExecOptions& options, const std::filesystem::path& container_dir) {
    if (!info.running())
        throw Error("container " + info.spec.id + " is not running", kExitGeneric);
    // Compiled (or read from the cache) here: the command gets it with its
    // copy of our memory (security/seccomp_cache.hpp).
    const auto seccomp = security::compiled_seccomp_for(
        info.spec.security, security::bounding_capabilities(info.spec.security), security::seccomp_cache_dir(container_dir));

    // The cgroup is joined from the host's mount namespace, where cgroupfs is.
    std::unique_ptr<cgroups::Cgroup> cgroup;
    if (info.spec.has_cgroup())
        lesson_step([&] { cgroup = open_container_cgroup(info.spec.cgroup_path(), nullptr); });

    UniqueFd dev_null;
    if (!options.interactive && !options.tty) dev_null.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));

    const sigset_t signals = supervised_signals();
    BlockedSignals blocked(signals);
    UniqueFd signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC));
    if (!signal_fd) throw_errno("signalfd");
    Channel channel = Channel::create();

    pid_t joiner = ::fork();
    if (joiner < 0) throw_errno("fork");
    if (joiner == 0) {
        channel.close_parent_end();
        run_or_report(channel, [&] {
            if (cgroup) cgroup->add_process(::getpid());
            lifecycle::enter_namespaces(info.state.pid);
            // As in kubik-init (container_main): every signal stays blocked
            // until run_init() takes them one by one; the command unblocks
            // them before its exec (lesson 0's reset_signals()).
            sigset_t all;
            sigfillset(&all);
            sigprocmask(SIG_BLOCK, &all, nullptr);
            // setns into a PID namespace moves only our future children: fork
            // once more, and stay as their parent to pass on signals and
            // collect the exit status, like the container's own init does.
            pid_t command = ::fork();
            if (command < 0) throw_errno("fork");
            if (command == 0) exec_command_main(info, options, channel, dev_null.get(), seccomp ? &*seccomp : nullptr);
            channel.close_all();
            ::_exit(supervise(command));
        });
    }
    channel.close_child_end();
    dev_null.reset();

    std::optional<RawMode> raw;
    if (options.tty && options.interactive) raw.emplace(STDIN_FILENO);
    Supervisor supervisor(joiner, channel, options.interactive);
    int status = supervisor.wait(signal_fd.get());
    raw.reset();
    if (const auto& error = supervisor.error()) {
        std::string line = "kubik: " + error->message + "\n";
        write_all(STDERR_FILENO, line.data(), line.size());
        return error->exit_code;
    }
    return process::exit_code_from_wait_status(status);
}

} // namespace kubik
