// ADD's two extras over COPY (add_source.hpp). Docker's ADD also fetches
// URLs and git repositories; kubik builds offline, so it says so instead of
// failing on a DNS lookup halfway through a build.
#include "build/add_source.hpp"

#include "build/copy_guard.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"
#include "dockerfile.hpp"
#include "image/layer_root.hpp"
#include "image/tar_reader.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace kubik::build {

namespace fs = std::filesystem;

// The work of extract_archive and add_sources, in the guarded child.
void extract_archive_unguarded(const fs::path& path, int root_fd, const std::string& dest);
void add_sources_unguarded(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                           const std::string& dest, const dockerfile::CopyOptions& options);

bool is_url(std::string_view source) {
    if (source.starts_with("git@")) return true;
    const std::size_t scheme = source.find("://");
    if (scheme == std::string_view::npos || scheme == 0) return false;
    for (char c : source.substr(0, scheme)) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                        c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

void refuse_url(std::string_view source) {
    if (is_url(source))
        throw Error("ADD from a URL is not supported offline: " + std::string(source), kExitGeneric);
}

bool is_archive(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return false;
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return false;
    try {
        // TarReader decodes the compressions docker's ADD knows (and lz4,
        // which docker does not: rare enough not to matter) and refuses
        // what is not a tar, from the first block.
        image::TarReader tar(fd.get(), path.string());
        image::TarEntry entry;
        (void)tar.next(entry);
        return true;
    } catch (const Error&) {
        return false;
    }
}

void extract_archive(const fs::path& path, int root_fd, const std::string& dest) {
    // Through copy_into_root and as root: see copy_guard.hpp.
    run_with_readonly_host([&] { extract_archive_unguarded(path, root_fd, dest); });
}

void extract_archive_unguarded(const fs::path& path, int root_fd, const std::string& dest) {
    // dest, made if missing, resolved inside the image's root: the student's
    // copy_into_root does exactly that for a directory source, and an empty
    // directory copies nothing else.
    {
        std::string tmpl = (fs::temp_directory_path() / "kubik-add-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw_errno("create a temporary directory");
        struct Remove {
            std::string p;
            ~Remove() { ::rmdir(p.c_str()); }
        } remove{tmpl};
        if (::chmod(tmpl.c_str(), 0755) != 0) throw_errno("chmod " + tmpl);
        dockerfile::copy_into_root(tmpl, root_fd, dest, {});
    }
    open_how how{};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const UniqueFd dir(static_cast<int>(::syscall(SYS_openat2, root_fd, dest.c_str(), &how, sizeof how)));
    if (!dir) throw_errno("open " + dest + " in the image");
    // LayerRoot opens by name: the descriptor's own (/proc/self/fd/N), so no
    // symlink of the image is followed again, and the mount is the one the
    // descriptor is on (the builder's writable one, in a guarded child too).
    const fs::path target = "/proc/self/fd/" + std::to_string(dir.get());

    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw_errno("open " + path.string());
    try {
        image::TarReader tar(fd.get(), "archive " + path.filename().string());
        image::LayerRoot root(target);
        image::TarEntry entry;
        while (tar.next(entry)) root.extract(entry, tar);
        root.finish();
    } catch (const Error& e) {
        throw Error(std::string("ADD ") + path.filename().string() + " to " + dest + ": " + e.what(), kExitGeneric);
    }
}

void add_sources(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                 const std::string& dest_text, const dockerfile::CopyOptions& options) {
    run_with_readonly_host([&] { add_sources_unguarded(context, sources, root_fd, dest_text, options); });
}

void add_sources_unguarded(const BuildContext& context, const std::vector<ContextSource>& sources, int root_fd,
                           const std::string& dest_text, const dockerfile::CopyOptions& options) {
    const std::string dest = dest_text.empty() || dest_text.front() != '/' ? "/" + dest_text : dest_text;
    const bool several = sources.size() > 1;
    // COPY's refusal, in ADD's words, before anything is written.
    if (several && !dest.ends_with('/') && !is_directory_in_image(root_fd, dest))
        throw Error("When using ADD with more than one source file, the destination must be a directory and end with a /",
                    kExitGeneric);
    for (const auto& source : sources) {
        if (is_archive(source.path)) extract_archive(source.path, root_fd, dest);
        else copy_sources(context, {source}, root_fd, several && !dest.ends_with('/') ? dest + "/" : dest, options);
    }
}

} // namespace kubik::build
