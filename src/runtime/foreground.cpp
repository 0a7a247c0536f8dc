// `kubik run` in the foreground: the user's terminal and signals meet the container.
#include "runtime/launch.hpp"

#include "runtime/supervisor.hpp"
#include "runtime/terminal.hpp"
#include "core/write_all.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>

namespace kubik {

int run_foreground(const ContainerStore& store, ContainerRecord& record) {
    const ContainerSpec& spec = record.spec();
    int ns_flags = container_namespace_flags(spec);
    OwnedCgroup cgroup = prepare_cgroup(spec);
    // Its address and /etc files (lesson 6); given back unless handed over.
    ContainerNetwork network(store.root(), record.paths(), record.info().spec, ns_flags);

    // Without -i the command's stdin is /dev/null, as in docker: a command
    // that reads stdin sees end-of-file instead of stealing the user's input.
    UniqueFd dev_null;
    if (!spec.interactive && !spec.tty) {
        dev_null.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!dev_null) throw_errno("open /dev/null");
    }

    // Block before clone: a signal arriving in between is queued, not lost,
    // and the child starts with them blocked too (its init wants that).
    const sigset_t signals = supervised_signals();
    BlockedSignals blocked(signals);
    UniqueFd signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC));
    if (!signal_fd) throw_errno("signalfd");

    GoMessage go;
    std::optional<RawMode> raw;
    if (spec.tty) {
        if (auto size = terminal_size(STDIN_FILENO)) go.window = *size;
        else if (auto out_size = terminal_size(STDOUT_FILENO)) go.window = *out_size;
    }
    StartedContainer started =
        start_container(spec, record.paths(), cgroup.get(), ns_flags, dev_null.get(), go, network);
    dev_null.reset();
    if (spec.tty && spec.interactive) raw.emplace(STDIN_FILENO);

    // Recorded while the container sets itself up, so it costs no start time.
    auto& state = record.info().state;
    state.status = "running";
    state.pid = started.init.pid();
    state.pid_start_time = process_start_time(state.pid);
    state.monitor_pid = ::getpid();
    state.monitor_start_time = process_start_time(::getpid());
    state.started_at = now_rfc3339();
    record.save(/*durable=*/false);
    record.unlock();

    Supervisor supervisor(state.pid, started.channel, spec.interactive);
    int status = supervisor.wait(signal_fd.get());
    started.init.release(); // reaped by the supervisor
    raw.reset(); // restore the terminal before printing anything

    if (const auto& error = supervisor.error()) {
        std::string line = "kubik: " + error->message + "\n";
        write_all(STDERR_FILENO, line.data(), line.size());
    } else {
        record.mark_started();
    }
    // finish_container removes a --rm container itself; otherwise it stays.
    record.keep();
    auto cg = cgroup.release();
    network.hand_over(); // finish_container gives it back
    return finish_container(store, record.info(), cg.get(), status, supervisor.error());
}

} // namespace kubik
