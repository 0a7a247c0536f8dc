// The host's view of what kubik did: process tree, namespaces and mounts, all
// read from /proc (proc(5)). These are the facts the gate tests assert on.
#include "kubik_test.hpp"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace kubik::test {

std::optional<std::string> read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

namespace {

bool is_pid_name(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<pid_t> all_pids() {
    std::vector<pid_t> pids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        std::string name = entry.path().filename().string();
        if (is_pid_name(name)) pids.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return pids;
}

std::string read_link(const fs::path& link) {
    std::error_code ec;
    auto target = fs::read_symlink(link, ec);
    return ec ? std::string() : target.string();
}

// mountinfo escapes space, tab, newline and backslash as \NNN (octal).
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            std::string oct = s.substr(i + 1, 3);
            if (std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
                out += static_cast<char>(std::stoi(oct, nullptr, 8));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

std::optional<ProcInfo> process_info(pid_t pid) {
    auto text = read_text("/proc/" + std::to_string(pid) + "/stat");
    if (!text) return std::nullopt;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
    // split at the last ')'.
    auto open = text->find('(');
    auto close = text->rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
    ProcInfo info;
    info.pid = pid;
    info.comm = text->substr(open + 1, close - open - 1);
    std::istringstream rest(text->substr(close + 1));
    std::vector<std::string> fields;
    for (std::string f; rest >> f;) fields.push_back(f);
    if (fields.size() < 20) return std::nullopt;
    info.state = fields[0].empty() ? '?' : fields[0][0];           // field 3
    info.ppid = static_cast<pid_t>(std::stol(fields[1]));          // field 4
    info.start_time = std::stoull(fields[19]);                     // field 22
    return info;
}

std::vector<ProcInfo> list_processes() {
    std::vector<ProcInfo> out;
    for (pid_t pid : all_pids())
        if (auto info = process_info(pid)) out.push_back(*info);
    return out;
}

bool is_alive(const ProcInfo& who) {
    auto now = process_info(who.pid);
    return now && now->start_time == who.start_time && now->state != 'Z' && now->state != 'X';
}

std::vector<ProcInfo> children_of(pid_t parent) {
    std::vector<ProcInfo> out;
    for (const auto& p : list_processes())
        if (p.ppid == parent) out.push_back(p);
    return out;
}

std::vector<ProcInfo> descendants_of(pid_t ancestor) {
    std::multimap<pid_t, ProcInfo> by_parent;
    for (const auto& p : list_processes()) by_parent.emplace(p.ppid, p);
    std::vector<ProcInfo> out;
    std::deque<pid_t> todo{ancestor};
    while (!todo.empty()) {
        pid_t parent = todo.front();
        todo.pop_front();
        auto [first, last] = by_parent.equal_range(parent);
        for (auto it = first; it != last; ++it) {
            out.push_back(it->second);
            todo.push_back(it->second.pid);
        }
    }
    return out;
}

std::optional<ProcInfo> wait_for_child(pid_t parent, const std::string& comm,
                                       std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        for (const auto& p : children_of(parent))
            if (p.comm == comm) return p;
        std::this_thread::sleep_for(10ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
}

std::optional<ProcInfo> wait_for_descendant(pid_t ancestor, const std::string& comm,
                                            std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        for (const auto& p : descendants_of(ancestor))
            if (p.comm == comm) return p;
        std::this_thread::sleep_for(10ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
}

std::string namespace_of(pid_t pid, const std::string& name) {
    return read_link("/proc/" + std::to_string(pid) + "/ns/" + name);
}

std::vector<pid_t> processes_in_namespace(const std::string& name, const std::string& link) {
    std::vector<pid_t> out;
    for (pid_t pid : all_pids())
        if (namespace_of(pid, name) == link) out.push_back(pid);
    return out;
}

std::vector<pid_t> nspid_of(pid_t pid) {
    std::vector<pid_t> out;
    auto text = read_text("/proc/" + std::to_string(pid) + "/status");
    if (!text) return out;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("NSpid:", 0) != 0) continue;
        std::istringstream fields(line.substr(6));
        for (long v; fields >> v;) out.push_back(static_cast<pid_t>(v));
    }
    return out;
}

std::string root_of(pid_t pid) { return read_link("/proc/" + std::to_string(pid) + "/root"); }
std::string cwd_of(pid_t pid) { return read_link("/proc/" + std::to_string(pid) + "/cwd"); }

std::vector<Mount> parse_mountinfo(const std::string& text) {
    // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
    // (1)(2)(3)   (4)   (5)      (6)      (7...)  sep (8)   (9)       (10)
    std::vector<Mount> out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream in(line);
        std::vector<std::string> f;
        for (std::string w; in >> w;) f.push_back(w);
        auto sep = std::find(f.begin(), f.end(), "-");
        if (f.size() < 7 || sep == f.end() || std::distance(sep, f.end()) < 3) continue;
        Mount m;
        m.mount_point = unescape(f[4]);
        m.options = f[5];
        m.fs_type = *(sep + 1);
        m.source = unescape(*(sep + 2));
        m.line = line;
        out.push_back(m);
    }
    return out;
}

std::vector<Mount> mounts_of(const std::string& pid) {
    auto text = read_text("/proc/" + pid + "/mountinfo");
    return text ? parse_mountinfo(*text) : std::vector<Mount>{};
}

std::multiset<std::string> mount_table() {
    std::multiset<std::string> out;
    for (const auto& m : mounts_of("self")) out.insert(m.line);
    return out;
}

bool is_under(const std::string& path, const fs::path& dir) {
    std::string d = dir.lexically_normal().string();
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    std::string p = fs::path(path).lexically_normal().string();
    return p == d || p.rfind(d + "/", 0) == 0 || p.rfind(d + " (deleted)", 0) == 0;
}

std::string tie_to(pid_t pid, const fs::path& dir) {
    const std::string proc = "/proc/" + std::to_string(pid);
    if (std::string r = root_of(pid); !r.empty() && is_under(r, dir)) return "root " + r;
    if (std::string c = cwd_of(pid); !c.empty() && is_under(c, dir)) return "cwd " + c;
    std::error_code ec;
    for (const auto& fd : fs::directory_iterator(proc + "/fd", ec)) {
        std::string target = read_link(fd.path());
        if (!target.empty() && is_under(target, dir)) return "open file " + target;
    }
    // A `kubik --root DIR ...` still running.
    if (auto cmdline = read_text(proc + "/cmdline")) {
        std::string arg;
        for (char c : *cmdline) {
            if (c != '\0') {
                arg += c;
                continue;
            }
            if (arg.rfind('/', 0) == 0 && is_under(arg, dir)) return "command line names " + arg;
            arg.clear();
        }
    }
    // A container process after pivot_root: root and cwd read "/", but its
    // own mount table still names the state root (the overlay's lowerdir and
    // upperdir). Only other mount namespaces: in ours, a leaked mount is
    // reported as a mount, not once per process.
    if (namespace_of(pid, "mnt") != namespace_of(::getpid(), "mnt")) {
        for (const auto& m : mounts_of(std::to_string(pid)))
            if (m.line.find(dir.string() + "/") != std::string::npos)
                return "its mount table names " + dir.string() + ": " + m.line;
    }
    return "";
}

std::vector<std::string> leaks_under(const fs::path& root) {
    std::vector<std::string> leaks;
    for (const auto& m : mounts_of("self"))
        if (is_under(m.mount_point, root))
            leaks.push_back("mount left on the host: " + m.line);
    for (pid_t pid : all_pids()) {
        if (pid == ::getpid()) continue;
        std::string why = tie_to(pid, root);
        if (why.empty()) continue;
        auto info = process_info(pid);
        leaks.push_back("process left: pid " + std::to_string(pid) + " (" +
                        (info ? info->comm : std::string("?")) + "), " + why);
    }
    return leaks;
}

}  // namespace kubik::test
