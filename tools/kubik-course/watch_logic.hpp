// The parts of `kubik-course watch` that decide when to rebuild: which file
// changes count, waiting for an editor to finish saving, and the inotify
// watch of exercises/ (recursive, following folders created later).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kubik::course {

/// False for what editors and tools leave next to real files: swap and backup
/// files (.swp, ~, .#name, #name#, 4913), hidden files and .orig/.rej/.tmp.
bool is_relevant_change(const std::filesystem::path& relative);

/// Collects changes and says when to act on them: once nothing has changed
/// for `quiet` (an editor's save is several events), but no later than
/// `max_delay` after the first change, so a stream of writes can't postpone
/// the rebuild forever.
class Debouncer {
public:
    using Clock = std::chrono::steady_clock;

    Debouncer(std::chrono::milliseconds quiet, std::chrono::milliseconds max_delay)
        : quiet_(quiet), max_delay_(max_delay) {}

    void record(Clock::time_point now, const std::filesystem::path& path);
    bool pending() const { return !paths_.empty(); }
    bool ready(Clock::time_point now) const;
    /// How long to wait before ready() can become true; nullopt when nothing is pending.
    std::optional<std::chrono::milliseconds> wait_time(Clock::time_point now) const;
    /// The changed paths (sorted, each once), and forget them.
    std::vector<std::filesystem::path> take();

private:
    std::chrono::milliseconds quiet_;
    std::chrono::milliseconds max_delay_;
    Clock::time_point first_{};
    Clock::time_point last_{};
    std::set<std::filesystem::path> paths_;
};

/// inotify on a folder and every folder below it: IN_CLOSE_WRITE, IN_MOVED_TO,
/// IN_CREATE and IN_DELETE. Folders created later are watched as they appear
/// (and files already in them are reported).
class TreeWatcher {
public:
    explicit TreeWatcher(const std::filesystem::path& root);
    ~TreeWatcher();
    TreeWatcher(const TreeWatcher&) = delete;
    TreeWatcher& operator=(const TreeWatcher&) = delete;

    /// For poll(): readable when events are waiting.
    int fd() const { return fd_; }
    /// Reads what is waiting (without blocking) and returns the relevant
    /// changed files, relative to the root.
    std::vector<std::filesystem::path> read_changes();
    std::size_t watched_folders() const { return folders_.size(); }

private:
    void add_folder(const std::filesystem::path& folder, std::vector<std::filesystem::path>* found);

    std::filesystem::path root_;
    int fd_ = -1;
    std::map<int, std::filesystem::path> folders_; ///< watch descriptor → folder
};

} // namespace kubik::course
