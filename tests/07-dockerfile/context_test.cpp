// Lesson 7 — the build context called directly: BuildContext from a
// directory and from a tar on a descriptor, resolve() (wildcards, the
// context boundary, .dockerignore), sources_digest() (content and
// metadata, never mtimes), read_dockerfile(), copy_sources() with docker's
// destination rules, and ADD's archive and URL handling (add_source.hpp).
// Results are checked on disk with lstat, never by what was returned alone.
#include "context_helpers.hpp"

#include "build/add_source.hpp"
#include "build/build_context.hpp"
#include "build/copy_guard.hpp"

#include <algorithm>

namespace kubik::test {
namespace {

using namespace context7;
using kubik::build::BuildContext;
using kubik::build::ContextSource;

std::vector<std::string> relatives(const std::vector<ContextSource>& sources) {
    std::vector<std::string> out;
    for (const auto& s : sources) out.push_back(s.relative);
    return out;
}

// A tar of `dir` made by GNU tar (not by kubik), optionally compressed.
fs::path make_tar(const fs::path& dir, const fs::path& out, const std::string& compress = "") {
    std::vector<std::string> argv = {"/usr/bin/tar", "-C", dir.string(), "-cf", out.string()};
    if (!compress.empty()) argv.insert(argv.begin() + 1, compress);
    argv.push_back(".");
    const auto r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return out;
}

// ---------------------------------------------------------------------------
// From a directory; the Dockerfile

TEST_F(ContextTest, ContextFromDirectoryReadsDockerignore) {
    make_file(context() / ".dockerignore", "secret.txt\n");
    make_file(context() / "secret.txt", "s");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(ctx.dir(), fs::canonical(context()));
    EXPECT_TRUE(ctx.ignore().excluded("secret.txt"));
    EXPECT_FALSE(ctx.ignore().excluded("other.txt"));
}

TEST_F(ContextTest, ContextFromMissingOrFileIsRefusedLikeDocker) {
    std::string err = error_of([&] { (void)BuildContext::from_directory(context() / "nope"); });
    EXPECT_NE(err.find("unable to prepare context: path"), std::string::npos) << err;
    EXPECT_NE(err.find("nope"), std::string::npos) << err;
    EXPECT_EQ(exit_code_of([&] { (void)BuildContext::from_directory(context() / "nope"); }), 1);
    make_file(context() / "file", "x");
    err = error_of([&] { (void)BuildContext::from_directory(context() / "file"); });
    EXPECT_NE(err.find("context must be a directory"), std::string::npos) << err;
}

TEST_F(ContextTest, ReadDockerfileDefaultFileAndExcludedDockerfile) {
    make_file(context() / "Dockerfile", "FROM busybox\n");
    make_file(context() / "other.Dockerfile", "FROM scratch\n");
    // Excluded from COPY, still read by the builder (docker sends both).
    make_file(context() / ".dockerignore", "Dockerfile\n.dockerignore\n*.Dockerfile\n");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(ctx.read_dockerfile(""), "FROM busybox\n");
    EXPECT_EQ(ctx.read_dockerfile("other.Dockerfile"), "FROM scratch\n");
    EXPECT_EQ(ctx.read_dockerfile(context() / "other.Dockerfile"), "FROM scratch\n");
    // ...and not visible to COPY.
    EXPECT_NE(error_of([&] { (void)ctx.resolve("Dockerfile"); }).find("not found"), std::string::npos);

    const std::string err = error_of([&] { (void)ctx.read_dockerfile("missing.Dockerfile"); });
    EXPECT_NE(err.find("failed to read dockerfile"), std::string::npos) << err;
    EXPECT_NE(err.find("missing.Dockerfile"), std::string::npos) << err;
    EXPECT_EQ(exit_code_of([&] { (void)ctx.read_dockerfile("missing.Dockerfile"); }), 1);
}

TEST_F(ContextTest, ContextUsesTheDockerfilesOwnIgnoreFile) {
    make_file(context() / ".dockerignore", "general\n");
    make_file(context() / "Dockerfile.dev", "FROM busybox\n");
    make_file(context() / "Dockerfile.dev.dockerignore", "dev-only\n");
    const BuildContext dev = BuildContext::from_directory(context(), "Dockerfile.dev");
    EXPECT_TRUE(dev.ignore().excluded("dev-only")) << "Dockerfile.dev.dockerignore is Dockerfile.dev's";
    EXPECT_FALSE(dev.ignore().excluded("general")) << "it replaces .dockerignore, as BuildKit does";
    const BuildContext plain = BuildContext::from_directory(context());
    EXPECT_TRUE(plain.ignore().excluded("general"));
    EXPECT_FALSE(plain.ignore().excluded("dev-only"));
}

// ---------------------------------------------------------------------------
// resolve()

TEST_F(ContextTest, ResolvePlainSources) {
    make_file(context() / "app.py", "print()\n");
    make_file(context() / "src/lib/a.py", "a\n");
    const BuildContext ctx = BuildContext::from_directory(context());
    auto s = ctx.resolve("app.py");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].relative, "app.py");
    EXPECT_EQ(s[0].name, "app.py");
    EXPECT_EQ(s[0].path, fs::canonical(context()) / "app.py");
    // Leading '/', "./", trailing '/' and inner ".." are all the context's.
    EXPECT_EQ(relatives(ctx.resolve("/app.py")), std::vector<std::string>{"app.py"});
    EXPECT_EQ(relatives(ctx.resolve("./src/lib/")), std::vector<std::string>{"src/lib"});
    EXPECT_EQ(relatives(ctx.resolve("src/../app.py")), std::vector<std::string>{"app.py"});
    s = ctx.resolve(".");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].relative, "");
    EXPECT_EQ(s[0].path, fs::canonical(context()));
}

