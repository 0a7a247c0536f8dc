#include "runtime/container_user.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <optional>

namespace kubik {
namespace {

// runc's limit: ids are int32 in the OCI spec, and -1 means "unchanged" to setuid(2).
constexpr unsigned long kMaxId = 2147483647;

std::optional<unsigned long> parse_id(std::string_view text) {
    unsigned long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto at = text.find(sep);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

// The lines of a passwd or group file split at ':', comments and blank
// lines skipped (libcontainer/user skips them too).
std::vector<std::vector<std::string_view>> records(std::string_view text) {
    std::vector<std::vector<std::string_view>> out;
    for (auto line : split(text, '\n')) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        out.push_back(split(line, ':'));
    }
    return out;
}

unsigned long checked_id(std::string_view text, const char* what) {
    auto id = parse_id(text);
    if (!id || *id > kMaxId)
        throw Error(std::string("invalid ") + what + " \"" + std::string(text) + "\": uids and gids must be in range 0-" +
                    std::to_string(kMaxId));
    return *id;
}

// A group by name or number, as runc resolves it: a name must be in the
// group file, a number need not be.
gid_t gid_of(std::string_view group, const std::vector<std::vector<std::string_view>>& groups) {
    for (const auto& r : groups) {
        if (r.size() < 3) continue;
        if (all_digits(group) ? r[2] != group : r[0] != group) continue;
        if (auto gid = parse_id(r[2])) return static_cast<gid_t>(*gid);
    }
    if (!all_digits(group))
        throw Error("unable to find group " + std::string(group) + ": no matching entries in group file");
    return static_cast<gid_t>(checked_id(group, "gid"));
}

std::string read_small_file(const char* path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return "";
        throw_errno(std::string("open the container's ") + path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw_errno(std::string("stat the container's ") + path);
    if (!S_ISREG(st.st_mode)) throw Error(std::string("the container's ") + path + " is not a regular file");
    std::string data;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno(std::string("read the container's ") + path);
        if (n == 0) return data;
        data.append(buf, static_cast<size_t>(n));
        if (data.size() > (16u << 20)) throw Error(std::string("the container's ") + path + " is larger than 16 MiB");
    }
}

} // namespace

void check_user_spec(const std::string& user) {
    auto colon = user.find(':');
    std::string_view name = std::string_view(user).substr(0, colon);
    if (name.empty()) throw Error("invalid user \"" + user + "\": no user name or uid before ':'");
    if (all_digits(name)) checked_id(name, "uid");
    if (colon != std::string::npos) {
        std::string_view group = std::string_view(user).substr(colon + 1);
        if (group.empty()) throw Error("invalid user \"" + user + "\": no group name or gid after ':'");
        if (all_digits(group)) checked_id(group, "gid");
    }
}

ExecUser resolve_user(const std::string& spec, std::string_view passwd, std::string_view group_file) {
    check_user_spec(spec);
    auto colon = spec.find(':');
    const std::string_view user = std::string_view(spec).substr(0, colon);
    const std::optional<std::string_view> group =
        colon == std::string::npos ? std::nullopt : std::optional(std::string_view(spec).substr(colon + 1));

    ExecUser out;
    std::string name; // the passwd entry's name, for the group memberships
    bool found = false;
    // A name matches field 0; a number matches field 2 (uid), and runc takes
    // a numeric user that has no entry as it is.
    for (const auto& r : records(passwd)) {
        if (r.size() < 7) continue;
        bool match = all_digits(user) ? r[2] == user : r[0] == user;
        if (!match) continue;
        auto uid = parse_id(r[2]), gid = parse_id(r[3]);
        if (!uid || !gid) continue;
        out.uid = static_cast<uid_t>(*uid);
        out.gid = static_cast<gid_t>(*gid);
        out.home = r[5].empty() ? "/" : std::string(r[5]);
        name = r[0];
        found = true;
        break;
    }
    if (!found) {
        if (!all_digits(user))
            throw Error("unable to find user " + std::string(user) + ": no matching entries in passwd file");
        out.uid = static_cast<uid_t>(checked_id(user, "uid"));
    }

    const auto groups = records(group_file);
    if (group) {
        out.gid = gid_of(*group, groups);
    } else if (!name.empty()) {
        // The groups that list the user as a member (field 3, "a,b,c").
        for (const auto& r : groups) {
            if (r.size() < 4) continue;
            auto members = split(r[3], ',');
            if (std::find(members.begin(), members.end(), name) == members.end()) continue;
            if (auto gid = parse_id(r[2]))
                if (std::find(out.groups.begin(), out.groups.end(), *gid) == out.groups.end())
                    out.groups.push_back(static_cast<gid_t>(*gid));
        }
    }
    return out;
}

std::vector<gid_t> resolve_groups(const std::vector<std::string>& names, std::string_view group_file) {
    const auto groups = records(group_file);
    std::vector<gid_t> out;
    for (const auto& name : names) out.push_back(gid_of(name, groups));
    return out;
}

void add_groups_in_root(ExecUser& user, const std::vector<std::string>& names) {
    for (gid_t gid : resolve_groups(names, read_small_file("/etc/group")))
        if (std::find(user.groups.begin(), user.groups.end(), gid) == user.groups.end()) user.groups.push_back(gid);
}

ExecUser resolve_user_in_root(const std::string& user) {
    return resolve_user(user, read_small_file("/etc/passwd"), read_small_file("/etc/group"));
}

void switch_user_or_fallback(const ExecUser& user) {
    try {
        security::switch_user(user);
        return;
    } catch (const NotImplemented&) {
        // Lesson 8 not written: the switch as lessons 4-7 had it.
    }
    // Also with no supplementary groups: kubik's own (root's) must not stay.
    if (::setgroups(user.groups.size(), user.groups.data()) != 0) throw_errno("setgroups");
    if (::setgid(user.gid) != 0) throw_errno("setgid " + std::to_string(user.gid));
    if (::setuid(user.uid) != 0) throw_errno("setuid " + std::to_string(user.uid));
}

} // namespace kubik
