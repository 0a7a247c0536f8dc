#include "image/tar_reader.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace kubik::image {

namespace {

// Big reads: one read(2) per MiB keeps the syscall count far below the
// entry count of a typical layer.
constexpr std::size_t kReadSize = 1 << 20;

struct ArchiveDeleter {
    void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

std::string archive_message(archive* a) {
    const char* message = archive_error_string(a);
    return message ? message : "unknown libarchive error";
}

} // namespace

// Two stages. The outer one sees the bytes of the fd and only decompresses:
// it hashes the bytes as stored, the compressed digest. The inner one, a
// libarchive tar reader with no filters, parses its output, and its read
// callback hashes that, the diff ID. So each byte is read once and both
// digests come out of the same pass.
//
// The outer stage is libarchive (format "raw", every filter) for zstd, xz,
// bzip2 and plain tar, and zlib itself for gzip: libarchive's gzip filter
// does not check the CRC-32 and length in a member's trailer, so a damaged
// stored block would go through unnoticed.
struct TarReader::State {
    ~State() {
        if (gzip) inflateEnd(&z);
    }
    bool gzip = false;
    z_stream z{};
    bool member_done = false;
    std::vector<char> decoded;
    // The first chunk of the fd, read (and hashed) to look at its magic
    // bytes; handed out again by the next read_fd call.
    ssize_t pending = -1;

    int fd;
    std::string what;
    ArchivePtr outer;
    ArchivePtr inner;
    std::vector<char> buffer = std::vector<char>(kReadSize);
    Sha256 compressed_hash;
    Sha256 uncompressed_hash;
    // A plain tar's bytes are the tar: hashing them twice would only cost time.
    bool plain = false;
    std::uint64_t compressed_size = 0;
    std::uint64_t uncompressed_size = 0;
    bool outer_eof = false;
    bool finished = false;
    std::string compressed_digest;
    std::string diff_id;
    // Why a callback failed: libarchive only learns "read callback failed",
    // so the real reason (a read error, a corrupt gzip stream) is kept here.
    std::string callback_error;
    std::string entry_path;  // the entry being read, for messages

    [[noreturn]] void fail(const std::string& message) const {
        throw Error(what + ": " + message);
    }
    [[noreturn]] void fail_entry(const std::string& message) const {
        throw Error(what + ": entry " + entry_path + ": " + message);
    }
    std::string reason(archive* a) const {
        return callback_error.empty() ? archive_message(a) : callback_error;
    }

    static la_ssize_t read_fd(archive* a, void* self_ptr, const void** out) {
        auto* self = static_cast<State*>(self_ptr);
        if (self->pending >= 0) {
            *out = self->buffer.data();
            return std::exchange(self->pending, -1);
        }
        for (;;) {
            const ssize_t n = ::read(self->fd, self->buffer.data(), self->buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                self->callback_error = std::string("read: ") + std::strerror(errno);
                if (a) archive_set_error(a, errno, "%s", self->callback_error.c_str());
                return -1;
            }
            self->compressed_hash.update(self->buffer.data(), static_cast<std::size_t>(n));
            self->compressed_size += static_cast<std::uint64_t>(n);
            *out = self->buffer.data();
            return n;
        }
    }

    static la_ssize_t read_outer(archive* a, void* self_ptr, const void** out) {
        auto* self = static_cast<State*>(self_ptr);
        if (self->outer_eof) return 0;
        size_t size = 0;
        la_int64_t offset = 0;
        const int r = archive_read_data_block(self->outer.get(), out, &size, &offset);
        if (r == ARCHIVE_EOF) {
            self->outer_eof = true;
            return 0;
        }
        if (r < ARCHIVE_WARN) {
            if (self->callback_error.empty())
                self->callback_error = archive_message(self->outer.get());
            archive_set_error(a, EIO, "%s", self->callback_error.c_str());
            return -1;
        }
        if (!self->plain) self->uncompressed_hash.update(*out, size);
        self->uncompressed_size += size;
        return static_cast<la_ssize_t>(size);
    }