TEST_F(ContextTest, ResolveRefusesPathsOutOfTheContext) {
    fs::create_directories(host());
    make_file(host() / "id_rsa", "KEY");
    make_file(context() / "a/x", "x");
    const BuildContext ctx = BuildContext::from_directory(context());
    for (const std::string source : {"../host/id_rsa", "a/../../host/id_rsa", "..", "a/../.."}) {
        const std::string err = error_of([&] { (void)ctx.resolve(source); });
        EXPECT_NE(err.find("forbidden path outside the build context: " + source), std::string::npos)
            << source << ": " << err;
        EXPECT_EQ(exit_code_of([&] { (void)ctx.resolve(source); }), 1) << source;
    }
}

TEST_F(ContextTest, ResolveRefusesSymlinksOutOfTheContext) {
    fs::create_directories(host());
    make_file(host() / "id_rsa", "KEY");
    make_link(context() / "abs", (host() / "id_rsa").string());
    make_link(context() / "rel", "../host/id_rsa");
    make_link(context() / "dirlink", host().string());
    make_link(context() / "sub/deep", "../../host");
    const BuildContext ctx = BuildContext::from_directory(context());
    for (const std::string source : {"abs", "rel", "dirlink/id_rsa", "dirlink", "sub/deep/id_rsa", "d*/id_rsa"}) {
        const std::string err = error_of([&] { (void)ctx.resolve(source); });
        EXPECT_NE(err.find("forbidden path outside the build context"), std::string::npos) << source << ": " << err;
    }
}

TEST_F(ContextTest, ResolveFollowsSymlinksInsideTheContext) {
    make_file(context() / "real/config.yml", "c\n");
    make_link(context() / "conf", "real/config.yml");
    make_link(context() / "abs", (fs::canonical(context()) / "real").string());
    make_link(context() / "real/up", "../real/config.yml");
    const BuildContext ctx = BuildContext::from_directory(context());
    auto s = ctx.resolve("conf");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].relative, "real/config.yml");
    EXPECT_EQ(s[0].name, "conf") << "the copy is named after the source as written";
    EXPECT_EQ(relatives(ctx.resolve("abs/config.yml")), std::vector<std::string>{"real/config.yml"});
    EXPECT_EQ(relatives(ctx.resolve("real/up")), std::vector<std::string>{"real/config.yml"});
}

