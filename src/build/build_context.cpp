// The build context: where it comes from (a directory, or a tar on stdin),
// what of it COPY and ADD may name, and the digest the cache keys them by.
//
// The boundary is the point of a context: a Dockerfile is often someone
// else's, and `COPY ../../.ssh /k` or a symlink `data -> /etc` in a cloned
// repository must not put the builder's host files into an image that may
// be pushed anywhere. Docker's legacy builder refuses such paths ("Forbidden
// path outside the build context"); kubik does the same, for ".." and for
// symlinks on the way that lead out, and never follows a symlink inside a
// copied directory at all (copy.cpp copies it as a link).
#include "build/build_context.hpp"

#include "build/add_source.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/sha256.hpp"
#include "core/unique_fd.hpp"
#include "image/layer_root.hpp"
#include "image/tar_reader.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <system_error>

namespace kubik::build {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> components_of(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string part(path.substr(start, end - start));
        if (!part.empty() && part != ".") parts.push_back(std::move(part));
        start = end + 1;
    }
    return parts;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
    return out;
}

[[noreturn]] void outside(const std::string& source, const std::string& detail = {}) {
    throw Error("forbidden path outside the build context: " + source + detail, kExitGeneric);
}

[[noreturn]] void not_found(const std::string& source) {
    // BuildKit's words, so that a search for the message finds docker's answers.
    std::string shown = source;
    if (shown.empty() || shown.front() != '/') shown = "/" + shown;
    throw Error("failed to compute cache key: \"" + shown + "\": not found", kExitGeneric);
}

bool has_wildcards(std::string_view text) { return text.find_first_of("*?[") != std::string_view::npos; }

// Appends a field with its length, so that no two different sequences of
// fields hash the same bytes ("ab","c" vs "a","bc").
void field(Sha256& hash, std::string_view value) {
    const std::string size = std::to_string(value.size()) + ":";
    hash.update(size);
    hash.update(value);
}

void hash_file_content(Sha256& hash, const fs::path& path) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw_errno("open " + path.string() + " in the build context");
    Sha256 content;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read " + path.string() + " in the build context");
        }
        if (n == 0) break;
        content.update(buf, static_cast<std::size_t>(n));
    }
    field(hash, content.digest());
}

void hash_children(Sha256& hash, const fs::path& dir, const std::string& relative, const IgnoreRules& ignore);

// One entry and, for a directory, everything in it that the context holds.
void hash_tree(Sha256& hash, const fs::path& path, const std::string& relative, const IgnoreRules& ignore) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) throw_errno("stat " + path.string() + " in the build context");
    char type = '?';
    if (S_ISREG(st.st_mode)) type = 'f';
    else if (S_ISDIR(st.st_mode)) type = 'd';
    else if (S_ISLNK(st.st_mode)) type = 'l';
    else if (S_ISFIFO(st.st_mode)) type = 'p';
    else if (S_ISCHR(st.st_mode)) type = 'c';
    else if (S_ISBLK(st.st_mode)) type = 'b';
    field(hash, std::string(1, type));
    field(hash, std::to_string(st.st_mode & 07777));
    field(hash, std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid));
    // No mtime, no inode, no atime: a `touch` or a fresh `git clone` must
    // not invalidate the cache (docker's content-based checksums).
    if (type == 'f') {
        field(hash, std::to_string(st.st_size));
        hash_file_content(hash, path);
    } else if (type == 'l') {
        char link[PATH_MAX];
        const ssize_t n = ::readlink(path.c_str(), link, sizeof link);
        if (n < 0) throw_errno("readlink " + path.string() + " in the build context");
        field(hash, std::string_view(link, static_cast<std::size_t>(n)));
    } else if (type == 'c' || type == 'b') {
        field(hash, std::to_string(st.st_rdev));
    } else if (type == 'd') {
        hash_children(hash, path, relative, ignore);
        field(hash, "end");
    }
}

