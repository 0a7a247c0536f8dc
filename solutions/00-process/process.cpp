// Lesson 0 — process. Read lessons/00-process/README.md first.
#include "process.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <unordered_map>

namespace kubik::process {

std::vector<std::string> build_environment(const std::vector<std::string>& image_env,
                                           const std::vector<std::string>& user_env,
                                           const std::string& hostname, bool tty,
                                           const HostGetenv& host_getenv) {
    // BEGIN SOLUTION build_environment
    // TODO: merge image variables, -e overrides, and HOSTNAME/HOME/TERM by key.
    std::vector<std::string> env;
    // Where each key's variable is in `env`. Searching `env` instead would
    // cost a pass over it per variable: 10,000 -e flags would take seconds.
    std::unordered_map<std::string, size_t> position;
    // Replace the variable with the same key, or append a new one.
    auto set = [&](const std::string& var) {
        auto [it, is_new] = position.try_emplace(var.substr(0, var.find('=')), env.size());
        if (is_new)
            env.push_back(var);
        else
            env[it->second] = var;
    };
    // Docker unsets K for `-e K` when the host has no K, the image's K too.
    // Erasing from the middle of `env` would move every later position; an
    // empty slot, dropped at the end, keeps them.
    auto unset = [&](const std::string& key) {
        if (auto it = position.find(key); it != position.end()) {
            env[it->second].clear();
            position.erase(it);
        }
    };
    auto has = [&](const std::string& key) { return position.contains(key); };

    for (const auto& var : image_env) set(var);
    set("HOSTNAME=" + hostname);
    for (const auto& var : user_env) {
        if (var.find('=') != std::string::npos) {
            set(var);
        } else if (const char* value = host_getenv(var.c_str())) {
            set(var + "=" + value);
        } else {
            unset(var);
        }
    }
    if (tty && !has("TERM")) set("TERM=xterm");
    if (!has("HOME")) set("HOME=/root");
    std::erase(env, std::string());
    return env;
    // END SOLUTION
}

void reset_signals() {
    // BEGIN SOLUTION reset_signals
    // TODO: unblock all signals (sigprocmask) and set every handler back to SIG_DFL.
    // The signal mask and ignored signals survive execve(): a command started
    // with SIGTERM blocked would never die from `kubik stop`.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        signal(sig, SIG_DFL); // fails harmlessly for the reserved real-time signals
    }
    // END SOLUTION
}

void prepare_working_directory(const std::string& dir) {
    // BEGIN SOLUTION prepare_working_directory
    // TODO: create the directory (and its parents) if it is missing, then chdir into it.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error("working directory \"" + dir + "\": " + ec.message());
    if (::chdir(dir.c_str()) != 0) throw_errno("working directory \"" + dir + "\"");
    // END SOLUTION
}

void exec_command(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    // BEGIN SOLUTION exec_command
    // TODO: build char* arrays, search PATH from `env` when argv[0] has no '/',
    // execve(), and turn errno into ExecError(message, 126 or 127).
    if (argv.empty() || argv[0].empty()) throw Error("exec: no command given");

    std::vector<char*> c_argv, c_env;
    for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
    c_argv.push_back(nullptr);
    for (const auto& var : env) c_env.push_back(const_cast<char*>(var.c_str()));
    c_env.push_back(nullptr);

    const std::string& name = argv[0];
    auto fail = [&](int err) -> ExecError {
        // Docker's wording, so that scripts matching on it keep working.
        std::string why = err == ENOENT ? "no such file or directory"
                          : err == EACCES || err == EISDIR ? "permission denied"
                          : err == ENOEXEC ? "exec format error"
                                           : std::strerror(err);
        bool not_found = err == ENOENT || err == ENOTDIR;
        return ExecError("exec: \"" + name + "\": " + why, not_found ? kExitNotFound : kExitCannotExecute);
    };

    if (name.find('/') != std::string::npos) {
        ::execve(name.c_str(), c_argv.data(), c_env.data());
        int err = errno;
        // execve says EACCES for a directory; docker reports it as one.
        struct stat st{};
        if (err == EACCES && ::stat(name.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) err = EISDIR;
        throw fail(err);
    }

    // PATH comes from the container's environment: kubik's own PATH describes
    // the host's directories, not the image's.
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& var : env)
        if (var.starts_with("PATH=")) path = var.substr(5);

    bool denied = false;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string dir = path.substr(start, end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        ::execve(candidate.c_str(), c_argv.data(), c_env.data());
        // Like execvp: remember "found but not executable", keep looking.
        if (errno == EACCES) denied = true;
        else if (errno != ENOENT && errno != ENOTDIR) throw fail(errno);
        start = end + 1;
    }
    if (denied) throw fail(EACCES);
    throw ExecError("exec: \"" + name + "\": executable file not found in $PATH", kExitNotFound);
    // END SOLUTION
}

int exit_code_from_wait_status(int status) {
    // BEGIN SOLUTION exit_code_from_wait_status
    // TODO: WIFEXITED → WEXITSTATUS; WIFSIGNALED → 128 + WTERMSIG.
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return kExitRuntimeError;
    // END SOLUTION
}

} // namespace kubik::process