TEST_F(ContextTest, ResolveWildcards) {
    for (const char* f : {"a.txt", "b.txt", "c.md", "sub/d.txt", "x1", "x2", "y1"}) make_file(context() / f, f);
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(relatives(ctx.resolve("*.txt")), (std::vector<std::string>{"a.txt", "b.txt"}))
        << "'*' does not cross '/', and results are sorted";
    EXPECT_EQ(relatives(ctx.resolve("*/*.txt")), std::vector<std::string>{"sub/d.txt"});
    EXPECT_EQ(relatives(ctx.resolve("x?")), (std::vector<std::string>{"x1", "x2"}));
    EXPECT_EQ(relatives(ctx.resolve("[xy]1")), (std::vector<std::string>{"x1", "y1"}));
    const std::string err = error_of([&] { (void)ctx.resolve("*.go"); });
    EXPECT_NE(err.find("\"/*.go\": not found"), std::string::npos) << err;
}

TEST_F(ContextTest, ResolveMissingSourceSaysNotFound) {
    const BuildContext ctx = BuildContext::from_directory(context());
    const std::string err = error_of([&] { (void)ctx.resolve("requirements.txt"); });
    EXPECT_EQ(err, "failed to compute cache key: \"/requirements.txt\": not found");
    EXPECT_EQ(exit_code_of([&] { (void)ctx.resolve("requirements.txt"); }), 1);
}

TEST_F(ContextTest, ResolveSkipsWhatDockerignoreExcludes) {
    for (const char* f : {"a.log", "b.txt", "c.txt", "keep/x", "drop/y"}) make_file(context() / f, f);
    make_file(context() / ".dockerignore", "*.log\nc.txt\ndrop\n");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_NE(error_of([&] { (void)ctx.resolve("a.log"); }).find("not found"), std::string::npos);
    EXPECT_NE(error_of([&] { (void)ctx.resolve("drop/y"); }).find("not found"), std::string::npos);
    EXPECT_EQ(relatives(ctx.resolve("*.txt")), std::vector<std::string>{"b.txt"});
    EXPECT_EQ(relatives(ctx.resolve("*")), (std::vector<std::string>{".dockerignore", "b.txt", "keep"}));
}

// ---------------------------------------------------------------------------
// sources_digest()

TEST_F(ContextTest, DigestIgnoresMtimesButNotContentModeNamesOrLinks) {
    make_file(context() / "src/a.py", "print(1)\n");
    make_file(context() / "src/b.py", "print(2)\n");
    make_link(context() / "src/link", "a.py");
    const BuildContext ctx = BuildContext::from_directory(context());
    const auto digest = [&] { return ctx.sources_digest(ctx.resolve("src")); };
    const std::string first = digest();
    EXPECT_TRUE(first.starts_with("sha256:") && first.size() == 71) << first;
    EXPECT_EQ(digest(), first) << "the digest is a function of the files";

    set_mtime(context() / "src/a.py", 1000000000);
    set_mtime(context() / "src", 1000000000);
    EXPECT_EQ(digest(), first) << "a touched file (same bytes) must hit the cache";

    make_file(context() / "src/a.py", "print(3)\n");
    const std::string changed = digest();
    EXPECT_NE(changed, first) << "a changed byte must miss";
    make_file(context() / "src/a.py", "print(1)\n");
    EXPECT_EQ(digest(), first);

    ASSERT_EQ(::chmod((context() / "src/a.py").c_str(), 0755), 0);
    EXPECT_NE(digest(), first) << "a mode change is a change (docker's checksums include it)";
    ASSERT_EQ(::chmod((context() / "src/a.py").c_str(), 0644), 0);
    EXPECT_EQ(digest(), first);

    fs::remove(context() / "src/link");
    make_link(context() / "src/link", "b.py");
    EXPECT_NE(digest(), first) << "a symlink's target is part of it";
    fs::remove(context() / "src/link");
    make_link(context() / "src/link", "a.py");
    EXPECT_EQ(digest(), first);

    fs::rename(context() / "src/b.py", context() / "src/c.py");
    EXPECT_NE(digest(), first) << "a renamed file is a change";
}

