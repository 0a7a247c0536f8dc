#include "rootless/rootless_mode.hpp"

#include "core/error.hpp"
#include "core/user_namespace.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace fs = std::filesystem;

namespace kubik::rootless {
namespace {

const char* env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

// A directory of the user's own, made with mode 0700 when missing. Anything
// else there (another user's directory in /tmp) would let that user see or
// take over this user's containers.
fs::path own_directory(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("mkdir " + dir.string());
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) throw_errno("stat " + dir.string());
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
        throw Error(dir.string() + " is not a directory of user " + std::to_string(::getuid()) +
                    ": kubik keeps a rootless user's runtime state there; remove it or set XDG_RUNTIME_DIR");
    return dir;
}

} // namespace

bool started_by_user() { return ::getuid() != 0 && in_initial_user_namespace(); }

namespace {
// -1 until asked; a fork keeps it, an exec asks again.
int inside_answer = -1;
} // namespace

bool inside() {
    if (inside_answer < 0) inside_answer = env(kRunDirVariable) != nullptr && !in_initial_user_namespace();
    return inside_answer == 1;
}

void note_inside() { inside_answer = 1; }

fs::path locks_dir() {
    if (inside()) return env(kRunDirVariable);
    return "/run/kubik";
}

fs::path user_run_dir() {
    if (const char* xdg = env("XDG_RUNTIME_DIR")) return own_directory(fs::path(xdg) / "kubik");
    const fs::path run_user = "/run/user/" + std::to_string(::getuid());
    struct stat st {};
    if (::stat(run_user.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::getuid())
        return own_directory(run_user / "kubik");
    return own_directory("/tmp/kubik-" + std::to_string(::getuid()));
}

fs::path user_state_root() {
    if (const char* xdg = env("XDG_DATA_HOME")) return fs::path(xdg) / "kubik";
    if (const char* home = env("HOME")) return fs::path(home) / ".local/share/kubik";
    throw Error("neither XDG_DATA_HOME nor HOME is set: kubik can't tell where a rootless user's state goes "
                "(set one, or give --root)");
}

} // namespace kubik::rootless
