// kubik's nftables table: batches as nft scripts, and kubik-nft to apply them.
//
// kubik is linked -static and libnftables exists only as a shared library,
// so every change to the kernel's rules goes through kubik-nft, started here
// with posix_spawn (no shell: nothing is parsed twice, no quoting to get
// wrong) and fed through a pipe. Its stderr is what libnftables said, which
// names the rule it refused; that becomes the kubik::Error's message.
#include "net/nft.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern char** environ;

namespace kubik::nft {
namespace {

// The chains every batch makes sure of. "add" of an existing table or chain
// is not an error, so each batch is complete on its own: no separate setup
// step that a crash could leave half done. The output chain's priority is
// dstnat's number: the keyword "dstnat" is only accepted in prerouting.
constexpr const char* kChainDefinitions[] = {
    "prerouting { type nat hook prerouting priority dstnat; }",
    "output { type nat hook output priority -100; }",
    "postrouting { type nat hook postrouting priority srcnat; }",
    "forward { type filter hook forward priority filter; }",
};

// 32-bit FNV-1a: tiny and the same in every build (std::hash is not
// promised to be), so the table of a root has one name for every kubik
// binary, and the bridge's name can use the same digits.
std::uint32_t fnv1a(const std::string& text) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 16777619u;
    }
    return hash;
}

// The root as one string: absolute, without "." or ".." or a trailing '/',
// so that "--root x/" and "--root ./x" name the same table.
std::string normal_root(const std::filesystem::path& root) {
    std::string text = std::filesystem::absolute(root).lexically_normal().string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
}

// A comment is a quoted string in nft's syntax: an owner is kubik's own
// "container:ID" or "network:NAME", but a quote in a network's name would
// end the string early and make the rest of it part of the rule.
std::string quoted(const std::string& text) {
    for (char c : text)
        if (c == '"' || c == '\\' || c == '\n')
            throw Error("nftables: an owner may not hold quotes or backslashes: " + text);
    return "\"" + text + "\"";
}

struct HelperResult {
    int status = 0;   // the helper's exit code; 128+N when killed by signal N
    std::string out;  // its stdout
    std::string err;  // its stderr
};

// Reads what is ready on `fd` into `into`; false once the writer is gone.
bool drain(int fd, std::string& into) {
    char buf[8192];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    into.append(buf, static_cast<std::size_t>(n));
    return n > 0;
}