TEST_F(ContextTest, DigestLeavesExcludedFilesOut) {
    make_file(context() / "src/a.py", "a\n");
    make_file(context() / "src/cache.pyc", "1");
    make_file(context() / ".dockerignore", "**/*.pyc\n");
    std::string first;
    {
        const BuildContext ctx = BuildContext::from_directory(context());
        first = ctx.sources_digest(ctx.resolve("src"));
    }
    make_file(context() / "src/cache.pyc", "2");
    make_file(context() / "src/new.pyc", "3");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(ctx.sources_digest(ctx.resolve("src")), first) << "what docker never sends can't change the key";
}

TEST_F(ContextTest, DigestSeesReincludedFilesDeepInExcludedDirectories) {
    make_file(context() / "logs/a/b/keep.txt", "1");
    make_file(context() / "logs/a/b/drop.txt", "x");
    make_file(context() / ".dockerignore", "logs\n!logs/a/b/keep.txt\n");
    const auto digest = [&] {
        const BuildContext ctx = BuildContext::from_directory(context());
        return ctx.sources_digest(ctx.resolve("."));
    };
    const std::string first = digest();
    make_file(context() / "logs/a/b/drop.txt", "y");
    EXPECT_EQ(digest(), first) << "an excluded file changed";
    make_file(context() / "logs/a/b/keep.txt", "2");
    EXPECT_NE(digest(), first) << "a re-included file three levels below an excluded directory changed";
}

TEST_F(ContextTest, DigestOfDifferentSourceListsDiffers) {
    make_file(context() / "a", "x");
    make_file(context() / "b", "x");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_NE(ctx.sources_digest(ctx.resolve("a")), ctx.sources_digest(ctx.resolve("b")))
        << "same bytes under another name";
    auto ab = ctx.resolve("a");
    const auto b = ctx.resolve("b");
    ab.insert(ab.end(), b.begin(), b.end());
    EXPECT_NE(ctx.sources_digest(ab), ctx.sources_digest(ctx.resolve("a")));
}

// ---------------------------------------------------------------------------
// From a tar (`kubik build -`)

