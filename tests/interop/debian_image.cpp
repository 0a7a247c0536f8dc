// See debian_image.hpp.
#include "debian_image.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>

#ifndef KUBIK_SOURCE_DIR
#error "KUBIK_SOURCE_DIR must be defined by tests/CMakeLists.txt"
#endif
#ifndef KUBIK_BUILD_DIR
#error "KUBIK_BUILD_DIR must be defined by tests/CMakeLists.txt"
#endif

namespace kubik::test {

namespace {

const std::string kScript = std::string(KUBIK_SOURCE_DIR) + "/scripts/make-debian-image.sh";

std::vector<std::string> script(bool python, const std::vector<std::string>& more) {
    std::vector<std::string> argv{kScript, "--build", KUBIK_BUILD_DIR};
    if (python) argv.push_back("--python");
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

} // namespace

const DebianTarball& debian_tarball(bool python) {
    static std::map<bool, DebianTarball> made;
    if (auto found = made.find(python); found != made.end()) return found->second;
    DebianTarball t;
    const auto start = std::chrono::steady_clock::now();
    RunOptions options;
    options.timeout = std::chrono::minutes(20);
    auto r = run(script(python, {"--tarball-only"}), options);
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    if (r.exit_code == 0 && !r.out.empty()) {
        t.path = lines_of(r.out).back();
        // Shows in the test's output how long the tarball took (or that it was cached).
        std::cout << "[ debian   ] " << t.path.string() << " ready in " << seconds.count() << " s\n"
                  << without_skip_notices(r.err);
    } else if (r.exit_code == 3) {
        t.skip = r.err;
    } else {
        t.failure = r.describe();
    }
    return made.emplace(python, std::move(t)).first->second;
}

RunResult import_debian_image(const std::filesystem::path& root, bool python) {
    RunOptions options;
    options.timeout = std::chrono::minutes(3);
    options.env = {{"KUBIK", kubik_binary()}};
    return run(script(python, {"--root", root.string()}), options);
}

void DebianImageTest::SetUp() {
    const auto& tarball = debian_tarball();
    if (!tarball.skip.empty()) GTEST_SKIP() << tarball.skip;
    base_set_up_ = true;
    KubikTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(tarball.failure.empty()) << "scripts/make-debian-image.sh failed:\n" << tarball.failure;
    auto r = import_debian_image(root_);
    ASSERT_EQ(r.exit_code, 0) << "importing the Debian rootfs failed\n" << r.describe();
}

void DebianImageTest::TearDown() {
    if (base_set_up_) KubikTest::TearDown();
}

} // namespace kubik::test