    static la_ssize_t read_gzip(archive* a, void* self_ptr, const void** out) {
        auto* self = static_cast<State*>(self_ptr);
        z_stream& z = self->z;
        if (self->outer_eof) return 0;
        auto error = [&](const std::string& message) {
            self->callback_error = message;
            archive_set_error(a, EIO, "%s", message.c_str());
            return la_ssize_t{-1};
        };
        z.next_out = reinterpret_cast<Bytef*>(self->decoded.data());
        z.avail_out = static_cast<uInt>(self->decoded.size());
        while (z.avail_out == self->decoded.size()) {
            if (z.avail_in == 0) {
                const void* raw = nullptr;
                const la_ssize_t n = read_fd(a, self, &raw);
                if (n < 0) return -1;
                if (n == 0) {
                    if (!self->member_done) return error("truncated gzip stream");
                    self->outer_eof = true;
                    break;
                }
                z.next_in = static_cast<Bytef*>(const_cast<void*>(raw));
                z.avail_in = static_cast<uInt>(n);
            }
            if (self->member_done) {
                // gzip streams may be concatenated (RFC 1952, 2.2); anything
                // else after a member is damage, as Docker also says.
                if (z.next_in[0] != 0x1f) return error("data after the end of the gzip stream");
                if (inflateReset(&z) != Z_OK) return error("gzip: inflateReset failed");
                self->member_done = false;
            }
            const int r = inflate(&z, Z_NO_FLUSH);
            if (r == Z_STREAM_END) {
                self->member_done = true;
            } else if (r != Z_OK && !(r == Z_BUF_ERROR && z.avail_in == 0)) {
                return error(std::string("corrupt gzip stream: ") + (z.msg ? z.msg : zError(r)));
            }
        }
        const std::size_t size = self->decoded.size() - z.avail_out;
        self->uncompressed_hash.update(self->decoded.data(), size);
        self->uncompressed_size += size;
        *out = self->decoded.data();
        return static_cast<la_ssize_t>(size);
    }

    static la_ssize_t read_decoded(archive* a, void* self_ptr, const void** out) {
        return static_cast<State*>(self_ptr)->gzip ? read_gzip(a, self_ptr, out) : read_outer(a, self_ptr, out);
    }

    // The tar's end-of-archive blocks, its padding and whatever follows are
    // part of both digests: read everything to the end of the fd.
    void drain() {
        const void* block = nullptr;
        while (!outer_eof) {
            if (read_decoded(inner.get(), this, &block) < 0) fail(reason(inner.get()));
        }
        for (;;) {
            const ssize_t n = read_fd(outer.get(), this, &block);
            if (n < 0) fail(callback_error);
            if (n == 0) break;
        }
        compressed_digest = compressed_hash.digest();
        diff_id = plain ? compressed_digest : uncompressed_hash.digest();
        finished = true;
    }
};

TarReader::TarReader(int fd, std::string what) : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.fd = fd;
    s.what = std::move(what);

    const void* first = nullptr;
    const la_ssize_t n = State::read_fd(nullptr, &s, &first);
    if (n < 0) s.fail(s.callback_error);
    if (n == 0) s.fail("empty stream, not a tar archive");
    if (n >= 2 && s.buffer[0] == '\x1f' && s.buffer[1] == '\x8b') {
        // 16 + MAX_WBITS: gzip framing, header and trailer checked by zlib.
        if (inflateInit2(&s.z, 16 + MAX_WBITS) != Z_OK) s.fail("gzip: inflateInit2 failed");
        s.gzip = true;
        s.z.next_in = reinterpret_cast<Bytef*>(s.buffer.data());
        s.z.avail_in = static_cast<uInt>(n);
        s.decoded.resize(256 * 1024);
    } else {
        s.pending = n;
        s.outer.reset(archive_read_new());
        if (!s.outer) s.fail("out of memory");
        archive_read_support_filter_all(s.outer.get());
        archive_read_support_format_raw(s.outer.get());
        if (archive_read_open(s.outer.get(), &s, nullptr, &State::read_fd, nullptr) != ARCHIVE_OK)
            s.fail(s.reason(s.outer.get()));
        archive_entry* raw_entry = nullptr;
        const int r = archive_read_next_header(s.outer.get(), &raw_entry);
        if (r == ARCHIVE_EOF) s.fail("empty stream, not a tar archive");
        if (r < ARCHIVE_WARN) s.fail(s.reason(s.outer.get()));
        s.plain = archive_filter_count(s.outer.get()) <= 1 ||
                  archive_filter_code(s.outer.get(), 0) == ARCHIVE_FILTER_NONE;
    }

    s.inner.reset(archive_read_new());
    if (!s.inner) s.fail("out of memory");
    archive_read_support_format_tar(s.inner.get());
    archive_read_support_format_gnutar(s.inner.get());
    if (archive_read_open(s.inner.get(), &s, nullptr, &State::read_decoded, nullptr) != ARCHIVE_OK) {
        if (!s.callback_error.empty()) s.fail(s.callback_error);
        s.fail("not a tar archive: " + archive_message(s.inner.get()));
    }
}

TarReader::~TarReader() = default;