TEST_F(ContextTest, ContextFromTarOnADescriptor) {
    const fs::path src = scratch_.path() / "src";
    make_file(src / "Dockerfile", "FROM busybox\n");
    make_file(src / "app/main.sh", "echo hi\n", 0755);
    make_file(src / ".dockerignore", "*.tmp\n");
    make_file(src / "junk.tmp", "j");
    for (const std::string compress : {"", "-z"}) {
        const fs::path tar = make_tar(src, scratch_.path() / ("ctx" + compress + ".tar"), compress);
        const UniqueFd fd(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
        ASSERT_TRUE(fd);
        const fs::path scratch = scratch_.path() / "tmp";
        fs::path dir;
        {
            const BuildContext ctx = BuildContext::from_tar(fd.get(), scratch);
            dir = ctx.dir();
            EXPECT_TRUE(is_under(dir.string(), scratch)) << dir;
            EXPECT_EQ(ctx.read_dockerfile(""), "FROM busybox\n");
            EXPECT_EQ(slurp(dir / "app/main.sh"), "echo hi\n");
            EXPECT_EQ(lstat_of(dir / "app/main.sh").st_mode & 07777, 0755u);
            EXPECT_TRUE(ctx.ignore().excluded("junk.tmp")) << "the tar's .dockerignore counts";
            EXPECT_EQ(relatives(ctx.resolve("app/*.sh")), std::vector<std::string>{"app/main.sh"});
        }
        EXPECT_FALSE(fs::exists(dir)) << "the unpacked context is removed with the BuildContext";
    }
}

TEST_F(ContextTest, ContextFromBadTarLeavesNothing) {
    // A tar whose entry climbs out: refused, and nothing is left behind.
    const fs::path tar = scratch_.path() / "evil.tar";
    const auto r = run({"/usr/bin/python3", "-c",
                        "import tarfile,io,sys\n"
                        "t=tarfile.open(sys.argv[1],'w')\n"
                        "i=tarfile.TarInfo('../evil'); d=b'x'; i.size=len(d); t.addfile(i, io.BytesIO(d))\n"
                        "t.close()\n",
                        tar.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const UniqueFd fd(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
    const fs::path scratch = scratch_.path() / "tmp";
    const std::string err = error_of([&] { (void)BuildContext::from_tar(fd.get(), scratch); });
    EXPECT_NE(err.find("build context from stdin"), std::string::npos) << err;
    EXPECT_EQ(exit_code_of([&] {
        const UniqueFd again(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
        (void)BuildContext::from_tar(again.get(), scratch);
    }), 1);
    EXPECT_FALSE(fs::exists(scratch_.path() / "evil"));
    EXPECT_TRUE(fs::is_empty(scratch)) << "the half-unpacked context was left behind";

}

TEST_F(ContextTest, ContextFromStdinThatIsNotATarIsADockerfile) {
    // `docker build - < Dockerfile`: a Dockerfile and no context.
    make_file(scratch_.path() / "Dockerfile", "FROM busybox\nRUN true\n");
    const UniqueFd fd(::open((scratch_.path() / "Dockerfile").c_str(), O_RDONLY | O_CLOEXEC));
    const fs::path scratch = scratch_.path() / "tmp";
    fs::path dir;
    {
        const BuildContext ctx = BuildContext::from_tar(fd.get(), scratch);
        dir = ctx.dir();
        EXPECT_EQ(ctx.read_dockerfile(""), "FROM busybox\nRUN true\n");
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
        EXPECT_EQ(names, std::vector<std::string>{"Dockerfile"}) << "the context holds the Dockerfile only";
    }
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_TRUE(fs::is_empty(scratch));
}

// ---------------------------------------------------------------------------
// copy_sources(): docker's destination rules

TEST_F(ContextTest, CopySourcesDirectoryCopiesItsContents) {
    make_file(context() / "src/main.c", "m\n");
    make_file(context() / "src/lib/u.c", "u\n");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("src"), root_fd(), "/app", {}); }), "");
    EXPECT_EQ(slurp(root() / "app/main.c"), "m\n");
    EXPECT_EQ(slurp(root() / "app/lib/u.c"), "u\n");
    EXPECT_FALSE(fs::exists(root() / "app/src")) << "COPY dir copies the directory's contents, not itself";
}

TEST_F(ContextTest, CopySourcesFileKeepsItsNameInADirectory) {
    make_file(context() / "requirements.txt", "flask\n");
    make_file(context() / "conf", "c\n");
    fs::create_directories(root() / "existing");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("requirements.txt"), root_fd(), "/app/", {}); }), "");
    EXPECT_EQ(slurp(root() / "app/requirements.txt"), "flask\n");
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("conf"), root_fd(), "/etc/renamed.conf", {}); }), "");
    EXPECT_EQ(slurp(root() / "etc/renamed.conf"), "c\n") << "without '/', dest is the file's new name";
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("conf"), root_fd(), "/existing", {}); }), "");
    EXPECT_EQ(slurp(root() / "existing/conf"), "c\n") << "an existing directory keeps the name";
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("conf"), root_fd(), "relative/", {}); }), "");
    EXPECT_EQ(slurp(root() / "relative/conf"), "c\n");
}

TEST_F(ContextTest, CopySourcesSymlinkSourceCopiesTheTargetUnderTheLinksName) {
    make_file(context() / "real.conf", "r\n");
    make_link(context() / "app.conf", "real.conf");
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("app.conf"), root_fd(), "/etc/", {}); }), "");
    EXPECT_TRUE(S_ISREG(lstat_of(root() / "etc/app.conf").st_mode));
    EXPECT_EQ(slurp(root() / "etc/app.conf"), "r\n");
}

TEST_F(ContextTest, CopySourcesSeveralNeedADirectory) {
    make_file(context() / "a.txt", "a");
    make_file(context() / "b.txt", "b");
    const BuildContext ctx = BuildContext::from_directory(context());
    const std::string err = sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("*.txt"), root_fd(), "/out", {}); });
    EXPECT_NE(err.find("the destination must be a directory and end with a /"), std::string::npos) << err;
    EXPECT_FALSE(exists_no_follow(root() / "out")) << "nothing is copied before the refusal";
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("*.txt"), root_fd(), "/out/", {}); }), "");
    EXPECT_EQ(slurp(root() / "out/a.txt"), "a");
    EXPECT_EQ(slurp(root() / "out/b.txt"), "b");
}

