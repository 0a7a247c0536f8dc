// The build context: the directory (or tar from stdin) `kubik build` was
// given, seen through its .dockerignore, and the only place COPY and ADD may
// read from.
#pragma once

#include "dockerfile.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::build {

/// .dockerignore, as docker reads it (moby's patternmatcher): one pattern per
/// line, '#' comments, blank lines skipped, paths cleaned (leading '/' and
/// "./" dropped), `*`, `?`, `[...]`, `**` (any number of directories), and
/// `!pattern` exceptions; the last pattern that matches decides.
class IgnoreRules {
public:
    IgnoreRules() = default;
    /// Reads the rules from the text of a .dockerignore.
    static IgnoreRules parse(std::string_view text);
    /// Whether the context-relative path (no leading '/', '/'-separated) is
    /// excluded. A path whose parent directory is excluded is excluded too,
    /// unless an exception pattern may match inside it.
    bool excluded(std::string_view path) const;
    /// Whether some `!` pattern could re-include something under `dir`
    /// (so an excluded directory must still be walked).
    bool may_reinclude_under(std::string_view dir) const;
    /// No patterns at all: nothing is excluded (and no walk needs to ask).
    bool empty() const { return patterns_.empty(); }

private:
    struct Pattern {
        std::string text;
        bool exception = false;
        /// `text` compiled (ignore_rules.cpp), shared by copies of the rules.
        std::shared_ptr<const std::regex> compiled;
        std::size_t components = 0; ///< how many '/'-separated parts `text` has
        bool literal = false;       ///< no wildcard or escape: compared as a string
    };
    std::vector<Pattern> patterns_;
};

/// One source of a COPY/ADD, resolved inside the context.
struct ContextSource {
    std::filesystem::path path;  ///< on the host, inside the context directory
    std::string relative;        ///< its path relative to the context ("" = the root)
    /// The name a copy gets where docker keeps the source's name (a file
    /// to "dir/"): the last component as the source named it, also when that
    /// was a symlink in the context that `path` is the resolved target of.
    std::string name;
};

/// A build context on the host. A tar given on stdin is unpacked into a temp
/// directory owned (and removed) by this object.
class BuildContext {
public:
    /// `dir`: the context directory. Reads DIR/.dockerignore when present;
    /// with `dockerfile` (-f, as read_dockerfile takes it), a file named
    /// after it, "FILE.dockerignore" beside it, is read instead when there
    /// is one (BuildKit's per-Dockerfile ignore file: Dockerfile.dev uses
    /// Dockerfile.dev.dockerignore).
    static BuildContext from_directory(const std::filesystem::path& dir, const std::filesystem::path& dockerfile = {});
    /// Stdin of `kubik build -`: a tar (plain or compressed) is unpacked into
    /// a temp directory below `scratch`; anything else is, as for docker, a
    /// Dockerfile with no context (the directory holds only "Dockerfile").
    static BuildContext from_tar(int fd, const std::filesystem::path& scratch);
    /// The root filesystem of an image or an earlier stage, for `COPY
    /// --from=`: no .dockerignore, and its symlinks are the image's, so an
    /// absolute one ("/usr/lib -> /lib") and ".." are resolved inside
    /// `rootfs` (as RESOLVE_IN_ROOT would) instead of being refused.
    static BuildContext from_image_root(const std::filesystem::path& rootfs);
    /// Takes over `other`'s temp directory, if it owns one.
    BuildContext(BuildContext&&) noexcept;
    /// Removes this context's own temp directory, then takes over `other`'s.
    BuildContext& operator=(BuildContext&&) noexcept;
    ~BuildContext();

    /// The context directory on the host.
    const std::filesystem::path& dir() const { return dir_; }
    /// The .dockerignore rules (empty when there is none).
    const IgnoreRules& ignore() const { return ignore_; }

    /// Expands one COPY/ADD source (already variable-expanded; may hold
    /// wildcards `*`, `?`, `[...]`) to the context paths it names, skipping
    /// excluded ones. Throws kubik::Error naming the source when it leaves
    /// the context ("../x", or a symlink out: "forbidden path outside the
    /// build context: ../x") or matches nothing ("failed to compute cache
    /// key: \"/x\": not found").
    std::vector<ContextSource> resolve(const std::string& source) const;

    /// The digest ("sha256:…") of the sources' content and metadata (names,
    /// modes, uid/gid, symlink targets, file bytes, recursively for
    /// directories, excluded paths left out; mtimes NOT included: docker's
    /// cache ignores them), for StepKeyInput::sources_digest.
    std::string sources_digest(const std::vector<ContextSource>& sources) const;

    /// The Dockerfile's text: `file` relative to the context (default
    /// "Dockerfile"), or an absolute/relative host path given with -f.
    std::string read_dockerfile(const std::filesystem::path& file) const;

    /// Where read_dockerfile(file) reads from.
    std::filesystem::path dockerfile_path(const std::filesystem::path& file) const;

private:
    BuildContext() = default;
    std::filesystem::path dir_;
    std::filesystem::path owned_tmp_; ///< removed in the destructor when set
    IgnoreRules ignore_;
    bool image_root_ = false; ///< from_image_root: symlinks resolve inside dir_

};

/// The names in the context directory `dir` (no "." or ".."), sorted: the
/// digest and the copies walk a directory in an order that doesn't depend on
/// the filesystem. Throws kubik::Error naming the directory.
std::vector<std::string> sorted_entries(const std::filesystem::path& dir);

/// Copies the resolved sources to `dest` in the image (root `root_fd`) as
/// docker's COPY does: several sources or a wildcard need a dest ending in
/// '/' ("When using COPY with more than one source file, the destination must
/// be a directory and end with a /"); a directory source copies its contents;
/// a file to a dest ending in '/' (or an existing directory) keeps its name.
/// Excluded paths inside directories are skipped. Calls the student's
/// copy_into_root() for each copy.
void copy_sources(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                  const std::string& dest, const dockerfile::CopyOptions& options);

/// Whether `path` is a directory in the image whose root is `root_fd`, its
/// symlinks followed inside the root (openat2 RESOLVE_IN_ROOT).
bool is_directory_in_image(int root_fd, const std::string& path);

} // namespace kubik::build
