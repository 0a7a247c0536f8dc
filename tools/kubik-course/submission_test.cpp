#include "submission.hpp"
#include "temp_folder_test.hpp"
#include "subprocess.hpp"
#include "tree_ops.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace kubik::course;

namespace {

class TempTree : public TempFolderTest {
protected:
    fs::path make_submission(const std::string& name) {
        const auto dir = root_ / name;
        write_file(dir / "exercises/00-process/process.cpp", "int answer() { return 42; }\n");
        write_file(dir / "exercises/00-process/process.hpp", "#pragma once\nint answer();\n");
        return dir;
    }

    const std::vector<fs::path> owned_{"00-process/process.cpp", "00-process/process.hpp", "01-chroot/rootfs.cpp"};
};

SubmissionSpec spec_of(const fs::path& path) {
    SubmissionSpec spec;
    spec.student = path.filename().string();
    spec.path = path;
    return spec;
}

const SubmittedFile& file(const SubmissionContents& contents, const std::string& relative) {
    for (const auto& f : contents.files) {
        if (f.relative == relative) return f;
    }
    throw std::runtime_error("no " + relative);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_F(TempTree, ReadsOwnedFilesAndReportsMissingAndIgnoredOnes) {
    const auto dir = make_submission("alice");
    write_file(dir / "exercises/00-process/notes.txt", "mine");
    write_file(dir / "tests/00-process/process_test.cpp", "// edited test");
    const auto contents = read_submission(spec_of(dir), owned_, {});
    ASSERT_TRUE(contents.error.empty());
    ASSERT_EQ(contents.files.size(), 3u);
    EXPECT_EQ(file(contents, "00-process/process.cpp").state, FileState::ok);
    EXPECT_EQ(file(contents, "00-process/process.cpp").content, "int answer() { return 42; }\n");
    EXPECT_EQ(file(contents, "01-chroot/rootfs.cpp").state, FileState::missing);
    EXPECT_EQ(contents.ignored, std::vector<std::string>{"exercises/00-process/notes.txt"});
}

TEST_F(TempTree, RefusesASymlinkPointingOutside) {
    const auto dir = make_submission("mallory");
    write_file(root_ / "secret.cpp", "int secret;\n");
    fs::create_directories(dir / "exercises/01-chroot");
    fs::create_symlink(root_ / "secret.cpp", dir / "exercises/01-chroot/rootfs.cpp");
    const auto contents = read_submission(spec_of(dir), owned_, {});
    const auto& f = file(contents, "01-chroot/rootfs.cpp");
    EXPECT_EQ(f.state, FileState::refused);
    EXPECT_TRUE(contains(f.problem, "symbolic link pointing outside the submission")) << f.problem;
    EXPECT_TRUE(f.content.empty());
}

TEST_F(TempTree, RefusesEvenASymlinkInsideTheSubmission) {
    const auto dir = make_submission("bob");
    fs::create_directories(dir / "exercises/01-chroot");
    fs::create_symlink("../00-process/process.cpp", dir / "exercises/01-chroot/rootfs.cpp");
    const auto contents = read_submission(spec_of(dir), owned_, {});
    const auto& f = file(contents, "01-chroot/rootfs.cpp");
    EXPECT_EQ(f.state, FileState::refused);
    EXPECT_TRUE(contains(f.problem, "only regular files are accepted")) << f.problem;
}

TEST_F(TempTree, RefusesASymlinkedFolder) {
    const auto dir = make_submission("carol");
    fs::create_directories(root_ / "elsewhere");
    write_file(root_ / "elsewhere/rootfs.cpp", "int x;\n");
    fs::create_directory_symlink(root_ / "elsewhere", dir / "exercises/01-chroot");
    const auto contents = read_submission(spec_of(dir), owned_, {});
    const auto& f = file(contents, "01-chroot/rootfs.cpp");
    EXPECT_EQ(f.state, FileState::refused);
    EXPECT_TRUE(contains(f.problem, "exercises/01-chroot, which is a symbolic link")) << f.problem;
}

TEST_F(TempTree, RefusesAnExercisesFolderThatIsALink) {
    const auto dir = root_ / "dave";
    fs::create_directories(dir);
    fs::create_directory_symlink("/etc", dir / "exercises");
    const auto contents = read_submission(spec_of(dir), owned_, {});
    ASSERT_EQ(contents.files.size(), owned_.size());
    for (const auto& f : contents.files) {
        EXPECT_EQ(f.state, FileState::refused) << f.relative;
        EXPECT_TRUE(contains(f.problem, "pointing outside the submission")) << f.problem;
    }
}

TEST_F(TempTree, RefusesWhatIsNotARegularFile) {
    const auto dir = make_submission("erin");
    fs::create_directories(dir / "exercises/01-chroot");
    ASSERT_EQ(mkfifo((dir / "exercises/01-chroot/rootfs.cpp").c_str(), 0644), 0);
    fs::remove(dir / "exercises/00-process/process.hpp");
    fs::create_directories(dir / "exercises/00-process/process.hpp");
    const auto contents = read_submission(spec_of(dir), owned_, {});
    EXPECT_TRUE(contains(file(contents, "01-chroot/rootfs.cpp").problem, "a named pipe, not a regular file"));
    EXPECT_TRUE(contains(file(contents, "00-process/process.hpp").problem, "a folder, not a regular file"));
}

TEST_F(TempTree, RefusesFilesOverTheSizeLimit) {
    const auto dir = make_submission("frank");
    write_file(dir / "exercises/01-chroot/rootfs.cpp", std::string(5000, ' '));
    ReadLimits limits;
    limits.max_file_size = 4096;
    const auto contents = read_submission(spec_of(dir), owned_, limits);
    const auto& f = file(contents, "01-chroot/rootfs.cpp");
    EXPECT_EQ(f.state, FileState::refused);
    EXPECT_TRUE(contains(f.problem, "more than the limit of 4 KiB")) << f.problem;
}

TEST_F(TempTree, RefusesBinaryJunkInASourceFile) {
    const auto dir = make_submission("grace");
    const char junk[] = "int x;\n\x7f" "ELF\x02\x01\x01\x00\x00";
    write_file(dir / "exercises/01-chroot/rootfs.cpp", std::string(junk, sizeof junk - 1));
    const auto contents = read_submission(spec_of(dir), owned_, {});
    const auto& f = file(contents, "01-chroot/rootfs.cpp");
    EXPECT_EQ(f.state, FileState::refused);
    EXPECT_TRUE(contains(f.problem, "is not a text file (byte 0x7F on line 2)")) << f.problem;
}

TEST(SourceProblem, AcceptsOrdinaryCode) {
    EXPECT_FALSE(source_problem("a.cpp", "#include <vector>\n#include \"core/error.hpp\"\n// привет\nint x;\n"));
    EXPECT_FALSE(source_problem("a.cpp", "/* #include \"/etc/passwd\" */\nint x;\n"));
    EXPECT_FALSE(source_problem("a.cpp", "const char* s = \"#include </etc/passwd>\";\n"));
    EXPECT_FALSE(source_problem("a.cpp", "auto s = R\"(\n#include \"/etc/passwd\"\n)\";\n"));
    EXPECT_FALSE(source_problem("notes.txt", std::string("\0\1\2", 3))); // only sources are checked
}

TEST(SourceProblem, RefusesIncludesFromOutside) {
    EXPECT_TRUE(contains(*source_problem("a.cpp", "#include \"/work/main/solutions/00-process/process.cpp\"\n"),
                         "absolute path on line 1"));
    EXPECT_TRUE(contains(*source_problem("a.hpp", "int x;\n  #  include <../../solutions/x.cpp>\n"),
                         "outside its folder on line 2"));
    EXPECT_TRUE(contains(*source_problem("a.cpp", "#inc\\\nlude \"/etc/passwd\"\n"), "absolute path"));
    EXPECT_TRUE(contains(*source_problem("a.cpp", "%:include \"/etc/passwd\"\n"), "absolute path"));
    EXPECT_TRUE(contains(*source_problem("a.cpp", "/* x */ # /* y */ include \"/etc/passwd\"\n"), "absolute path"));
    EXPECT_TRUE(contains(*source_problem("a.cpp", "#define F \"/etc/passwd\"\n#include F\n"), "chosen by a macro"));
    EXPECT_TRUE(contains(*source_problem("a.cpp", "asm(\".incbin \\\"/etc/shadow\\\"\");\n"), ".incbin"));
}

TEST_F(TempTree, FindsOneSubmissionOrAFolderOfThem) {
    make_submission("class/alice");
    make_submission("class/bob");
    fs::create_directories(root_ / "class/carol/nothing-here");
    fs::create_directories(root_ / "class/.hidden");
    // dave unpacked an archive: his files are one folder further down.
    make_submission("class/dave/kubik-main");

    const auto single = find_submissions({root_ / "class/alice"}, "");
    ASSERT_EQ(single.size(), 1u);
    EXPECT_EQ(single[0].student, "alice");

    const auto all = find_submissions({root_ / "class"}, "");
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].student, "alice");
    EXPECT_EQ(all[1].student, "bob");
    EXPECT_EQ(all[2].student, "carol");
    EXPECT_TRUE(contains(all[2].problem, "no exercises/ folder")) << all[2].problem;
    EXPECT_EQ(all[3].student, "dave");
    EXPECT_EQ(all[3].path, root_ / "class/dave/kubik-main");
    EXPECT_TRUE(all[3].problem.empty());

