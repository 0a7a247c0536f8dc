// Lesson 8's walls with a real distribution: apt-get and dpkg in the Debian
// image under docker's default profile (its capabilities, its seccomp
// filter, the masked and read-only paths) do what they do under docker,
// offline: check the package database, list it, simulate an install. apt
// drops to its _apt user (setgroups, setresuid) and dpkg takes locks
// (fcntl) and chowns: the syscalls a too-tight wall would break. Each run
// also prints the container's Seccomp line, so a pass means "worked with
// the filter loaded". ctest label "debian".
#include "kubik_test.hpp"
#include "debian_image.hpp"
#include "tools.hpp"

namespace kubik::test {
namespace {

class DebianSecurity : public DebianImageTest {
protected:
    /// `bash -c SCRIPT` in debian:bookworm with the default profile, then
    /// the container's own Seccomp line; exits with SCRIPT's status.
    RunResult krun(const std::string& script) {
        return kubik({"run", "--rm", "debian:bookworm", "bash", "-c",
                      script + "; r=$?; grep '^Seccomp:' /proc/self/status; exit $r"});
    }
};

TEST_F(DebianSecurity, AptGetCheckPassesBehindTheWalls) {
    auto r = krun("apt-get check");
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "Seccomp:\t2")) << "no seccomp filter in the container\n" << r.describe();
    EXPECT_EQ(r.out.find("E: "), std::string::npos) << r.describe();
}

TEST_F(DebianSecurity, DpkgListsThePackages) {
    auto r = krun("dpkg -l");
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "Seccomp:\t2")) << r.describe();
    bool listed = false;
    for (const auto& line : lines_of(r.out))
        if (line.rfind("ii  dpkg ", 0) == 0) listed = true;
    EXPECT_TRUE(listed) << "dpkg -l doesn't list dpkg itself\n" << r.describe();
}

TEST_F(DebianSecurity, AptGetSimulatesAnInstallOfNothing) {
    auto r = krun("apt-get -s install");
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "Seccomp:\t2")) << r.describe();
    EXPECT_NE(r.out.find("0 newly installed"), std::string::npos) << r.describe();
}

} // namespace
} // namespace kubik::test
