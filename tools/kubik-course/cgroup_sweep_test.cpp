#include "cgroup_sweep.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace kubik::course;

namespace {

// A cgroup hierarchy we may write to: the first whose root accepts a mkdir.
fs::path writable_root() {
    for (const auto& root : cgroup_roots()) {
        const auto probe = root / (fresh_cgroup_prefix() + "probe");
        std::error_code ec;
        if (fs::create_directory(probe, ec)) {
            fs::remove(probe, ec);
            return root;
        }
    }
    return {};
}

} // namespace

TEST(CgroupSweep, RefusesPrefixesThatAreNotKubiks) {
    for (const std::string prefix : {"", "kubik-", "user.slice", "system", "kubik-a/../../x"}) {
        EXPECT_THROW(remove_cgroups_with_prefix(prefix, {}), std::invalid_argument) << prefix;
    }
    EXPECT_NO_THROW(remove_cgroups_with_prefix(fresh_cgroup_prefix(), {}));
}

TEST(CgroupSweep, FreshPrefixesDiffer) {
    const auto a = fresh_cgroup_prefix();
    EXPECT_TRUE(a.starts_with("kubik-run-"));
    EXPECT_TRUE(a.ends_with("-"));
    EXPECT_NE(a, fresh_cgroup_prefix());
}

TEST(CgroupSweep, FindsTheHostsHierarchies) {
    const auto roots = cgroup_roots();
    ASSERT_FALSE(roots.empty()) << "no cgroup filesystem in /proc/self/mountinfo";
    for (const auto& root : roots) EXPECT_TRUE(fs::exists(root / "cgroup.procs")) << root;
}

// A process left in a nested cgroup with the run's prefix (what a killed test
// leaves) is killed and the tree removed; a cgroup with another prefix stays.
TEST(CgroupSweep, KillsAndRemovesOnlyThePrefixedTrees) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to make cgroups";
    const auto root = writable_root();
    if (root.empty()) GTEST_SKIP() << "no writable cgroup hierarchy";
    const auto prefix = fresh_cgroup_prefix();
    const auto mine = root / (prefix + "parent");
    const auto other = root / (fresh_cgroup_prefix() + "other");
    fs::create_directories(mine / "container");
    fs::create_directory(other);

    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    {
        std::ofstream procs(mine / "container" / "cgroup.procs");
        procs << child << std::flush;
        ASSERT_TRUE(procs.good()) << "cannot move the child into " << mine / "container";
    }

    const auto left = remove_cgroups_with_prefix(prefix, {root});
    EXPECT_TRUE(left.empty()) << left.front();
    EXPECT_FALSE(fs::exists(mine));
    EXPECT_TRUE(fs::exists(other));
    int status = 0;
    // Reaped by the sweep (it is our child) or still ours to reap.
    const pid_t waited = waitpid(child, &status, 0);
    if (waited == child) {
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    } else {
        EXPECT_EQ(errno, ECHILD);
    }
    fs::remove(other);
    EXPECT_TRUE(remove_cgroups_with_prefix(prefix, {root}).empty());
}
