#include "watch_logic.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/inotify.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

constexpr uint32_t kFileEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM;

} // namespace

bool is_relevant_change(const fs::path& relative) {
    for (const auto& part : relative) {
        const auto name = part.string();
        if (name.empty() || name == "." || name == "..") continue;
        if (name.front() == '.') return false; // .swp, .#lock, hidden folders
    }
    const auto name = relative.filename().string();
    if (name.empty()) return false;
    if (name.back() == '~') return false;                                // emacs, vim backups
    if (name.front() == '#' && name.back() == '#') return false;         // emacs autosave
    if (name == "4913") return false;                                    // vim's write probe
    static const std::vector<std::string> ignored_extensions{".swp", ".swo", ".swx", ".tmp", ".orig", ".rej", ".bak"};
    const auto extension = relative.extension().string();
    return std::find(ignored_extensions.begin(), ignored_extensions.end(), extension) == ignored_extensions.end();
}

void Debouncer::record(Clock::time_point now, const fs::path& path) {
    if (paths_.empty()) first_ = now;
    last_ = now;
    paths_.insert(path);
}

bool Debouncer::ready(Clock::time_point now) const {
    if (paths_.empty()) return false;
    return now - last_ >= quiet_ || now - first_ >= max_delay_;
}

std::optional<std::chrono::milliseconds> Debouncer::wait_time(Clock::time_point now) const {
    if (paths_.empty()) return std::nullopt;
    const auto until = std::min(last_ + quiet_, first_ + max_delay_);
    if (until <= now) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(until - now);
}

std::vector<fs::path> Debouncer::take() {
    std::vector<fs::path> paths(paths_.begin(), paths_.end());
    paths_.clear();
    return paths;
}

TreeWatcher::TreeWatcher(const fs::path& root) : root_(root) {
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::string("inotify_init1: ") + std::strerror(errno));
    if (!fs::is_directory(root)) {
        close(fd_);
        throw std::runtime_error(root.string() + " is not a folder");
    }
    add_folder(root, nullptr);
}

TreeWatcher::~TreeWatcher() {
    if (fd_ >= 0) close(fd_);
}

void TreeWatcher::add_folder(const fs::path& folder, std::vector<fs::path>* found) {
    const int wd = inotify_add_watch(fd_, folder.c_str(), kFileEvents | IN_ONLYDIR | IN_DONT_FOLLOW);
    if (wd < 0) {
        if (errno == ENOSPC) {
            throw std::runtime_error("too many inotify watches (raise fs.inotify.max_user_watches)");
        }
        return; // gone already, or not a folder
    }
    folders_[wd] = folder;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_symlink(ec)) continue;
        if (it->is_directory(ec)) {
            add_folder(it->path(), found);
        } else if (found != nullptr) {
            // Written before the watch existed: report it, or it's missed.
            found->push_back(it->path());
        }
    }
}

std::vector<fs::path> TreeWatcher::read_changes() {
    std::vector<fs::path> changed;
    alignas(inotify_event) char buffer[16384];
    for (;;) {
        const auto n = read(fd_, buffer, sizeof buffer);
        if (n <= 0) break;
        for (char* p = buffer; p < buffer + n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(p);
            p += sizeof(inotify_event) + event->len;
            if (event->mask & IN_Q_OVERFLOW) {
                changed.push_back(root_); // something changed; we don't know what
                continue;
            }
            if (event->mask & IN_IGNORED) {
                folders_.erase(event->wd);
                continue;
            }
            const auto folder = folders_.find(event->wd);
            if (folder == folders_.end() || event->len == 0) continue;
            const auto path = folder->second / event->name;
            if (event->mask & IN_ISDIR) {
                if (event->mask & (IN_CREATE | IN_MOVED_TO)) add_folder(path, &changed);
                continue;
            }
            // A plain IN_CREATE is followed by IN_CLOSE_WRITE when the file is
            // written; count it anyway, a `touch` is a change too.
            changed.push_back(path);
        }
    }
    std::vector<fs::path> relevant;
    for (const auto& path : changed) {
        const auto relative = path == root_ ? fs::path(".") : path.lexically_relative(root_);
        if (relative == "." || is_relevant_change(relative)) relevant.push_back(relative);
    }
    std::sort(relevant.begin(), relevant.end());
    relevant.erase(std::unique(relevant.begin(), relevant.end()), relevant.end());
    return relevant;
}

} // namespace kubik::course