bool TarReader::next(TarEntry& entry) {
    State& s = *state_;
    if (s.finished) return false;
    archive_entry* e = nullptr;
    int r;
    do {
        r = archive_read_next_header(s.inner.get(), &e);
    } while (r == ARCHIVE_RETRY);
    if (r == ARCHIVE_EOF) {
        s.drain();
        return false;
    }
    if (r < ARCHIVE_WARN) {
        const std::string where = s.entry_path.empty() ? "" : " after entry " + s.entry_path;
        if (!s.callback_error.empty()) s.fail(s.callback_error + where);
        s.fail("not a valid tar archive" + where + ": " + archive_message(s.inner.get()));
    }
    // ARCHIVE_WARN: a header libarchive could read but not fully convert
    // (a name in another character set): the entry itself is usable.

    const char* path = archive_entry_pathname(e);
    if (!path) path = archive_entry_pathname_utf8(e);
    if (!path) s.fail("an entry" + (s.entry_path.empty() ? "" : " after " + s.entry_path) + " has no name");
    entry = TarEntry{};
    entry.path = path;
    s.entry_path = entry.path;

    const char* hardlink = archive_entry_hardlink(e);
    if (!hardlink) hardlink = archive_entry_hardlink_utf8(e);
    if (hardlink) {
        entry.type = TarEntry::Type::Hardlink;
        entry.link_target = hardlink;
    } else {
        switch (archive_entry_filetype(e)) {
        case AE_IFREG: entry.type = TarEntry::Type::Regular; break;
        case AE_IFDIR: entry.type = TarEntry::Type::Directory; break;
        case AE_IFLNK: {
            entry.type = TarEntry::Type::Symlink;
            const char* target = archive_entry_symlink(e);
            if (!target) target = archive_entry_symlink_utf8(e);
            if (!target) s.fail_entry("symlink without a target");
            entry.link_target = target;
            break;
        }
        case AE_IFCHR: entry.type = TarEntry::Type::CharDevice; break;
        case AE_IFBLK: entry.type = TarEntry::Type::BlockDevice; break;
        case AE_IFIFO: entry.type = TarEntry::Type::Fifo; break;
        default: s.fail_entry("unsupported entry type (socket or unknown)");
        }
    }
    entry.mode = archive_entry_mode(e) & 07777;
    entry.uid = static_cast<uid_t>(archive_entry_uid(e));
    entry.gid = static_cast<gid_t>(archive_entry_gid(e));
    if (archive_entry_mtime_is_set(e)) {
        entry.mtime.tv_sec = archive_entry_mtime(e);
        entry.mtime.tv_nsec = archive_entry_mtime_nsec(e);
    }
    entry.size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
    if (entry.type == TarEntry::Type::CharDevice || entry.type == TarEntry::Type::BlockDevice) {
        entry.dev_major = static_cast<unsigned>(archive_entry_rdevmajor(e));
        entry.dev_minor = static_cast<unsigned>(archive_entry_rdevminor(e));
    }
    if (archive_entry_xattr_reset(e) > 0) {
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
            entry.xattrs.emplace_back(name, std::string(static_cast<const char*>(value), size));
        }
    }
    return true;
}

void TarReader::copy_data(int fd) {
    State& s = *state_;
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    la_int64_t position = 0;
    for (;;) {
        const int r = archive_read_data_block(s.inner.get(), &block, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) s.fail_entry(s.reason(s.inner.get()));
        if (offset != position) {
            // A sparse file: skip the hole, the final ftruncate gives it its size.
            if (::lseek(fd, offset, SEEK_SET) < 0)
                s.fail_entry(std::string("seek in the output: ") + std::strerror(errno));
            position = offset;
        }
        const char* data = static_cast<const char*>(block);
        while (size > 0) {
            const ssize_t n = ::write(fd, data, size);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) s.fail_entry(std::string("write: ") + std::strerror(errno));
            data += n;
            size -= static_cast<size_t>(n);
            position += n;
        }
    }
    // A sparse file that ends in a hole.
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < position) {
        if (::ftruncate(fd, position) < 0)
            s.fail_entry(std::string("truncate the output: ") + std::strerror(errno));
    }
}

std::string TarReader::read_data(std::size_t limit) {
    State& s = *state_;
    std::string out;
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
        const int r = archive_read_data_block(s.inner.get(), &block, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) s.fail_entry(s.reason(s.inner.get()));
        if (offset < 0 || static_cast<std::uint64_t>(offset) + size > limit)
            s.fail_entry("more than " + std::to_string(limit) + " bytes");
        if (static_cast<std::size_t>(offset) > out.size()) out.resize(static_cast<std::size_t>(offset));
        out.append(static_cast<const char*>(block), size);
    }
    return out;
}

const std::string& TarReader::compressed_digest() const {
    if (!state_->finished) throw Error(state_->what + ": compressed digest asked before the end of the stream");
    return state_->compressed_digest;
}

const std::string& TarReader::diff_id() const {
    if (!state_->finished) throw Error(state_->what + ": diff ID asked before the end of the stream");
    return state_->diff_id;
}

std::uint64_t TarReader::compressed_size() const { return state_->compressed_size; }
std::uint64_t TarReader::uncompressed_size() const { return state_->uncompressed_size; }
const std::string& TarReader::what() const { return state_->what; }

} // namespace kubik::image
