// See copy_step.hpp.
#include "build/copy_step.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <sstream>

namespace kubik::build {

namespace fs = std::filesystem;

int open_in_root(int root_fd, const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    std::string relative = path;
    relative.erase(0, relative.find_first_not_of('/'));
    if (relative.empty()) relative = ".";
    for (;;) {
        long fd = ::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof how);
        // EAGAIN: a rename somewhere raced the lookup; the kernel asks to retry.
        if (fd < 0 && errno == EAGAIN) continue;
        return static_cast<int>(fd);
    }
}

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The image's own /etc/passwd or /etc/group, read through its root.
std::string read_in_root(int root_fd, const std::string& path) {
    UniqueFd fd(open_in_root(root_fd, path, O_RDONLY));
    if (!fd) return "";
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    return text;
}

// NAME:x:ID:… → the fields of the line whose first field is `name`.
std::vector<std::string> find_entry(const std::string& table, const std::string& name) {
    std::istringstream in(table);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::string field;
        std::istringstream f(line);
        while (std::getline(f, field, ':')) fields.push_back(field);
        if (fields.size() >= 4 && fields[0] == name) return fields;
    }
    return {};
}

bool is_dir_in_root(int root_fd, const std::string& path) {
    UniqueFd fd(open_in_root(root_fd, path, O_PATH | O_DIRECTORY));
    return static_cast<bool>(fd);
}

} // namespace

bool make_directories_in_root(int root_fd, const std::string& path) {
    bool made = false;
    std::string prefix;
    for (const auto& part : fs::path(path).relative_path()) {
        std::string name = part.string();
        if (name.empty() || name == ".") continue;
        UniqueFd parent(open_in_root(root_fd, prefix.empty() ? "/" : prefix, O_PATH | O_DIRECTORY));
        if (!parent) throw_errno("open " + (prefix.empty() ? "/" : prefix) + " in the image");
        prefix += "/" + name;
        UniqueFd existing(open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY));
        if (existing) continue;
        if (errno == ENOTDIR) throw Error("mkdir " + prefix + ": not a directory", 1);
        // The parent is resolved already; the new name is a plain entry in it.
        if (::mkdirat(parent.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
            throw_errno("mkdir " + prefix + " in the image");
        ::fchmodat(parent.get(), name.c_str(), 0755, 0);
        made = true;
    }
    return made;
}

std::pair<uid_t, gid_t> resolve_chown(int root_fd, const std::string& spec) {
    std::string user = spec, group;
    if (auto colon = spec.find(':'); colon != std::string::npos) {
        user = spec.substr(0, colon);
        group = spec.substr(colon + 1);
    }
    uid_t uid = 0;
    gid_t gid = 0;
    if (all_digits(user)) {
        uid = static_cast<uid_t>(std::stoul(user));
        gid = static_cast<gid_t>(uid);
    } else {
        auto entry = find_entry(read_in_root(root_fd, "/etc/passwd"), user);
        if (entry.empty()) throw Error("unable to convert uid/gid chown string to host mapping: can't find uid for user " +
                                           user + ": no such user: " + user, 1);
        uid = static_cast<uid_t>(std::stoul(entry[2]));
        gid = static_cast<gid_t>(std::stoul(entry[3]));
    }
    if (!group.empty()) {
        if (all_digits(group)) {
            gid = static_cast<gid_t>(std::stoul(group));
        } else {
            auto entry = find_entry(read_in_root(root_fd, "/etc/group"), group);
            if (entry.empty())
                throw Error("unable to convert uid/gid chown string to host mapping: can't find gid for group " +
                                group + ": no such group: " + group, 1);
            gid = static_cast<gid_t>(std::stoul(entry[2]));
        }
    } else if (!all_digits(user)) {
        // USER alone: the user's primary group, from passwd (done above).
    }
    return {uid, gid};
}

mode_t parse_chmod(const std::string& text) {
    if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
        throw Error("invalid chmod parameter " + text + ": only octal modes are supported", 1);
    return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

void copy_host_paths(const std::vector<fs::path>& sources, int root_fd, const std::string& dest,
                     const dockerfile::CopyOptions& options) {
    const bool slash = !dest.empty() && dest.back() == '/';
    if (sources.size() > 1 && !slash)
        throw Error("When using COPY with more than one source file, the destination must be a directory and end with a /", 1);
    std::string base = dest;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    const bool into_dir = slash || is_dir_in_root(root_fd, base);
    for (const auto& source : sources) {
        struct stat st{};
        if (::lstat(source.c_str(), &st) != 0) throw_errno("stat " + source.string());
        std::string target = base;
        if (!S_ISDIR(st.st_mode) && into_dir) target = (base == "/" ? "" : base) + "/" + source.filename().string();
        dockerfile::copy_into_root(source, root_fd, target, options);
    }
}

} // namespace kubik::build
