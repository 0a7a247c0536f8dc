// The compiled seccomp filter's cache (src/security/seccomp_cache.cpp):
// built once with lesson 8's build_seccomp_filter(), then read back by key;
// a damaged entry is rebuilt; the program loads and filters. Reference
// track (the solutions' build_seccomp_filter()).
#include "security/seccomp_cache.hpp"

#include "core/files.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace kubik::test::seccomp_cache {
namespace {

namespace fs = std::filesystem;
namespace sec = kubik::security;

const std::vector<int> kDockerCaps = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,           CAP_MKNOD,      CAP_NET_RAW,    CAP_SETGID,
    CAP_SETUID, CAP_SETFCAP,      CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,       CAP_AUDIT_WRITE,
};

class SeccompCache : public ::testing::Test {
protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "kubik-seccomp-cache-XXXXXX").string();
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = fs::path(templ) / "seccomp";
    }
    void TearDown() override { fs::remove_all(dir_.parent_path()); }
    std::vector<fs::path> entries() const {
        std::vector<fs::path> out;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir_, ec)) out.push_back(e.path());
        return out;
    }
    fs::path dir_;
};

std::string bytes_of(const sec::CompiledSeccomp& f) {
    return std::string(reinterpret_cast<const char*>(f.program.data()), f.program.size() * sizeof(sock_filter));
}
// The cache file's program: after its 16-byte header.
std::string program_in(const fs::path& file) { return read_file(file).substr(16); }

TEST_F(SeccompCache, BuiltOnceThenReadBackByKey) {
    SecurityOptions options;
    auto first = sec::compiled_seccomp_for(options, kDockerCaps, dir_);
    ASSERT_TRUE(first);
    EXPECT_GT(first->program.size(), 100u) << "docker's profile is hundreds of instructions";
    auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(program_in(files[0]), bytes_of(*first));
    // Lesson 8 turns SCMP_FLTATR_CTL_NNP off: kubik decides about no_new_privs.
    EXPECT_FALSE(first->sets_no_new_privs);
    EXPECT_EQ(first->flags, 0u);

    // The next start takes the file as it is: a program put there is what
    // comes back (one instruction: return ALLOW).
    sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    write_file(files[0], read_file(files[0]).substr(0, 16) + std::string(reinterpret_cast<const char*>(&allow), sizeof allow));
    auto second = sec::compiled_seccomp_for(options, kDockerCaps, dir_);
    ASSERT_TRUE(second);
    ASSERT_EQ(second->program.size(), 1u);
    EXPECT_EQ(std::memcmp(&second->program[0], &allow, sizeof allow), 0);
}

TEST_F(SeccompCache, CapabilitiesAndProfileAreInTheKey) {
    SecurityOptions options;
    auto docker = sec::compiled_seccomp_for(options, kDockerCaps, dir_);
    auto with_admin = kDockerCaps;
    with_admin.push_back(CAP_SYS_ADMIN);
    auto admin = sec::compiled_seccomp_for(options, with_admin, dir_);
    ASSERT_TRUE(docker && admin);
    // CAP_SYS_ADMIN allows mount, unshare and more: another program.
    EXPECT_NE(bytes_of(*docker), bytes_of(*admin));
    SecurityOptions custom;
    custom.seccomp_profile = R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]})";
    auto own = sec::compiled_seccomp_for(custom, kDockerCaps, dir_);
    ASSERT_TRUE(own);
    EXPECT_EQ(entries().size(), 3u);

    // No filter at all: nothing compiled, nothing stored.
    SecurityOptions unconfined;
    unconfined.seccomp_unconfined = true;
    EXPECT_FALSE(sec::compiled_seccomp_for(unconfined, kDockerCaps, dir_));
    SecurityOptions privileged;
    privileged.privileged = true;
    EXPECT_FALSE(sec::compiled_seccomp_for(privileged, kDockerCaps, dir_));
    EXPECT_EQ(entries().size(), 3u);
}

TEST_F(SeccompCache, ADamagedEntryIsBuiltAgain) {
    SecurityOptions options;
    auto fresh = sec::compiled_seccomp_for(options, kDockerCaps, dir_);
    ASSERT_TRUE(fresh);
    auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    write_file(files[0], "12345"); // not a whole instruction
    auto again = sec::compiled_seccomp_for(options, kDockerCaps, dir_);
    ASSERT_TRUE(again);
    EXPECT_EQ(bytes_of(*again), bytes_of(*fresh));
    EXPECT_EQ(program_in(files[0]), bytes_of(*fresh));
}

TEST_F(SeccompCache, TheProgramLoadsAndFilters) {
    SecurityOptions options;
    // Read back from the cache, then loaded: it must still be docker's.
    ASSERT_TRUE(sec::compiled_seccomp_for(options, kDockerCaps, dir_));
    auto cached = sec::compiled_seccomp_for(options, kDockerCaps, dir_);
    ASSERT_TRUE(cached);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            sec::load_compiled_seccomp(*cached);
        } catch (...) {
            ::_exit(10);
        }
        // Without CAP_SYS_ADMIN among the 14, unshare is refused with EPERM;
        // getpid still works.
        if (::unshare(CLONE_NEWUSER) == 0) ::_exit(11);
        ::_exit(errno == EPERM && ::getpid() > 0 ? 0 : 12);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: load failed, 11: unshare allowed, 12: another errno";
}

} // namespace
} // namespace kubik::test::seccomp_cache