// Feeds `input` to the helper's stdin and reads its stdout and stderr at the
// same time (poll): a helper that prints a lot before it reads all of its
// input must not block on a full pipe while we block writing to it.
void exchange(UniqueFd& in, UniqueFd& out, UniqueFd& err, const std::string& input, HelperResult& result) {
    std::size_t sent = 0;
    if (input.empty()) in.reset();
    while (out || err) {
        pollfd fds[3];
        int count = 0;
        auto watch = [&](UniqueFd& fd, short events) {
            if (fd) fds[count++] = {fd.get(), events, 0};
        };
        watch(in, POLLOUT);
        watch(out, POLLIN);
        watch(err, POLLIN);
        if (::poll(fds, static_cast<nfds_t>(count), -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("kubik-nft: poll");
        }
        for (int i = 0; i < count; ++i) {
            if (fds[i].revents == 0) continue;
            if (in && fds[i].fd == in.get()) {
                // MSG_NOSIGNAL: a helper that died early is an error
                // reported below, not a SIGPIPE that kills kubik.
                ssize_t n = ::send(in.get(), input.data() + sent, input.size() - sent, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) {
                    in.reset();
                    continue;
                }
                sent += static_cast<std::size_t>(n);
                if (sent == input.size()) in.reset(); // EOF: the script is complete
            } else if (out && fds[i].fd == out.get()) {
                if (!drain(out.get(), result.out)) out.reset();
            } else if (err && fds[i].fd == err.get()) {
                if (!drain(err.get(), result.err)) err.reset();
            }
        }
    }
}

// Runs kubik-nft with `args`, `input` on its stdin; waits for it.
HelperResult run_helper(const std::vector<std::string>& args, const std::string& input) {
    const std::string helper = helper_path().string();
    int in_pair[2], out_pipe[2], err_pipe[2];
    // stdin is a socket so that send(MSG_NOSIGNAL) can write to it.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) throw_errno("kubik-nft: socketpair");
    UniqueFd in_parent(in_pair[0]), in_child(in_pair[1]);
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw_errno("kubik-nft: pipe");
    UniqueFd out_parent(out_pipe[0]), out_child(out_pipe[1]);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw_errno("kubik-nft: pipe");
    UniqueFd err_parent(err_pipe[0]), err_child(err_pipe[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_child.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_child.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_child.get(), STDERR_FILENO);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(helper.c_str()));
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    // `run` blocks SIGCHLD and the signals it forwards (it reads them from a
    // signalfd); a mask is inherited, so the helper gets an empty one and
    // default dispositions, like any program started from a shell.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, helper.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw_errno("start " + helper, rc);
    in_child.reset();
    out_child.reset();
    err_child.reset();

    HelperResult result;
    try {
        exchange(in_parent, out_parent, err_parent, input, result);
    } catch (...) {
        // Our ends closed first: a helper blocked writing to us gets EPIPE.
        in_parent.reset();
        out_parent.reset();
        err_parent.reset();
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
        throw;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw_errno("wait for " + helper);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

// libnftables's message without the trailing newline, for kubik::Error.
std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// Runs the helper; throws kubik::Error with its stderr when it fails.
std::string run_or_throw(const std::vector<std::string>& args, const std::string& input) {
    HelperResult result = run_helper(args, input);
    if (result.status != 0) {
        std::string message = trimmed(result.err);
        if (message.empty()) message = "kubik-nft " + args.front() + " exited with " + std::to_string(result.status);
        throw Error("nftables: " + message);
    }
    return result.out;
}

} // namespace

const char* chain_name(Chain chain) {
    switch (chain) {
    case Chain::Prerouting: return "prerouting";
    case Chain::Output: return "output";
    case Chain::Postrouting: return "postrouting";
    case Chain::Forward: return "forward";
    }
    return "?";
}

std::string root_hash(const std::filesystem::path& root) {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(fnv1a(normal_root(root))));
    return hex;
}

std::string table_name(const std::filesystem::path& root) {
    if (normal_root(root) == normal_root(KUBIK_DEFAULT_ROOT)) return "kubik";
    return "kubik-" + root_hash(root);
}

Batch::Batch(std::string table, std::string owner) : table_(std::move(table)), owner_(std::move(owner)) {}

void Batch::add_rule(Chain chain, const std::string& rule) { entries_.push_back({chain, rule}); }

std::string Batch::script() const {
    std::string script = "add table ip " + table_ + "\n";
    for (const char* chain : kChainDefinitions) script += "add chain ip " + table_ + " " + chain + "\n";
    const std::string comment = " comment " + quoted(owner_) + "\n";
    std::vector<std::string> lines;
    for (const auto& entry : entries_) {
        std::string line = "add rule ip " + table_ + " " + chain_name(entry.chain) + " " + entry.rule + comment;
        // Two host ports for one container port ("-p 80 -p 8080:80") need
        // the same masquerade rules; one copy of each does it.
        if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(std::move(line));
    }
    for (const auto& line : lines) script += line;
    return script;
}

void apply(const Batch& batch) {
    if (batch.entries().empty()) return; // nothing to do: no helper started
    run_or_throw({"apply"}, batch.script());
}

void remove_owner(const std::string& table, const std::string& owner) {
    run_or_throw({"remove-owner", table, owner}, "");
}

void remove_table_if_empty(const std::string& table) { run_or_throw({"remove-table-if-empty", table}, ""); }

std::string list_json(const std::string& table) {
    if (table.empty()) return run_or_throw({"list"}, "");
    return run_or_throw({"list", table}, "");
}

std::filesystem::path helper_path() {
    if (const char* env = std::getenv("KUBIK_NFT"); env && *env) return env;
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw Error("nftables: cannot find kubik's own path (/proc/self/exe): " + ec.message());
    auto helper = self.parent_path() / "kubik-nft";
    if (::access(helper.c_str(), X_OK) != 0)
        throw Error("nftables: " + helper.string() + " is missing (it is built and installed beside kubik)");
    return helper;
}

} // namespace kubik::nft
