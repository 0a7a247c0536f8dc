// A real distribution image: Debian 12 minbase, made by mmdebstrap from
// Debian's packages (scripts/make-debian-image.sh) and imported with `kubik
// import`, runs dynamically linked programs: bash, apt-get, getent (glibc's
// NSS reading /etc/passwd).
//
// The root filesystem tarball is made once per build tree
// (BUILD/images/debian-bookworm.tar) and reused by every later run; making it
// needs mmdebstrap and the package mirror. When either is missing, the tests
// are skipped with the script's reason, never passed. ctest label "debian".
#include "kubik_test.hpp"
#include "debian_image.hpp"
#include "tools.hpp"

#include <sys/stat.h>

#include <chrono>
#include <iostream>

#ifndef KUBIK_SOURCE_DIR
#error "KUBIK_SOURCE_DIR must be defined by tests/CMakeLists.txt"
#endif
#ifndef KUBIK_BUILD_DIR
#error "KUBIK_BUILD_DIR must be defined by tests/CMakeLists.txt"
#endif

namespace kubik::test {
namespace {

class Debian : public DebianImageTest {
protected:
    RunResult krun(const std::vector<std::string>& command) {
        return kubik(concat({"run", "--rm", "debian:bookworm"}, command));
    }
};

TEST_F(Debian, ImportIsOneLayerWithTheTarballsFiles) {
    auto r = kubik({"image", "inspect", "debian:bookworm"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto image = image_inspect(r);
    ASSERT_EQ(image["RootFS"]["Layers"].size(), 1u) << image.dump(2);
    // A rootfs tarball's diff ID is the sha256 of the tar itself.
    EXPECT_EQ(image["RootFS"]["Layers"][0].get<std::string>(), sha256_of_file(debian_tarball().path));
    r = kubik({"images"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    bool listed = false;
    for (const auto& line : lines_of(r.out))
        listed = listed || (line.rfind("debian ", 0) == 0 && line.find(" bookworm ") != std::string::npos);
    EXPECT_TRUE(listed) << "`kubik images` doesn't list debian:bookworm\n" << r.describe();
}

TEST_F(Debian, BashRunsWithItsExitCode) {
    auto r = krun({"/bin/bash", "-c", "echo \"bash ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}\"; exit 7"});
    EXPECT_EQ(r.exit_code, 7) << r.describe();
    EXPECT_EQ(r.out, "bash 5.2\n") << r.describe();
    // Dynamically linked: glibc's loader mapped libc.so.6 into the process.
    // (grep's own maps: grep is as dynamic as bash.)
    r = krun({"/bin/bash", "-c", "grep -q 'libc\\.so\\.6' /proc/self/maps && echo dynamic"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "dynamic\n") << r.describe();
}

TEST_F(Debian, AptGetRuns) {
    auto r = krun({"apt-get", "--version"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.rfind("apt 2.6", 0), 0u) << "expected bookworm's apt 2.6.x\n" << r.describe();
}

TEST_F(Debian, GetentReadsThePasswdDatabase) {
    auto r = krun({"getent", "passwd", "root"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "root:x:0:0:root:/root:/bin/bash\n") << r.describe();
    r = krun({"getent", "passwd", "no-such-user"});
    EXPECT_EQ(r.exit_code, 2) << "getent exits 2 for a key it can't find\n" << r.describe();
    EXPECT_EQ(r.out, "") << r.describe();
}

TEST_F(Debian, WritesLandInTheContainerNotTheImage) {
    auto r = kubik({"image", "inspect", "debian:bookworm"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string diff_id = image_inspect(r)["RootFS"]["Layers"][0].get<std::string>();
    const fs::path layer = root_ / "store/layers" / diff_id.substr(7) / "diff";
    ASSERT_TRUE(fs::is_regular_file(layer / "etc/passwd")) << layer << " holds no etc/passwd";
    struct stat before {};
    ASSERT_EQ(::stat((layer / "etc/passwd").c_str(), &before), 0);

    r = krun({"/bin/bash", "-c", "echo intruder:x:0:0::/:/bin/sh >> /etc/passwd && rm /etc/hostname; getent passwd intruder"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "intruder:x:0:0::/:/bin/sh\n") << r.describe();

    struct stat after {};
    ASSERT_EQ(::stat((layer / "etc/passwd").c_str(), &after), 0);
    EXPECT_EQ(after.st_size, before.st_size) << "the container's write reached the image's layer";
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_TRUE(fs::exists(layer / "etc/hostname")) << "the container's rm reached the image's layer";
    r = krun({"getent", "passwd", "intruder"});
    EXPECT_EQ(r.exit_code, 2) << "a new container sees the last one's write\n" << r.describe();
}

}  // namespace
}  // namespace kubik::test
