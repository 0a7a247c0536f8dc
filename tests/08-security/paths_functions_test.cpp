// Lesson 8: mask_paths and make_paths_read_only called directly, in forked
// children with a mount namespace of their own, on a tmpfs the child
// mounted: what they mount dies with the child. Checked through the
// kernel: stat, statvfs and errno, not what the code says it did.
#include "kubik_test.hpp"

#include "core/not_implemented.hpp"
#include "security.hpp"

#include <gtest/gtest.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace kubik::test {
namespace {

namespace sec = kubik::security;

// The child's own mount namespace, with a nosuid,nodev tmpfs on the scratch
// `dir` holding a file, a directory with a file in it, and a symlink.
void prepare(const std::string& dir) {
    if (::unshare(CLONE_NEWNS) != 0) throw std::runtime_error(std::string("unshare: ") + std::strerror(errno));
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        throw std::runtime_error(std::string("make / private: ") + std::strerror(errno));
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") != 0)
        throw std::runtime_error(std::string("tmpfs: ") + std::strerror(errno));
    std::ofstream(dir + "/file") << "secret";
    ::mkdir((dir + "/dir").c_str(), 0755);
    std::ofstream(dir + "/dir/inside") << "secret";
    ::mkdir((dir + "/ro").c_str(), 0755);
    std::ofstream(dir + "/ro/setting") << "1";
    ::symlink("/etc/hostname", (dir + "/link").c_str());
}

std::string entries(const std::string& dir) {
    std::string out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (auto* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) out += std::string(e->d_name) + " ";
        ::closedir(d);
    }
    return out;
}

std::string write_errno(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ::close(fd);
        return "written";
    }
    return std::strerror(errno);
}

TEST(Lesson8Paths, MaskHidesAFileUnderDevNullAndADirectoryUnderAnEmptyReadOnlyTmpfs) {
    ScratchDir scratch;
    const std::string d = scratch.path().string();
    const std::string out = in_child([&](std::ostream& o) {
        prepare(d);
        try {
            sec::mask_paths({d + "/file", d + "/dir", d + "/missing"});
        } catch (const NotImplemented& e) {
            o << "stub " << e.what();
            return;
        }
        struct stat st{};
        ::stat((d + "/file").c_str(), &st);
        o << "file: " << (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) ? "/dev/null" : "not /dev/null");
        std::ifstream in(d + "/file");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        o << ", reads \"" << text << "\"\n";
        struct statvfs vfs{};
        ::statvfs((d + "/dir").c_str(), &vfs);
        o << "dir: [" << entries(d + "/dir") << "]" << ((vfs.f_flag & ST_RDONLY) ? " read-only" : " writable")
          << ", create: " << write_errno(d + "/dir/new") << "\n";
        o << "missing: " << (::access((d + "/missing").c_str(), F_OK) == 0 ? "made" : "still missing") << "\n";
    });
    if (out.starts_with("stub ")) FAIL() << out;
    EXPECT_EQ(out, "file: /dev/null, reads \"\"\n"
                   "dir: [] read-only, create: Read-only file system\n"
                   "missing: still missing\n");
}

TEST(Lesson8Paths, MaskRefusesASymlinkNamingIt) {
    ScratchDir scratch;
    const std::string d = scratch.path().string();
    const std::string out = in_child([&](std::ostream& o) {
        prepare(d);
        try {
            sec::mask_paths({d + "/link"});
            o << "masked through the link";
        } catch (const NotImplemented& e) {
            o << "stub " << e.what();
        } catch (const std::exception& e) {
            o << "error: " << e.what();
        }
    });
    if (out.starts_with("stub ")) FAIL() << out;
    EXPECT_TRUE(out.starts_with("error: ") && out.find(d + "/link") != std::string::npos)
        << "a symlink must not be followed, and the error names it: " << out;
}

TEST(Lesson8Paths, ReadOnlyKeepsTheMountsOtherFlagsAndOnlyThatPath) {
    ScratchDir scratch;
    const std::string d = scratch.path().string();
    const std::string out = in_child([&](std::ostream& o) {
        prepare(d);
        try {
            sec::make_paths_read_only({d + "/ro", d + "/missing"});
        } catch (const NotImplemented& e) {
            o << "stub " << e.what();
            return;
        }
        struct statvfs vfs{};
        ::statvfs((d + "/ro").c_str(), &vfs);
        o << "ro:" << ((vfs.f_flag & ST_RDONLY) ? " rdonly" : "") << ((vfs.f_flag & ST_NOSUID) ? " nosuid" : "")
          << ((vfs.f_flag & ST_NODEV) ? " nodev" : "") << ", write: " << write_errno(d + "/ro/setting") << "\n";
        o << "beside it: " << write_errno(d + "/other") << "\n";
        o << "missing: " << (::access((d + "/missing").c_str(), F_OK) == 0 ? "made" : "still missing") << "\n";
    });
    if (out.starts_with("stub ")) FAIL() << out;
    EXPECT_EQ(out, "ro: rdonly nosuid nodev, write: Read-only file system\n"
                   "beside it: written\n"
                   "missing: still missing\n");
}

TEST(Lesson8Paths, AnErrorNamesThePath) {
    ScratchDir scratch;
    const std::string d = scratch.path().string();
    const std::string out = in_child([&](std::ostream& o) {
        prepare(d);
        // A path under a file: lstat says ENOTDIR, which is not "missing".
        try {
            sec::make_paths_read_only({d + "/file/below"});
            o << "no error";
        } catch (const NotImplemented& e) {
            o << "stub " << e.what();
        } catch (const std::exception& e) {
            o << "error: " << e.what();
        }
    });
    if (out.starts_with("stub ")) FAIL() << out;
    EXPECT_TRUE(out.starts_with("error: ") && out.find(d + "/file/below") != std::string::npos) << out;
}

} // namespace
} // namespace kubik::test
