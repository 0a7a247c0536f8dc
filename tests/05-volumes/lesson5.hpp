// Lesson 5's gate and the helpers its tests share.
#pragma once

#include "kubik_test.hpp"

#include <sys/stat.h>

#include <functional>
#include <string>

namespace kubik::test::volumes5 {

/// Calls each of lesson 5's functions once, with arguments that can't change
/// anything (bad descriptors); returns the stub's message when one of them is
/// still a stub, "" when all are written.
std::string stub_message();

/// A fixture for the functions called directly: fails the test in words when
/// lesson 5 is not written yet.
class VolumeFunctions : public ::testing::Test {
protected:
    void SetUp() override;
};

/// A state root with the busybox image (BusyboxTest) behind lesson 5's gate;
/// every kubik command of the test fails it when kubik says lesson 5 is a
/// stub or was skipped.
class Lesson5Test : public BusyboxTest {
protected:
    void SetUp() override;
    RunResult kubik(const std::vector<std::string>& args, const RunOptions& options = {}) override;

    /// The pid of a running container's init, from `kubik inspect`.
    pid_t container_pid(const std::string& name);
    /// `kubik rm -f` of these containers; call before the test ends.
    void remove_containers(const std::vector<std::string>& names);
    /// Runs `kubik args` from a forked child with a mount namespace of its
    /// own (private), after `setup` made the test's "host" mounts there (a
    /// submount of a bind source, a shared mount). They never exist in the
    /// test's namespace: a container started meanwhile by a test running in
    /// parallel would get a copy of them, and the leak check would find it.
    /// A detached container's monitor stays in that namespace; it and the
    /// mounts go when the container is removed.
    RunResult kubik_in_own_mount_namespace(const std::vector<std::string>& args, const std::function<void()>& setup);
    /// Runs `body` in a forked child that joined the mount namespace of `pid`
    /// (setns); "" when it worked, else what failed.
    static std::string in_mount_namespace_of(pid_t pid, const std::function<void()>& body);
    /// ROOT/volumes/NAME/_data.
    fs::path volume_data(const std::string& name) const { return root_ / "volumes" / name / "_data"; }
    /// A directory of the test's own on the host, below the state root.
    fs::path scratch(const std::string& name) const { return root_ / "scratch" / name; }
};

/// The mount of `pid`'s mount namespace at `mount_point` (as the container
/// names it), nullptr when there is none; parsed from /proc/PID/mountinfo.
std::optional<Mount> mount_at(const std::string& pid, const std::string& mount_point);
/// The comma-separated per-mount options of a mountinfo line contain `option`.
bool has_option(const Mount& m, const std::string& option);
/// The optional fields of a mountinfo line ("shared:3 master:1"), "" when none.
std::string propagation_fields(const Mount& m);
/// stat() of `path` (lstat when `follow` is false); st_ino 0 when it fails.
struct stat stat_of(const fs::path& path, bool follow = true);
/// Same inode on the same device.
bool same_file(const struct stat& a, const struct stat& b);

} // namespace kubik::test::volumes5