// The entries of a directory that the context holds, by name. An excluded
// directory that an exception may re-include below is walked for those
// (copy_sources copies them), at any depth.
void hash_children(Sha256& hash, const fs::path& dir, const std::string& relative, const IgnoreRules& ignore) {
    for (const auto& name : sorted_entries(dir)) {
        const std::string child = relative.empty() ? name : relative + "/" + name;
        if (ignore.excluded(child)) {
            struct stat st {};
            const bool is_dir = ::lstat((dir / name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
            if (!is_dir || !ignore.may_reinclude_under(child)) continue;
            field(hash, "x");
            field(hash, name);
            hash_children(hash, dir / name, child, ignore);
            field(hash, "end");
            continue;
        }
        field(hash, name);
        hash_tree(hash, dir / name, child, ignore);
    }
}

} // namespace

BuildContext BuildContext::from_directory(const fs::path& dir, const fs::path& dockerfile) {
    std::error_code ec;
    const fs::file_status status = fs::status(dir, ec);
    if (!fs::exists(status)) throw Error("unable to prepare context: path \"" + dir.string() + "\" not found", kExitGeneric);
    if (!fs::is_directory(status))
        throw Error("unable to prepare context: context must be a directory: " + dir.string(), kExitGeneric);
    BuildContext context;
    // Canonical: every boundary check compares against this one spelling.
    context.dir_ = fs::canonical(dir);
    fs::path ignore_file = context.dir_ / ".dockerignore";
    const fs::path own = context.dockerfile_path(dockerfile).string() + ".dockerignore";
    if (fs::is_regular_file(own, ec)) ignore_file = own;
    if (fs::is_regular_file(ignore_file, ec)) context.ignore_ = IgnoreRules::parse(read_file(ignore_file));
    return context;
}

BuildContext BuildContext::from_tar(int fd, const fs::path& scratch) {
    fs::create_directories(scratch);
    std::string tmpl = (scratch / "context-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw_errno("create a directory for the build context in " + scratch.string());
    BuildContext context;
    context.owned_tmp_ = tmpl; // removed by ~BuildContext, also when this throws
    const fs::path raw = context.owned_tmp_ / "stdin";
    const fs::path dir = context.owned_tmp_ / "context";
    fs::create_directory(dir);
    // Stdin is read to a file first: a pipe can be read once, and what it
    // holds decides what it is. `docker build - < Dockerfile` is a Dockerfile
    // and no context; `tar c . | docker build -` a context.
    {
        const UniqueFd out(::open(raw.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!out) throw_errno("create " + raw.string());
        char buf[1 << 16];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw_errno("read the build context from stdin");
            }
            if (n == 0) break;
            for (ssize_t done = 0; done < n;) {
                const ssize_t w = ::write(out.get(), buf + done, static_cast<std::size_t>(n - done));
                if (w < 0) {
                    if (errno == EINTR) continue;
                    throw_errno("write " + raw.string());
                }
                done += w;
            }
        }
    }
    if (is_archive(raw)) {
        try {
            // LayerRoot is the layer unpacker: no entry can be written outside
            // the directory, whatever its name or the symlinks before it.
            const UniqueFd in(::open(raw.c_str(), O_RDONLY | O_CLOEXEC));
            if (!in) throw_errno("open " + raw.string());
            image::TarReader tar(in.get(), "build context from stdin");
            image::LayerRoot root(dir);
            image::TarEntry entry;
            while (tar.next(entry)) root.extract(entry, tar);
            root.finish();
        } catch (const Error& e) {
            throw Error(std::string("read the build context from stdin: ") + e.what(), kExitGeneric);
        }
        fs::remove(raw);
    } else {
        fs::rename(raw, dir / "Dockerfile");
    }
    context.dir_ = fs::canonical(dir);
    std::error_code ec;
    const fs::path ignore_file = context.dir_ / ".dockerignore";
    if (fs::is_regular_file(ignore_file, ec)) context.ignore_ = IgnoreRules::parse(read_file(ignore_file));
    return context;
}

BuildContext BuildContext::from_image_root(const fs::path& rootfs) {
    std::error_code ec;
    if (!fs::is_directory(rootfs, ec)) throw Error("the image's root " + rootfs.string() + " is not a directory", kExitGeneric);
    BuildContext context;
    context.dir_ = fs::canonical(rootfs);
    context.image_root_ = true;
    return context;
}

BuildContext::BuildContext(BuildContext&& other) noexcept
    : dir_(std::move(other.dir_)), owned_tmp_(std::exchange(other.owned_tmp_, {})), ignore_(std::move(other.ignore_)),
      image_root_(other.image_root_) {}

BuildContext& BuildContext::operator=(BuildContext&& other) noexcept {
    if (this != &other) {
        if (!owned_tmp_.empty()) remove_tree_quietly(owned_tmp_);
        dir_ = std::move(other.dir_);
        owned_tmp_ = std::exchange(other.owned_tmp_, {});
        ignore_ = std::move(other.ignore_);
        image_root_ = other.image_root_;
    }
    return *this;
}

BuildContext::~BuildContext() {
    if (!owned_tmp_.empty()) remove_tree_quietly(owned_tmp_);
}

// `relative` (cleaned, no "..") with every symlink on the way resolved the
// way the host would, refused when one leads out of the context. Returns
// the context-relative path of what it names (which may not exist). With
// `in_root` (an image's root filesystem), the symlinks are the image's: an
// absolute one starts again at `dir`, and ".." stops there.
static std::string resolve_in_context(const fs::path& dir, const std::string& relative, const std::string& source,
                                      bool in_root) {
    std::vector<std::string> pending = components_of(relative);
    std::reverse(pending.begin(), pending.end()); // a stack: back() is next
    std::vector<std::string> resolved;
    int links = 0;
    std::string via; // the last symlink followed, for the error
    while (!pending.empty()) {
        std::string part = std::move(pending.back());
        pending.pop_back();
        if (part == "..") {
            if (resolved.empty() && in_root) continue;
            if (resolved.empty()) outside(source, via);
            resolved.pop_back();
            continue;
        }
        resolved.push_back(part);
        const fs::path host = dir / joined(resolved);
        struct stat st {};
        if (::lstat(host.c_str(), &st) != 0) {
            if (errno != ENOENT && errno != ENOTDIR) throw_errno("stat " + host.string());
            // Missing: the rest can't be resolved further; the caller says "not found".
            while (!pending.empty()) {
                resolved.push_back(pending.back());
                pending.pop_back();
            }
            break;
        }
        if (!S_ISLNK(st.st_mode)) continue;
        if (++links > 40) throw Error("resolve " + source + " in the build context: too many levels of symbolic links", kExitGeneric);
        char buf[PATH_MAX];
        const ssize_t n = ::readlink(host.c_str(), buf, sizeof buf);
        if (n < 0) throw_errno("readlink " + host.string());
        const std::string target(buf, static_cast<std::size_t>(n));
        const std::string link = joined(resolved);
        via = " (" + link + " -> " + target + ")";
        resolved.pop_back();
        std::vector<std::string> next;
        if (!target.empty() && target.front() == '/' && in_root) {
            resolved.clear();
            next = components_of(target);
        } else if (!target.empty() && target.front() == '/') {
            // An absolute link names a host path: fine while it stays in the context.
            const fs::path lexical = fs::path(target).lexically_normal();
            const fs::path rel = lexical.lexically_relative(dir);
            if (rel.empty() || *rel.begin() == "..") outside(source, via);
            resolved.clear();
            next = components_of(rel.string());
        } else {
            next = components_of(target);
        }
        // A ".." too many in a relative link is caught above ("via" says which link).
        for (auto it = next.rbegin(); it != next.rend(); ++it) pending.push_back(*it);
    }
    return joined(resolved);
}

std::vector<ContextSource> BuildContext::resolve(const std::string& source) const {
    // Sources are relative to the context's root, also when written with a
    // leading '/' (docker: "COPY /a /b" copies CONTEXT/a).
    const fs::path cleaned = fs::path("/" + source).lexically_normal();
    // lexically_normal keeps ".." at the root ("/../x"): that is the escape.
    std::string relative = cleaned.relative_path().string();
    if (!image_root_) {
        // ".." counted lexically: "a/../../x" leaves the context. (In an
        // image's root, ".." stops at "/", as the kernel's does.)
        int depth = 0;
        for (const auto& part : components_of(source)) {
            depth += part == ".." ? -1 : 1;
            if (depth < 0) outside(source);
        }
    }
    while (!relative.empty() && relative.back() == '/') relative.pop_back();
    if (relative == ".") relative.clear();

    std::vector<std::string> candidates;
    if (!has_wildcards(relative)) {
        candidates.push_back(relative);
    } else {
        // Expand one component at a time: '*' never crosses a '/', as in
        // Go's filepath.Match that docker uses.
        std::vector<std::string> level = {""};
        for (const auto& part : components_of(relative)) {
            std::vector<std::string> next;
            for (const auto& prefix : level) {
                const std::string joined_prefix = prefix.empty() ? part : prefix + "/" + part;
                if (!has_wildcards(part)) {
                    next.push_back(joined_prefix);
                    continue;
                }
                const std::string real = resolve_in_context(dir_, prefix, source, image_root_);
                struct stat st {};
                const fs::path host = dir_ / real;
                if (::stat(host.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
                for (const auto& name : sorted_entries(host)) {
                    if (::fnmatch(part.c_str(), name.c_str(), FNM_PATHNAME) == 0)
                        next.push_back(prefix.empty() ? name : prefix + "/" + name);
                }
            }
            level = std::move(next);
        }
        candidates = std::move(level);
    }

    std::vector<ContextSource> found;
    for (const auto& candidate : candidates) {
        const std::string real = resolve_in_context(dir_, candidate, source, image_root_);
        const fs::path host = real.empty() ? dir_ : dir_ / real;
        struct stat st {};
        if (::lstat(host.c_str(), &st) != 0) continue;
        // What .dockerignore leaves out was never sent to docker's builder:
        // for COPY it does not exist.
        const bool dir = S_ISDIR(st.st_mode);
        auto hidden = [&](const std::string& rel) {
            return !rel.empty() && ignore_.excluded(rel) && !(dir && ignore_.may_reinclude_under(rel));
        };
        if (hidden(candidate) || hidden(real)) continue;
        ContextSource s;
        s.path = host;
        s.relative = real;
        const auto parts = components_of(candidate);
        s.name = parts.empty() ? "" : parts.back();
        found.push_back(std::move(s));
    }
    if (found.empty()) not_found(source);
    return found;
}

std::string BuildContext::sources_digest(const std::vector<ContextSource>& sources) const {
    Sha256 hash;
    for (const auto& source : sources) {
        field(hash, "source");
        field(hash, source.name);
        field(hash, source.relative);
        hash_tree(hash, source.path, source.relative, ignore_);
    }
    return hash.digest();
}

fs::path BuildContext::dockerfile_path(const fs::path& file) const {
    fs::path path;
    if (file.empty()) {
        path = dir_ / "Dockerfile";
        // docker also takes a "dockerfile" when there is no "Dockerfile".
        std::error_code ec;
        if (!fs::exists(path, ec) && fs::exists(dir_ / "dockerfile", ec)) path = dir_ / "dockerfile";
    } else if (file.is_absolute()) {
        path = file;
    } else {
        // -f is relative to the current directory (docker's CLI), except
        // that a context from stdin only has its own files; then the context.
        std::error_code ec;
        path = owned_tmp_.empty() && fs::exists(file, ec) ? file : dir_ / file;
    }
    return path;
}

std::string BuildContext::read_dockerfile(const fs::path& file) const {
    const fs::path path = dockerfile_path(file);
    std::error_code ec;
    const std::string shown = file.empty() ? std::string("Dockerfile") : file.string();
    if (!fs::exists(path, ec))
        throw Error("failed to read dockerfile: open " + shown + ": no such file or directory", kExitGeneric);
    if (fs::is_directory(path, ec))
        throw Error("failed to read dockerfile: read " + shown + ": is a directory", kExitGeneric);
    try {
        return read_file(path);
    } catch (const Error& e) {
        throw Error(std::string("failed to read dockerfile: ") + e.what(), kExitGeneric);
    }
}

std::vector<std::string> sorted_entries(const fs::path& dir) {
    std::vector<std::string> names;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) throw_errno("read the directory " + dir.string() + " of the build context");
    while (dirent* entry = ::readdir(d.get())) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace kubik::build
