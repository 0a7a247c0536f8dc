// A GoogleTest fixture with a fresh folder of its own in $TMPDIR, for the
// course tool's unit tests that write files. Removed afterwards without ever
// crossing into a mount a test left below it.
#pragma once

#include "tree_ops.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdlib.h>
#include <string>

namespace kubik::course {

class TempFolderTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "kubik-course-test-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
    }
    void TearDown() override {
        if (root_.empty()) return;
        unmount_below(root_);
        remove_tree(root_);
    }

    std::filesystem::path root_;
};

} // namespace kubik::course
