// The Debian images of the "debian" tests, made by
// scripts/make-debian-image.sh from Debian's packages: the minbase
// (debian:bookworm) and, with --python, the base of the course note's
// example (debian:bookworm-python, python3-flask added). Each tarball is made
// once per build tree (BUILD/images/) and once per test program at most.
#pragma once

#include "kubik_test.hpp"

#include <filesystem>
#include <string>

namespace kubik::test {

/// What making a tarball gave.
struct DebianTarball {
    std::filesystem::path path; ///< "" when it couldn't be made
    std::string skip;           ///< why it can't be made here (the script's exit 3)
    std::string failure;        ///< the script failed otherwise
};

/// The minbase tarball, or with `python` the one with python3-flask.
const DebianTarball& debian_tarball(bool python = false);

/// Imports that tarball into the state root `root`, as the quick start would
/// (KUBIK: this build's binary).
RunResult import_debian_image(const std::filesystem::path& root, bool python = false);

/// A test in its own state root with debian:bookworm imported; skipped
/// (with the script's reason) where the tarball can't be made here.
class DebianImageTest : public KubikTest {
protected:
    void SetUp() override;
    void TearDown() override;

private:
    bool base_set_up_ = false;  // KubikTest::SetUp ran: not when skipped before it
};

} // namespace kubik::test
