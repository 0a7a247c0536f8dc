#include "image/busybox_rootfs.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;

namespace kubik {
namespace {

// Asks the binary which applets it has and where they belong ("usr/bin/env").
// Building an image is not on the container start path, so one helper process
// here is fine.
std::vector<std::string> list_applets(const fs::path& busybox) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno("pipe");
    UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    std::string path = busybox.string();
    char* argv[] = {path.data(), const_cast<char*>("--list-full"), nullptr};
    pid_t pid;
    int rc = ::posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw_errno("run " + path + " --list-full", rc);
    write_end.reset();

    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) out.append(buf, static_cast<size_t>(n));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.empty())
        throw Error(path + " --list-full failed: is it busybox? (Debian: apt-get install busybox-static)");

    std::vector<std::string> applets;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty() && line.find("..") == std::string::npos) applets.push_back(line);
    return applets;
}

void write_text(const fs::path& path, const std::string& text, mode_t mode = 0644) {
    write_file_atomic(path, text, /*durable=*/false);
    fs::permissions(path, static_cast<fs::perms>(mode));
}

} // namespace

ImageConfig build_busybox_rootfs(const fs::path& rootfs, const fs::path& busybox) {
    if (!fs::is_regular_file(busybox))
        throw Error("busybox binary " + busybox.string() +
                    " not found (Debian: apt-get install busybox-static)");

    for (const char* dir : {"bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "home",
                            "dev", "proc", "sys", "tmp", "var/log", "var/tmp", "run", "mnt"})
        fs::create_directories(rootfs / dir);
    fs::permissions(rootfs / "tmp", static_cast<fs::perms>(01777));
    fs::permissions(rootfs / "var/tmp", static_cast<fs::perms>(01777));
    fs::permissions(rootfs / "root", static_cast<fs::perms>(0700));

    fs::copy_file(busybox, rootfs / "bin/busybox");
    fs::permissions(rootfs / "bin/busybox", static_cast<fs::perms>(0755));
    for (const auto& applet : list_applets(busybox)) {
        fs::path link = rootfs / applet;
        if (applet == "bin/busybox" || fs::exists(fs::symlink_status(link))) continue;
        fs::create_directories(link.parent_path());
        // Absolute target: it is resolved inside the container, where
        // /bin/busybox is the copy above.
        fs::create_symlink("/bin/busybox", link);
    }

    write_text(rootfs / "etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\n"
               "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
               "nobody:x:65534:65534:nobody:/home:/bin/false\n");
    write_text(rootfs / "etc/group",
               "root:x:0:\ndaemon:x:1:\ntty:x:5:\nnogroup:x:65534:\n");
    write_text(rootfs / "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    write_text(rootfs / "etc/nsswitch.conf", "hosts: files dns\n");

    ImageConfig config;
    config.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    config.cmd = {"sh"};
    return config;
}

} // namespace kubik
