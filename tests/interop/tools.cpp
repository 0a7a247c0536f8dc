#include "tools.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace kubik::test {

std::string find_tool(const std::string& tool) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        const fs::path candidate = fs::path(dir) / tool;
        if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
    }
    return "";
}

std::string first_missing_tool(const std::vector<std::string>& tools) {
    for (const auto& t : tools)
        if (find_tool(t).empty()) return t;
    return "";
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::string sha256_of_file(const fs::path& path) {
    auto r = run({find_tool("sha256sum"), path.string()});
    if (r.exit_code != 0 || r.out.size() < 64) {
        ADD_FAILURE() << "sha256sum failed\n" << r.describe();
        return "";
    }
    return "sha256:" + r.out.substr(0, 64);
}

std::string sha256_of(const std::string& data, const fs::path& scratch) {
    const fs::path file = scratch / ".sha256-input";
    std::ofstream(file, std::ios::binary) << data;
    auto digest = sha256_of_file(file);
    fs::remove(file);
    return digest;
}

nlohmann::json parse_json(const std::string& text, const std::string& what) {
    try {
        return nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        ADD_FAILURE() << what << " is not JSON (" << e.what() << "):\n" << text;
        return nlohmann::json::object();
    }
}

namespace {

std::string file_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void walk(const fs::path& top, const fs::path& dir, std::map<std::string, TreeEntry>& out) {
    for (const auto& e : fs::directory_iterator(dir)) {
        struct stat st {};
        if (::lstat(e.path().c_str(), &st) != 0) {
            ADD_FAILURE() << "lstat " << e.path() << ": " << std::strerror(errno);
            continue;
        }
        TreeEntry entry;
        entry.mode = st.st_mode & 07777;
        entry.uid = st.st_uid;
        entry.gid = st.st_gid;
        switch (st.st_mode & S_IFMT) {
        case S_IFREG: entry.type = 'f'; entry.content = file_bytes(e.path()); break;
        case S_IFDIR: entry.type = 'd'; break;
        case S_IFLNK: entry.type = 'l'; entry.content = fs::read_symlink(e.path()).string(); break;
        case S_IFCHR: entry.type = 'c'; break;
        case S_IFBLK: entry.type = 'b'; break;
        case S_IFIFO: entry.type = 'p'; break;
        case S_IFSOCK: entry.type = 's'; break;
        }
        if (entry.type == 'c' || entry.type == 'b')
            entry.content = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
        out[e.path().lexically_relative(top).string()] = entry;  // fs::relative would follow symlinks
        if (entry.type == 'd') walk(top, e.path(), out);
    }
}

std::string describe(const TreeEntry& e) {
    std::ostringstream s;
    s << e.type << " " << std::oct << std::setw(4) << std::setfill('0') << e.mode << std::dec << " "
      << e.uid << ":" << e.gid;
    if (e.type == 'f') s << " " << e.content.size() << " bytes";
    if (e.type == 'l') s << " -> " << e.content;
    if (e.type == 'c' || e.type == 'b') s << " " << e.content;
    return s.str();
}

}  // namespace

std::map<std::string, TreeEntry> snapshot_tree(const fs::path& dir) {
    std::map<std::string, TreeEntry> out;
    walk(dir, dir, out);
    return out;
}

std::vector<std::string> tree_differences(const std::map<std::string, TreeEntry>& a,
                                          const std::map<std::string, TreeEntry>& b,
                                          const std::string& a_name, const std::string& b_name,
                                          std::size_t limit) {
    std::vector<std::string> out;
    auto add = [&](std::string line) {
        if (out.size() < limit) out.push_back(std::move(line));
        else if (out.size() == limit) out.push_back("…");
    };
    for (const auto& [path, entry] : a) {
        auto other = b.find(path);
        if (other == b.end()) add("only in " + a_name + ": " + path + " (" + describe(entry) + ")");
        else if (!(entry == other->second)) {
            std::string why = entry.type == other->second.type && entry.mode == other->second.mode &&
                                      entry.uid == other->second.uid && entry.gid == other->second.gid &&
                                      entry.type == 'f'
                                  ? " (contents differ)"
                                  : "";
            add(path + ": " + describe(entry) + " in " + a_name + ", " + describe(other->second) + " in " +
                b_name + why);
        }
    }
    for (const auto& [path, entry] : b)
        if (!a.count(path)) add("only in " + b_name + ": " + path + " (" + describe(entry) + ")");
    return out;
}

nlohmann::json image_inspect(const RunResult& r) {
    auto doc = parse_json(r.out, "`kubik image inspect`'s output");
    if (doc.is_array()) {
        if (doc.size() != 1) {
            ADD_FAILURE() << "`kubik image inspect` of one image printed " << doc.size() << " objects\n"
                          << r.describe();
            return nlohmann::json::object();
        }
        return doc[0];
    }
    return doc;
}

}  // namespace kubik::test