TEST_F(ContextTest, CopySourcesLeavesOutWhatDockerignoreExcludes) {
    for (const char* f : {"app.py", "README.md", "docs/x.md", "node_modules/m/i.js", "src/a.pyc", "src/a.py",
                          "logs/keep.log", "logs/drop.log"})
        make_file(context() / f, f);
    make_file(context() / ".dockerignore", "**/*.md\n!README.md\nnode_modules\n**/*.pyc\nlogs\n!logs/keep.log\n");
    ASSERT_EQ(::chmod((context() / "src").c_str(), 0750), 0);
    const BuildContext ctx = BuildContext::from_directory(context());
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("."), root_fd(), "/app", {}); }), "");
    for (const char* kept : {"app/app.py", "app/README.md", "app/src/a.py", "app/logs/keep.log", "app/.dockerignore"})
        EXPECT_TRUE(exists_no_follow(root() / kept)) << kept << " should have been copied";
    for (const char* gone : {"app/docs/x.md", "app/node_modules", "app/src/a.pyc", "app/logs/drop.log"})
        EXPECT_FALSE(exists_no_follow(root() / gone)) << gone << " is excluded by .dockerignore";
    EXPECT_EQ(lstat_of(root() / "app/src").st_mode & 07777, 0750u)
        << "a directory with excluded entries still gets its own mode";
}

// ---------------------------------------------------------------------------
// ADD: archives and URLs

TEST_F(ContextTest, AddRefusesUrls) {
    using kubik::build::is_url;
    EXPECT_TRUE(is_url("http://example.com/a.tar.gz"));
    EXPECT_TRUE(is_url("https://example.com/x"));
    EXPECT_TRUE(is_url("git@github.com:moby/moby.git"));
    EXPECT_FALSE(is_url("app.tar.gz"));
    EXPECT_FALSE(is_url("dir/http:x"));
    const std::string err = error_of([] { kubik::build::refuse_url("https://example.com/app.tgz"); });
    EXPECT_EQ(err, "ADD from a URL is not supported offline: https://example.com/app.tgz");
    EXPECT_EQ(exit_code_of([] { kubik::build::refuse_url("https://example.com/app.tgz"); }), 1);
    EXPECT_EQ(error_of([] { kubik::build::refuse_url("local.tar"); }), "");
}

TEST_F(ContextTest, AddArchiveDetectionIsByContent) {
    const fs::path src = scratch_.path() / "src";
    make_file(src / "a", "a");
    EXPECT_TRUE(kubik::build::is_archive(make_tar(src, context() / "plain.tar")));
    EXPECT_TRUE(kubik::build::is_archive(make_tar(src, context() / "z.tar.gz", "-z")));
    EXPECT_TRUE(kubik::build::is_archive(make_tar(src, context() / "j.tar.bz2", "-j")));
    EXPECT_TRUE(kubik::build::is_archive(make_tar(src, context() / "J.tar.xz", "-J")));
    EXPECT_TRUE(kubik::build::is_archive(make_tar(src, context() / "no-extension", "-z")));
    make_file(context() / "fake.tar.gz", "just text\n");
    EXPECT_FALSE(kubik::build::is_archive(context() / "fake.tar.gz")) << "a name is not a format";
    ASSERT_EQ(run({"/bin/sh", "-c", "echo hello | gzip > " + (context() / "hello.gz").string()}).exit_code, 0);
    EXPECT_FALSE(kubik::build::is_archive(context() / "hello.gz")) << "gzip of a text file: copied, not unpacked";
    EXPECT_FALSE(kubik::build::is_archive(context())) << "a directory";
    make_file(context() / "empty", "");
    EXPECT_FALSE(kubik::build::is_archive(context() / "empty"));
}

