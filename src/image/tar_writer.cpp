#include "image/tar_writer.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/unique_fd.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace kubik::image {

namespace {

constexpr std::size_t kCopySize = 1 << 20;

struct WriteArchiveDeleter {
    void operator()(archive* a) const noexcept { archive_write_free(a); }
};
struct EntryDeleter {
    void operator()(archive_entry* e) const noexcept { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

// overlayfs keeps its own bookkeeping (opaque, redirect, origin…) in
// trusted.overlay.*: it describes the upper directory, not the files.
bool kept_xattr(std::string_view name) { return !name.starts_with("trusted.overlay."); }

// A file's xattrs, sorted by name so that the tar is the same whatever order
// the filesystem lists them in.
std::vector<std::pair<std::string, std::string>> read_xattrs(const std::string& path) {
    std::vector<std::pair<std::string, std::string>> out;
    std::vector<char> names;
    for (;;) {
        const ssize_t size = ::llistxattr(path.c_str(), nullptr, 0);
        if (size < 0) {
            if (errno == ENOTSUP) return out;
            throw_errno("list the xattrs of " + path);
        }
        if (size == 0) return out;
        names.resize(static_cast<std::size_t>(size));
        const ssize_t got = ::llistxattr(path.c_str(), names.data(), names.size());
        if (got < 0 && errno == ERANGE) continue;  // grew in between
        if (got < 0) throw_errno("list the xattrs of " + path);
        names.resize(static_cast<std::size_t>(got));
        break;
    }
    for (std::size_t at = 0; at < names.size();) {
        std::string name(names.data() + at);
        at += name.size() + 1;
        if (name.empty() || !kept_xattr(name)) continue;
        std::string value;
        for (;;) {
            const ssize_t size = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
            if (size < 0 && errno == ENODATA) break;
            if (size < 0) throw_errno("read the xattr " + name + " of " + path);
            value.resize(static_cast<std::size_t>(size));
            const ssize_t got = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
            if (got < 0 && errno == ERANGE) continue;
            if (got < 0) throw_errno("read the xattr " + name + " of " + path);
            value.resize(static_cast<std::size_t>(got));
            out.emplace_back(name, std::move(value));
            break;
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

struct TarWriter::State {
    int fd;
    std::string what;
    std::unique_ptr<archive, WriteArchiveDeleter> a;
    Sha256 hash;
    std::uint64_t size = 0;
    bool finished = false;
    std::string digest;
    std::string write_error;
    // The first entry of every inode with more than one name.
    std::map<std::pair<dev_t, ino_t>, std::string> links;
    std::vector<char> buffer;

    [[noreturn]] void fail(const std::string& message) const { throw Error(what + ": " + message); }
    std::string reason() const {
        if (!write_error.empty()) return write_error;
        const char* message = archive_error_string(a.get());
        return message ? message : "unknown libarchive error";
    }

    static la_ssize_t write_cb(archive*, void* self_ptr, const void* data, size_t size) {
        auto* self = static_cast<State*>(self_ptr);
        const char* at = static_cast<const char*>(data);
        size_t left = size;
        while (left > 0) {
            const ssize_t n = ::write(self->fd, at, left);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                self->write_error = std::string("write: ") + std::strerror(errno);
                return -1;
            }
            at += n;
            left -= static_cast<size_t>(n);
        }
        self->hash.update(data, size);
        self->size += size;
        return static_cast<la_ssize_t>(size);
    }

    void write_header(archive_entry* e, const std::string& entry_path) {
        if (finished) fail("entry " + entry_path + " added after the end of the archive");
        // ARCHIVE_WARN: written, with a note (a name that isn't valid UTF-8 goes in as bytes).
        if (archive_write_header(a.get(), e) < ARCHIVE_WARN)
            fail("entry " + entry_path + ": " + reason());
    }
};

TarWriter::TarWriter(int fd, std::string what) : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.fd = fd;
    s.what = std::move(what);
    s.a.reset(archive_write_new());
    if (!s.a) s.fail("out of memory");
    // pax only where ustar can't say it (long names, big ids, xattrs): the
    // form docker's and Go's tar writers use.
    if (archive_write_set_format_pax_restricted(s.a.get()) != ARCHIVE_OK ||
        archive_write_add_filter_none(s.a.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(s.a.get(), 64 * 1024) != ARCHIVE_OK ||
        // No padding after the end-of-archive blocks.
        archive_write_set_bytes_in_last_block(s.a.get(), 1) != ARCHIVE_OK)
        s.fail(s.reason());
    if (archive_write_open(s.a.get(), &s, nullptr, &State::write_cb, nullptr) != ARCHIVE_OK)
        s.fail(s.reason());
}

TarWriter::~TarWriter() = default;

void TarWriter::add_from_disk(const std::filesystem::path& disk_path, const std::string& entry_path) {
    State& s = *state_;
    const std::string path = disk_path.string();
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) throw_errno(s.what + ": stat " + path);

    EntryPtr e(archive_entry_new());
    if (!e) s.fail("out of memory");
    std::string name = entry_path;
    if (S_ISDIR(st.st_mode) && !name.empty() && name.back() != '/') name += '/';
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mode(e.get(), st.st_mode);
    archive_entry_set_uid(e.get(), st.st_uid);
    archive_entry_set_gid(e.get(), st.st_gid);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
        auto [it, first] = s.links.try_emplace({st.st_dev, st.st_ino}, entry_path);
        if (!first) {
            archive_entry_set_hardlink(e.get(), it->second.c_str());
            archive_entry_set_size(e.get(), 0);
            s.write_header(e.get(), entry_path);
            return;
        }
    }

    for (const auto& [key, value] : read_xattrs(path))
        archive_entry_xattr_add_entry(e.get(), key.c_str(), value.data(), value.size());

    UniqueFd file;
    if (S_ISREG(st.st_mode)) {
        file.reset(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!file) throw_errno(s.what + ": open " + path);
        archive_entry_set_size(e.get(), st.st_size);
    } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
        const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
        if (n < 0) throw_errno(s.what + ": readlink " + path);
        target.resize(static_cast<std::size_t>(n));
        archive_entry_set_symlink(e.get(), target.c_str());
        archive_entry_set_size(e.get(), 0);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        archive_entry_set_rdevmajor(e.get(), major(st.st_rdev));
        archive_entry_set_rdevminor(e.get(), minor(st.st_rdev));
        archive_entry_set_size(e.get(), 0);
    } else if (S_ISDIR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        archive_entry_set_size(e.get(), 0);
    } else {
        s.fail("entry " + entry_path + ": " + path + " is a socket, which tar can't hold");
    }
    s.write_header(e.get(), entry_path);

    if (file) {
        if (s.buffer.empty()) s.buffer.resize(kCopySize);
        std::int64_t left = st.st_size;
        while (left > 0) {
            const ssize_t n = ::read(file.get(), s.buffer.data(),
                                     std::min<std::size_t>(s.buffer.size(), static_cast<std::size_t>(left)));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_errno(s.what + ": read " + path);
            // A file that shrank while it was read: the header's size is
            // written already, so the tar can't be right any more.
            if (n == 0) s.fail("entry " + entry_path + ": " + path + " shrank while it was read");
            if (archive_write_data(s.a.get(), s.buffer.data(), static_cast<size_t>(n)) != n)
                s.fail("entry " + entry_path + ": " + s.reason());
            left -= n;
        }
    }
}

void TarWriter::add_empty_file(const std::string& entry_path) {
    State& s = *state_;
    EntryPtr e(archive_entry_new());
    if (!e) s.fail("out of memory");
    archive_entry_set_pathname(e.get(), entry_path.c_str());
    archive_entry_set_mode(e.get(), S_IFREG | 0644);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_size(e.get(), 0);
    s.write_header(e.get(), entry_path);
}

void TarWriter::finish() {
    State& s = *state_;
    if (s.finished) return;
    if (archive_write_close(s.a.get()) != ARCHIVE_OK) s.fail(s.reason());
    s.finished = true;
    s.digest = s.hash.digest();
}

const std::string& TarWriter::digest() const {
    if (!state_->finished) throw Error(state_->what + ": digest asked before finish()");
    return state_->digest;
}

std::uint64_t TarWriter::size() const { return state_->size; }

} // namespace kubik::image
