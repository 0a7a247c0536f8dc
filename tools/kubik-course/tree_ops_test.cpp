#include "tree_ops.hpp"
#include "temp_folder_test.hpp"

#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace kubik::course;

namespace {

class TreeOps : public TempFolderTest {};

} // namespace

TEST_F(TreeOps, CopyKeepsTimesModesAndLinks) {
    write_file(root_ / "from/a/file.txt", "content");
    fs::permissions(root_ / "from/a/file.txt", fs::perms::owner_read | fs::perms::owner_exec);
    fs::create_symlink("a/file.txt", root_ / "from/link");
    const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);
    fs::last_write_time(root_ / "from/a/file.txt", old_time);

    copy_tree(root_ / "from", root_ / "to");
    EXPECT_EQ(read_file(root_ / "to/a/file.txt"), "content");
    EXPECT_EQ(fs::last_write_time(root_ / "to/a/file.txt"), old_time);
    EXPECT_EQ(fs::status(root_ / "to/a/file.txt").permissions(), fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_TRUE(fs::is_symlink(root_ / "to/link"));
    EXPECT_EQ(fs::read_symlink(root_ / "to/link"), "a/file.txt");
}

TEST_F(TreeOps, CopyFilterLeavesThingsOut) {
    write_file(root_ / "from/keep/x", "1");
    write_file(root_ / "from/skip/y", "2");
    write_file(root_ / "from/keep/z.log", "3");
    copy_tree(root_ / "from", root_ / "to", [](const fs::path& relative, bool is_directory) {
        return !(is_directory && relative == "skip") && relative.extension() != ".log";
    });
    EXPECT_TRUE(fs::exists(root_ / "to/keep/x"));
    EXPECT_FALSE(fs::exists(root_ / "to/skip"));
    EXPECT_FALSE(fs::exists(root_ / "to/keep/z.log"));
}

TEST_F(TreeOps, RemoveNeverFollowsLinks) {
    write_file(root_ / "outside/precious", "keep me");
    write_file(root_ / "tree/file", "x");
    fs::create_directory_symlink(root_ / "outside", root_ / "tree/link");
    EXPECT_TRUE(remove_tree(root_ / "tree").empty());
    EXPECT_FALSE(fs::exists(root_ / "tree"));
    EXPECT_EQ(read_file(root_ / "outside/precious"), "keep me");
}

TEST_F(TreeOps, RemoveUnmountsFirstAndNeverDeletesThroughAMount) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to mount";
    write_file(root_ / "host/precious", "keep me");
    fs::create_directories(root_ / "tree/build/test-roots/x");
    ASSERT_EQ(mount((root_ / "host").c_str(), (root_ / "tree/build/test-roots/x").c_str(), nullptr, MS_BIND, nullptr), 0);
    ASSERT_EQ(mounts_below(root_ / "tree").size(), 1u);
    EXPECT_TRUE(remove_tree(root_ / "tree").empty());
    EXPECT_FALSE(fs::exists(root_ / "tree"));
    EXPECT_TRUE(mounts_below(root_ / "tree").empty());
    EXPECT_EQ(read_file(root_ / "host/precious"), "keep me");
}

TEST_F(TreeOps, CleanTestRootsRemovesOnlyWhatTheRunLeft) {
    write_file(root_ / "build/test-roots/Old.Test-abc/x", "old");
    fs::last_write_time(root_ / "build/test-roots/Old.Test-abc", fs::file_time_type::clock::now() - std::chrono::hours(1));
    const auto since = fs::file_time_type::clock::now() - std::chrono::seconds(1);
    write_file(root_ / "build/test-roots/New.Test-def/x", "new");
    EXPECT_TRUE(clean_test_roots(root_ / "build", since).empty());
    EXPECT_TRUE(fs::exists(root_ / "build/test-roots/Old.Test-abc"));
    EXPECT_FALSE(fs::exists(root_ / "build/test-roots/New.Test-def"));
}