    EXPECT_THROW(find_submissions({root_ / "nope"}, ""), std::invalid_argument);
    const auto twice = find_submissions({root_ / "class/alice", root_ / "class/alice"}, "");
    EXPECT_EQ(twice[1].student, "alice-2");
}

TEST_F(TempTree, ReadsACommitOfAGitRepository) {
    if (access("/usr/bin/git", X_OK) != 0) GTEST_SKIP() << "git is not installed";
    const auto work = make_submission("repo");
    const auto git = [&](const std::string& args) {
        ProcessOptions options;
        options.argv = {"/bin/sh", "-c", "git -C " + work.string() + " " + args};
        options.environment = {"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t",
                               "GIT_COMMITTER_EMAIL=t@t", "GIT_CONFIG_GLOBAL=/dev/null"};
        const auto result = run_process(options);
        ASSERT_TRUE(result.succeeded()) << args << ": " << result.output;
    };
    fs::create_directories(work / "exercises/01-chroot");
    fs::create_symlink("/etc/passwd", work / "exercises/01-chroot/rootfs.cpp");
    git("init -q");
    git("add -A");
    git("commit -q -m one");
    // Uncommitted changes are not what's graded with a revision.
    write_file(work / "exercises/00-process/process.cpp", "uncommitted\n");
    git("clone -q --bare . " + (root_ / "repo.git").string());

    for (const auto& spec : {find_submissions({work}, "HEAD").at(0), find_submissions({root_ / "repo.git"}, "").at(0)}) {
        EXPECT_TRUE(spec.git);
        EXPECT_EQ(spec.student, "repo");
        const auto contents = read_submission(spec, owned_, {});
        ASSERT_TRUE(contents.error.empty()) << contents.error;
        EXPECT_EQ(file(contents, "00-process/process.cpp").content, "int answer() { return 42; }\n");
        EXPECT_EQ(file(contents, "01-chroot/rootfs.cpp").state, FileState::refused);
        EXPECT_TRUE(contains(file(contents, "01-chroot/rootfs.cpp").problem, "symbolic link"));
    }
    SubmissionSpec bad = find_submissions({root_ / "repo.git"}, "").at(0);
    bad.rev = "no-such-branch";
    EXPECT_TRUE(contains(read_submission(bad, owned_, {}).error, "git cannot list no-such-branch"));
}
