#include "runtime/container_init.hpp"

#include "init.hpp"
#include "layers.hpp"
#include "mounts.hpp"
#include "namespaces.hpp"
#include "core/process_title.hpp"
#include "process.hpp"
#include "rootfs.hpp"
#include "runtime/command_walls.hpp"
#include "runtime/container_network.hpp"
#include "runtime/container_user.hpp"
#include "runtime/etc_files.hpp"
#include "runtime/lesson_step.hpp"
#include "runtime/mount_propagation.hpp"
#include "runtime/rootfs_mount.hpp"
#include "runtime/run_or_report.hpp"
#include "runtime/terminal.hpp"
#include "runtime/volume_mounts.hpp"
#include "runtime/working_directory.hpp"
#include "rootless/host_devices.hpp"
#include "rootless/rootless_mode.hpp"

#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <optional>

namespace kubik {
namespace {

// The command's process, PID 2: becomes the user's command.
[[noreturn]] void command_main(const InitContext& ctx, int tty_slave) noexcept {
    run_or_report(ctx.channel, [&] {
        process::reset_signals();
        if (tty_slave >= 0) {
            attach_to_terminal(tty_slave);
        } else if (ctx.stdin_fd >= 0 && ::dup2(ctx.stdin_fd, STDIN_FILENO) < 0) {
            throw_errno("redirect stdin");
        }
        process::prepare_working_directory(ctx.spec.working_dir);
        // Wherever the path led (a symlink, /proc/self/fd/N), the command
        // must start inside its root (see working_directory.hpp).
        check_working_directory_inside_root(ctx.spec.working_dir);
        // Nothing of kubik's own reaches the command either: main() closed
        // what the caller left open, this closes what kubik opened.
        // Close-on-exec, so the channel still reports a failed exec.
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        auto env = ctx.spec.env;
        std::optional<ExecUser> user;
        if (!ctx.spec.user.empty()) {
            // -u / the image's USER: names from the container's own /etc/passwd,
            // now that its root is the root; the switch is the last thing before
            // exec (the working directory was made as root, as runc does).
            user = resolve_user_in_root(ctx.spec.user);
            if (std::none_of(env.begin(), env.end(), [](const std::string& e) { return e.starts_with("HOME="); }))
                env.push_back("HOME=" + user->home);
        }
        // Lesson 8: seccomp, the user, the capabilities (command_walls.hpp).
        put_up_command_walls(ctx.spec.security, user, ctx.seccomp);
        process::exec_command(ctx.spec.argv, env);
    });
}

// The container's root: the image's layers under its own upper directory.
void mount_root(const InitContext& ctx) {
    const auto& spec = ctx.spec;
    if (spec.layers.empty())
        throw Error("container " + spec.name + " has no image layers (made by an older kubik?): remove it with "
                    "`kubik rm " + spec.name + "` and run the image again");
    layers::LayerMount mount;
    for (const auto& layer : spec.layers) {
        mount.lowers.push_back(layer.dir);
        mount.links.push_back(layer.link);
    }
    mount.links_dir = spec.layer_links;
    mount.upper = ctx.paths.upper;
    mount.work = ctx.paths.work;
    mount.volatile_upper = spec.remove;
    try {
        layers::mount_layers(mount, ctx.paths.rootfs);
    } catch (const NotImplemented& e) {
        // One layer needs nothing lesson 4 teaches: src's own single-lower
        // mount does it, silently, because a student on lessons 0-3 would
        // otherwise see a notice on every run (and in every detached
        // container's log, which their tests compare byte for byte).
        if (spec.layers.size() != 1)
            throw Error("image " + spec.image + " has " + std::to_string(spec.layers.size()) +
                        " layers, and mounting more than one needs lesson 4 (layers): " + e.what());
        mount_overlay_rootfs(spec.layers.front().dir, ctx.paths.upper, ctx.paths.work, ctx.paths.rootfs,
                             /*volatile_upper=*/spec.remove);
    }
}

} // namespace

int supervise(pid_t command) {
    try {
        return ns::run_init(command);
    } catch (const NotImplemented& e) {
        print_skip_notice(e.what());
    }
    sigset_t all;
    sigfillset(&all);
    for (;;) {
        int sig = ::sigwaitinfo(&all, nullptr);
        int status = 0;
        if (sig == SIGCHLD && ::waitpid(command, &status, WNOHANG) == command)
            return process::exit_code_from_wait_status(status);
        if (sig > 0 && sig != SIGCHLD) ::kill(command, sig);
    }
}

void container_main(const InitContext& ctx) noexcept {
    run_or_report(ctx.channel, [&] {
        // If `kubik run` dies, so does the container; a detached container
        // (lesson 3) has a monitor process as its parent instead.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        set_process_title("kubik-init");
        // Block every signal until run_init() takes them one by one; the
        // command unblocks them again before exec (lesson 0's reset_signals).
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, nullptr);

        ctx.channel.close_parent_end();
        GoMessage go = ctx.channel.wait_go();
        // --network container:NAME: into the other's network namespace
        // before /sys is mounted, which shows the mounter's interfaces.
        join_network_namespace(ctx.netns_fd);

        const auto& rootfs = ctx.paths.rootfs;
        // rprivate, unless a bind asked for slave or shared propagation
        // (lesson 5): see mount_propagation.hpp.
        set_mount_propagation(ctx.spec, rootfs);
        mount_root(ctx);

        lesson_step([&] { ns::mount_proc(rootfs); });
        // A user namespace may not mknod (rootless/host_devices.hpp).
        bool own_dev = rootless::inside() ? (rootless::mount_dev_in_user_namespace(rootfs), true)
                                          : lesson_step([&] { ns::mount_dev(rootfs); });
        lesson_step([&] { ns::mount_sys(rootfs); });
        // Volumes, binds and tmpfs (lesson 5): host paths are reachable only
        // until the root is entered.
        mount_container_volumes(ctx.spec, rootfs);
        // Lesson 6's /etc/hosts, /etc/hostname, /etc/resolv.conf: also host
        // files, on top of the image's and of the volumes.
        if (go.etc_files) mount_etc_files(ctx.spec, ctx.paths.dir, rootfs);

        // The pty comes from the container's own devpts (lesson 2), opened
        // once inside its root. Without it, take one from the host's /dev
        // now, while that is still reachable.
        PtyPair pty;
        if (ctx.spec.tty && !own_dev) pty = open_pty(go.window);

        if (ctx.spec.isolation == Isolation::Chroot)
            lesson_step([&] { rootfs::enter_chroot(rootfs); }, "--isolation chroot");
        else
            lesson_step([&] { rootfs::enter_rootfs(rootfs); });

        // Lesson 8: the host's kernel behind /proc and /sys hidden or
        // read-only, and --read-only's root, while PID 1 still may mount.
        put_up_root_walls(ctx.spec.security);

        // Only inside new namespaces: without them these would change the host.
        if (ctx.namespace_flags & CLONE_NEWUTS)
            lesson_step([&] { ns::set_hostname(ctx.spec.hostname); },
                        ctx.spec.hostname_given ? "--hostname" : nullptr);
        if (ctx.namespace_flags & CLONE_NEWNET) {
            lesson_step([&] { ns::bring_up_loopback(); });
            // eth0, which the parent put here before go (lesson 6).
            configure_container_network(ctx.spec, go);
        }

        if (ctx.spec.tty) {
            if (!pty.master) pty = open_pty(go.window);
            ctx.channel.send_terminal(pty.master.get());
            pty.master.reset();
        }

        pid_t command = ::fork();
        if (command < 0) throw_errno("fork the command");
        if (command == 0) command_main(ctx, pty.slave.get());

        // From here on only the command holds the channel and the terminal, so
        // `kubik run` sees end-of-file when exec succeeds and EIO on the pty
        // when the last process using it is gone.
        ctx.channel.close_all();
        pty.slave.reset();
        // PID 1 needs no descriptors beyond stdio; drop what kubik inherited.
        ::close_range(3, ~0U, 0);
        ::_exit(supervise(command));
    });
}

} // namespace kubik
