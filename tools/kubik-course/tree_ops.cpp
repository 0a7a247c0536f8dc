#include "tree_ops.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <ftw.h>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

bool is_at_or_below(const fs::path& inner, const fs::path& outer) {
    const auto rel = inner.lexically_relative(outer);
    return !rel.empty() && *rel.begin() != "..";
}

// mountinfo escapes blanks and backslashes as \ooo.
std::string unescape(const std::string& field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            const auto digits = field.substr(i + 1, 3);
            if (digits.size() == 3 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; })) {
                out += static_cast<char>(std::stoi(digits, nullptr, 8));
                i += 3;
                continue;
            }
        }
        out += field[i];
    }
    return out;
}

void copy_one(const fs::path& from, const fs::path& to, const fs::path& relative, const CopyFilter& filter) {
    struct stat st {};
    if (lstat(from.c_str(), &st) != 0) throw std::runtime_error(formatted(_("cannot read %s: %s"), from.c_str(), std::strerror(errno)));
    if (S_ISDIR(st.st_mode)) {
        if (!relative.empty() && filter && !filter(relative, true)) return;
        fs::create_directories(to);
        std::vector<fs::path> children;
        for (const auto& entry : fs::directory_iterator(from)) children.push_back(entry.path().filename());
        for (const auto& child : children) {
            copy_one(from / child, to / child, relative.empty() ? child : relative / child, filter);
        }
        chmod(to.c_str(), st.st_mode & 07777);
        return;
    }
    if (filter && !filter(relative, false)) return;
    if (S_ISLNK(st.st_mode)) {
        fs::create_symlink(fs::read_symlink(from), to);
        return;
    }
    if (!S_ISREG(st.st_mode)) return;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    chmod(to.c_str(), st.st_mode & 07777);
    // The same timestamps as the source, to the nanosecond: a build folder
    // copied with its sources must look up to date to ninja.
    const timespec times[2] = {st.st_atim, st.st_mtim};
    utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

std::vector<std::string>* g_remove_failures = nullptr;

int remove_entry(const char* path, const struct stat*, int type, struct FTW*) {
    const int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
    if (rc != 0 && errno != ENOENT && g_remove_failures != nullptr && g_remove_failures->size() < 20) {
        g_remove_failures->push_back(std::string(path) + ": " + std::strerror(errno));
    }
    return 0;
}

} // namespace

void copy_tree(const fs::path& from, const fs::path& to, const CopyFilter& filter) {
    if (!fs::is_directory(from)) throw std::runtime_error(formatted(_("%s is not a folder"), from.c_str()));
    copy_one(from, to, fs::path(), filter);
}

std::vector<Mount> read_mountinfo() {
    std::vector<Mount> mounts;
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        // "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER"
        std::istringstream fields(line);
        std::string id, parent, device, mount_root, mount_point;
        fields >> id >> parent >> device >> mount_root >> mount_point;
        Mount mount{unescape(mount_point), ""};
        if (const auto dash = line.find(" - "); dash != std::string::npos) {
            std::istringstream(line.substr(dash + 3)) >> mount.type;
        }
        mounts.push_back(std::move(mount));
    }
    return mounts;
}

std::vector<fs::path> mounts_below(const fs::path& path) {
    std::vector<fs::path> mounts;
    std::error_code ec;
    auto root = fs::weakly_canonical(path, ec);
    if (ec) root = fs::absolute(path);
    for (const auto& mount : read_mountinfo()) {
        if (mount.point == root || is_at_or_below(mount.point, root)) mounts.push_back(mount.point);
    }
    std::sort(mounts.begin(), mounts.end(),
              [](const fs::path& a, const fs::path& b) { return a.native().size() > b.native().size(); });
    return mounts;
}

std::vector<fs::path> unmount_below(const fs::path& path) {
    for (int pass = 0; pass < 8; ++pass) {
        const auto mounts = mounts_below(path);
        if (mounts.empty()) return {};
        for (const auto& mount : mounts) umount2(mount.c_str(), MNT_DETACH);
    }
    return mounts_below(path);
}

std::vector<std::string> remove_tree(const fs::path& path) {
    std::vector<std::string> failures;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) return failures;
    for (const auto& mount : unmount_below(path)) failures.push_back(formatted(_("%s: still mounted"), mount.c_str()));
    if (!failures.empty()) return failures; // never delete through a mount
    g_remove_failures = &failures;
    // FTW_PHYS: never follow links; FTW_MOUNT: never leave the file system.
    nftw(path.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    g_remove_failures = nullptr;
    return failures;
}

std::vector<std::string> clean_test_roots(const fs::path& build_dir, fs::file_time_type since) {
    std::vector<std::string> failures;
    std::error_code ec;
    for (fs::directory_iterator it(build_dir / "test-roots", ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code time_error;
        const auto changed = fs::last_write_time(it->path(), time_error);
        if (time_error || changed < since) continue;
        const auto left = remove_tree(it->path());
        failures.insert(failures.end(), left.begin(), left.end());
    }
    return failures;
}

void write_file(const fs::path& path, const std::string& content) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error(formatted(_("cannot write %s"), path.c_str()));
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(formatted(_("cannot read %s"), path.c_str()));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace kubik::course