TEST_F(ContextTest, AddExtractsArchiveInsideTheImageRoot) {
    const fs::path src = scratch_.path() / "src";
    make_file(src / "bin/tool", "#!/bin/sh\n", 0755);
    make_file(src / "share/doc", "d\n", 0600);
    make_link(src / "share/link", "/bin/tool");
    ASSERT_EQ(::chown((src / "share/doc").c_str(), 1234, 5678), 0);
    set_mtime(src / "share/doc", 1111111111);
    const fs::path tar = make_tar(src, context() / "pkg.tar.xz", "-J");
    // /opt -> / in the image: the archive lands in the image's "/".
    fs::create_directories(host());
    make_link(root() / "opt", "/");
    make_link(root() / "hostlink", host().string());
    EXPECT_EQ(sandbox([&] { kubik::build::extract_archive(tar, root_fd(), "/opt/pkg"); }), "");
    EXPECT_EQ(slurp(root() / "pkg/bin/tool"), "#!/bin/sh\n");
    EXPECT_EQ(lstat_of(root() / "pkg/bin/tool").st_mode & 07777, 0755u);
    const auto doc = lstat_of(root() / "pkg/share/doc");
    EXPECT_EQ(doc.st_uid, 1234u) << "an unpacked archive keeps its owners";
    EXPECT_EQ(doc.st_gid, 5678u);
    EXPECT_EQ(doc.st_mode & 07777, 0600u);
    EXPECT_EQ(doc.st_mtim.tv_sec, 1111111111);
    EXPECT_EQ(link_target(root() / "pkg/share/link"), "/bin/tool");

    EXPECT_EQ(sandbox([&] { kubik::build::extract_archive(tar, root_fd(), "/hostlink"); }), "");
    EXPECT_TRUE(fs::is_empty(host())) << "the archive was unpacked on the host";
    EXPECT_TRUE(exists_no_follow(root() / host().relative_path() / "bin/tool"));
}

