// COPY's destination rules, as docker applies them, on top of the student's
// copy_into_root() (solutions/07-dockerfile/copy.cpp), which copies one
// source to one exact path:
//   - a directory source copies its CONTENTS, not itself: `COPY src /app`
//     gives /app/main.c, never /app/src/main.c;
//   - a file goes to dest/NAME when dest ends in '/' or is a directory in the
//     image already, else to dest itself (a rename);
//   - more than one source needs a directory: docker refuses
//     `COPY a b /dest` unless /dest ends in '/' (or already is a directory);
//   - what .dockerignore leaves out of a copied directory is not copied:
//     docker never even sent it to the builder.
#include "build/build_context.hpp"

#include "build/copy_guard.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace kubik::build {

namespace fs = std::filesystem;

namespace {

bool is_host_directory(const fs::path& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string child_of(const std::string& relative, const std::string& name) {
    return relative.empty() ? name : relative + "/" + name;
}

std::string image_child(const std::string& dest, const std::string& name) {
    return dest.ends_with('/') ? dest + name : dest + "/" + name;
}

// An empty directory with `like`'s mode and mtime, removed when it goes:
// copied with copy_into_root, it makes (or merges into) a directory in the
// image without its excluded contents.
class EmptyDirectoryLike {
public:
    explicit EmptyDirectoryLike(const fs::path& like) {
        std::string tmpl = (fs::temp_directory_path() / "kubik-copy-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw_errno("create a temporary directory");
        path_ = tmpl;
        struct stat st {};
        if (::lstat(like.c_str(), &st) != 0) throw_errno("stat " + like.string());
        if (::chmod(path_.c_str(), st.st_mode & 07777) != 0) throw_errno("chmod " + path_.string());
        const timespec times[2] = {st.st_mtim, st.st_mtim};
        if (::utimensat(AT_FDCWD, path_.c_str(), times, 0) != 0) throw_errno("set the mtime of " + path_.string());
    }
    ~EmptyDirectoryLike() { ::rmdir(path_.c_str()); }
    EmptyDirectoryLike(const EmptyDirectoryLike&) = delete;
    EmptyDirectoryLike& operator=(const EmptyDirectoryLike&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

struct FilteredCopy {
    const IgnoreRules& ignore;
    int root_fd;
    const dockerfile::CopyOptions& options;

    // Whether something below `host` (context path `relative`) is excluded.
    bool excludes_below(const fs::path& host, const std::string& relative) const {
        if (ignore.empty()) return false;
        for (const auto& name : sorted_entries(host)) {
            const std::string child = child_of(relative, name);
            if (ignore.excluded(child)) return true;
            if (is_host_directory(host / name) && excludes_below(host / name, child)) return true;
        }
        return false;
    }

    // The directory `host` to `dest`, without what is excluded.
    void tree(const fs::path& host, const std::string& relative, const std::string& dest) const {
        if (!excludes_below(host, relative)) {
            dockerfile::copy_into_root(host, root_fd, dest, options);
            return;
        }
        const bool existed = is_directory_in_image(root_fd, dest);
        {
            const EmptyDirectoryLike empty(host);
            dockerfile::copy_into_root(empty.path(), root_fd, dest, options);
        }
        children(host, relative, dest);
        // Its children changed its mtime: give it the source's again, as
        // copy_into_root does for the directories it makes (an existing one
        // is merged into and keeps its own).
        if (!existed) set_mtime_in_image(dest, host);
    }

    void set_mtime_in_image(const std::string& dest, const fs::path& host) const {
        struct stat st {};
        if (::lstat(host.c_str(), &st) != 0) throw_errno("stat " + host.string() + " in the build context");
        open_how how{};
        how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        const UniqueFd dir(static_cast<int>(::syscall(SYS_openat2, root_fd, dest.c_str(), &how, sizeof how)));
        const timespec times[2] = {st.st_mtim, st.st_mtim};
        if (!dir || ::futimens(dir.get(), times) != 0) throw_errno("set the mtime of " + dest + " in the image");
    }

    // The entries of `host` that are not excluded, each to dest/NAME.
    void children(const fs::path& host, const std::string& relative, const std::string& dest) const {
        for (const auto& name : sorted_entries(host)) {
            const std::string child = child_of(relative, name);
            const bool dir = is_host_directory(host / name);
            if (ignore.excluded(child)) {
                // An excluded directory with an exception below it: only the
                // re-included paths, their parents made on the way.
                if (dir && ignore.may_reinclude_under(child)) children(host / name, child, image_child(dest, name));
                continue;
            }
            if (dir) tree(host / name, child, image_child(dest, name));
            else dockerfile::copy_into_root(host / name, root_fd, image_child(dest, name), options);
        }
    }
};

} // namespace

void copy_sources_unguarded(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                            const std::string& dest, const dockerfile::CopyOptions& options);

bool is_directory_in_image(int root_fd, const std::string& path) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how)));
    struct stat st {};
    return fd && ::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode);
}

void copy_sources(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                  const std::string& dest_text, const dockerfile::CopyOptions& options) {
    // The student's copy_into_root writes as root: see copy_guard.hpp.
    run_with_readonly_host([&] { copy_sources_unguarded(context, sources, root_fd, dest_text, options); });
}

void copy_sources_unguarded(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                            const std::string& dest_text, const dockerfile::CopyOptions& options) {
    // The builder joins a relative dest with WORKDIR; what is left relative
    // here is relative to the image's root.
    std::string dest = dest_text.empty() || dest_text.front() != '/' ? "/" + dest_text : dest_text;
    const bool into_directory = dest.ends_with('/') || is_directory_in_image(root_fd, dest);
    if (sources.size() > 1 && !into_directory)
        throw Error("When using COPY with more than one source file, the destination must be a directory and end with a /",
                    kExitGeneric);
    const FilteredCopy copy{context.ignore(), root_fd, options};
    for (const auto& source : sources) {
        if (is_host_directory(source.path)) {
            // Its contents, into dest (made if missing).
            copy.tree(source.path, source.relative, dest);
        } else if (into_directory) {
            const std::string name = source.name.empty() ? source.path.filename().string() : source.name;
            dockerfile::copy_into_root(source.path, root_fd, image_child(dest, name), options);
        } else {
            dockerfile::copy_into_root(source.path, root_fd, dest, options);
        }
    }
}

} // namespace kubik::build
