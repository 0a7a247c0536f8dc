#include "watch_logic.hpp"
#include "temp_folder_test.hpp"
#include "tree_ops.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <poll.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace kubik::course;
using namespace std::chrono_literals;

TEST(WatchChanges, IgnoresEditorDroppings) {
    EXPECT_TRUE(is_relevant_change("00-process/process.cpp"));
    EXPECT_TRUE(is_relevant_change("02-namespaces/init.hpp"));
    EXPECT_FALSE(is_relevant_change("00-process/.process.cpp.swp"));
    EXPECT_FALSE(is_relevant_change("00-process/process.cpp~"));
    EXPECT_FALSE(is_relevant_change("00-process/#process.cpp#"));
    EXPECT_FALSE(is_relevant_change("00-process/.#process.cpp"));
    EXPECT_FALSE(is_relevant_change("00-process/4913"));
    EXPECT_FALSE(is_relevant_change(".idea/workspace.xml"));
    EXPECT_FALSE(is_relevant_change("00-process/process.cpp.orig"));
}

TEST(Debouncer, WaitsForQuietThenHandsOverEachPathOnce) {
    Debouncer debouncer(300ms, 3s);
    const auto t0 = Debouncer::Clock::time_point{} + 1h;
    EXPECT_FALSE(debouncer.pending());
    EXPECT_FALSE(debouncer.wait_time(t0).has_value());
    debouncer.record(t0, "a.cpp");
    debouncer.record(t0 + 100ms, "b.cpp");
    debouncer.record(t0 + 200ms, "a.cpp");
    EXPECT_FALSE(debouncer.ready(t0 + 400ms)); // 200 ms after the last change
    EXPECT_EQ(debouncer.wait_time(t0 + 400ms), 100ms);
    EXPECT_TRUE(debouncer.ready(t0 + 500ms));
    EXPECT_EQ(debouncer.take(), (std::vector<fs::path>{"a.cpp", "b.cpp"}));
    EXPECT_FALSE(debouncer.pending());
    EXPECT_FALSE(debouncer.ready(t0 + 10s));
}

TEST(Debouncer, AStreamOfChangesCannotPostponeForever) {
    Debouncer debouncer(300ms, 3s);
    const auto t0 = Debouncer::Clock::time_point{} + 1h;
    for (int i = 0; i < 40; ++i) debouncer.record(t0 + i * 100ms, "a.cpp"); // never quiet for 300 ms
    EXPECT_TRUE(debouncer.ready(t0 + 3s));
    EXPECT_EQ(debouncer.wait_time(t0 + 2900ms), 100ms);
}

namespace {

class Watched : public TempFolderTest {
protected:
    void SetUp() override {
        TempFolderTest::SetUp();
        fs::create_directories(root_ / "00-process");
    }

    // Waits (up to a second) for changes and collects them.
    std::vector<fs::path> changes(TreeWatcher& watcher) {
        std::vector<fs::path> all;
        pollfd fd{watcher.fd(), POLLIN, 0};
        for (int i = 0; i < 10 && poll(&fd, 1, 100) >= 0; ++i) {
            for (auto& change : watcher.read_changes()) all.push_back(change);
            if (!all.empty() && poll(&fd, 1, 50) == 0) break;
        }
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        return all;
    }
};

} // namespace

TEST_F(Watched, SeesWritesInSubfolders) {
    TreeWatcher watcher(root_);
    EXPECT_EQ(watcher.watched_folders(), 2u);
    write_file(root_ / "00-process/process.cpp", "int x;\n");
    EXPECT_EQ(changes(watcher), std::vector<fs::path>{"00-process/process.cpp"});
}

TEST_F(Watched, SeesEditorsThatSaveByRenaming) {
    TreeWatcher watcher(root_);
    write_file(root_ / "00-process/.process.cpp.swp", "swap");
    write_file(root_ / "00-process/process.cpp.tmp", "new");
    fs::rename(root_ / "00-process/process.cpp.tmp", root_ / "00-process/process.cpp");
    EXPECT_EQ(changes(watcher), std::vector<fs::path>{"00-process/process.cpp"});
}

TEST_F(Watched, FollowsFoldersCreatedLater) {
    TreeWatcher watcher(root_);
    write_file(root_ / "01-chroot/rootfs.cpp", "int y;\n");
    const auto first = changes(watcher);
    EXPECT_NE(std::find(first.begin(), first.end(), fs::path("01-chroot/rootfs.cpp")), first.end());
    EXPECT_EQ(watcher.watched_folders(), 3u);
    write_file(root_ / "01-chroot/rootfs.hpp", "#pragma once\n");
    EXPECT_EQ(changes(watcher), std::vector<fs::path>{"01-chroot/rootfs.hpp"});
}