TEST_F(ContextTest, AddRefusesArchiveEntriesThatLeave) {
    fs::create_directories(host());
    const fs::path tar = context() / "evil.tar";
    const auto r = run({"/usr/bin/python3", "-c",
                        "import tarfile,io,sys\n"
                        "t=tarfile.open(sys.argv[1],'w')\n"
                        "l=tarfile.TarInfo('esc'); l.type=tarfile.SYMTYPE; l.linkname=sys.argv[2]; t.addfile(l)\n"
                        "i=tarfile.TarInfo('esc/pwned'); d=b'x'; i.size=len(d); t.addfile(i, io.BytesIO(d))\n"
                        "t.close()\n",
                        tar.string(), host().string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const std::string err = sandbox([&] { kubik::build::extract_archive(tar, root_fd(), "/x"); });
    EXPECT_NE(err.find("evil.tar"), std::string::npos) << err;
    EXPECT_NE(err.find("esc/pwned"), std::string::npos) << err;
    EXPECT_TRUE(fs::is_empty(host())) << "an entry was written through the archive's own symlink";
}

TEST_F(ContextTest, AddSourcesUnpacksArchivesAndCopiesTheRest) {
    const fs::path src = scratch_.path() / "src";
    make_file(src / "lib/a.so", "elf\n");
    make_tar(src, context() / "vendor.tar.gz", "-z");
    make_file(context() / "notes.txt", "n\n");
    make_file(context() / "fake.tar", "not a tar\n");
    const BuildContext ctx = BuildContext::from_directory(context());
    auto sources = ctx.resolve("vendor.tar.gz");
    for (const char* more : {"notes.txt", "fake.tar"}) {
        const auto s = ctx.resolve(more);
        sources.insert(sources.end(), s.begin(), s.end());
    }
    const std::string err = sandbox([&] { kubik::build::add_sources(ctx, sources, root_fd(), "/opt", {}); });
    EXPECT_NE(err.find("When using ADD with more than one source file, the destination must be a directory and end with a /"),
              std::string::npos) << err;
    EXPECT_FALSE(exists_no_follow(root() / "opt"));

    EXPECT_EQ(sandbox([&] { kubik::build::add_sources(ctx, sources, root_fd(), "/opt/", {}); }), "");
    EXPECT_EQ(slurp(root() / "opt/lib/a.so"), "elf\n") << "the archive is unpacked at dest";
    EXPECT_FALSE(exists_no_follow(root() / "opt/vendor.tar.gz"));
    EXPECT_EQ(slurp(root() / "opt/notes.txt"), "n\n");
    EXPECT_EQ(slurp(root() / "opt/fake.tar"), "not a tar\n") << "a file that is not a tar is copied";

    // One archive, dest without '/': still a directory it is unpacked into.
    EXPECT_EQ(sandbox([&] { kubik::build::add_sources(ctx, ctx.resolve("vendor.tar.gz"), root_fd(), "/srv/vendor", {}); }), "");
    EXPECT_EQ(slurp(root() / "srv/vendor/lib/a.so"), "elf\n");
}

// ---------------------------------------------------------------------------
// The guard around COPY and ADD (copy_guard.hpp)

TEST_F(ContextTest, GuardedCopySeesTheHostReadOnlyButWritesThroughRootFd) {
    fs::create_directories(host());
    const fs::path on_host = host() / "written-by-path";
    const std::string err = error_of([&] {
        kubik::build::run_with_readonly_host([&] {
            const UniqueFd fd(::open(on_host.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
            if (!fd) kubik::throw_errno("create " + on_host.string());
        });
    });
    EXPECT_NE(err.find("Read-only file system"), std::string::npos) << err;
    EXPECT_FALSE(exists_no_follow(on_host)) << "a copy reached a host path by its name";

    EXPECT_EQ(error_of([&] {
        kubik::build::run_with_readonly_host([&] {
            const UniqueFd fd(::openat(root_fd(), "through-fd", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
            if (!fd) kubik::throw_errno("create through-fd in the root");
            // Temporary files still work: a tmpfs of the child's own.
            std::string tmpl = (fs::temp_directory_path() / "kubik-guard-XXXXXX").string();
            if (::mkdtemp(tmpl.data()) == nullptr) kubik::throw_errno("mkdtemp " + tmpl);
        });
    }), "");
    EXPECT_TRUE(exists_no_follow(root() / "through-fd"));
}

TEST_F(ContextTest, GuardedCopyRethrowsErrorsWithTheirExitCodeAndStubs) {
    EXPECT_EQ(exit_code_of([] { kubik::build::run_with_readonly_host([] { throw kubik::Error("bad copy", 1); }); }), 1);
    EXPECT_EQ(error_of([] { kubik::build::run_with_readonly_host([] { throw kubik::Error("bad copy", 1); }); }),
              "bad copy");
    std::string stub;
    try {
        kubik::build::run_with_readonly_host([] { throw kubik::NotImplemented("not implemented yet: lesson 7"); });
    } catch (const kubik::NotImplemented& e) {
        stub = e.what();
    }
    EXPECT_EQ(stub, "not implemented yet: lesson 7") << "a stub's message must reach the student unchanged";
}

// ---------------------------------------------------------------------------
// COPY --from: an image's root as the context

TEST_F(ContextTest, ImageRootResolvesItsSymlinksInsideIt) {
    const fs::path rootfs = scratch_.path() / "stage";
    make_file(rootfs / "usr/lib/libx.so", "x\n");
    make_link(rootfs / "lib", "/usr/lib");
    make_link(rootfs / "up", "../../../..");
    fs::create_directories(host());
    make_file(host() / "libx.so", "host's\n");
    const BuildContext ctx = BuildContext::from_image_root(rootfs);
    EXPECT_EQ(relatives(ctx.resolve("/lib/libx.so")), std::vector<std::string>{"usr/lib/libx.so"})
        << "an absolute link of the image is the image's path";
    EXPECT_EQ(relatives(ctx.resolve("up/usr/lib/libx.so")), std::vector<std::string>{"usr/lib/libx.so"})
        << "'..' stops at the image's root";
    EXPECT_EQ(relatives(ctx.resolve("../../usr/lib/libx.so")), std::vector<std::string>{"usr/lib/libx.so"});
    EXPECT_EQ(sandbox([&] { kubik::build::copy_sources(ctx, ctx.resolve("/lib/libx.so"), root_fd(), "/app/", {}); }), "");
    EXPECT_EQ(slurp(root() / "app/libx.so"), "x\n");
    // The rootfs's own .dockerignore-named file is not read: an image has none.
    make_file(rootfs / ".dockerignore", "usr\n");
    EXPECT_FALSE(BuildContext::from_image_root(rootfs).ignore().excluded("usr"));
}

} // namespace
} // namespace kubik::test
