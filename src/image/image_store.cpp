#include "image/image_store.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"
#include "core/sha256.hpp"
#include "core/unique_fd.hpp"
#include "image/busybox_rootfs.hpp"
#include "image/layer_root.hpp"
#include "image/tar_reader.hpp"
#include "image/tar_writer.hpp"
#include "layers.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <tuple>

namespace fs = std::filesystem;
using nlohmann::json;

namespace kubik {

namespace {

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kIndexType = "application/vnd.oci.image.index.v1+json";
constexpr const char* kConfigType = "application/vnd.oci.image.config.v1+json";
constexpr const char* kLayerTar = "application/vnd.oci.image.layer.v1.tar";
constexpr const char* kDockerManifestType = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kDockerListType = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr const char* kNameAnnotation = "io.containerd.image.name";
constexpr const char* kRefAnnotation = "org.opencontainers.image.ref.name";
// Metadata files of an archive are read whole; a layer never is.
constexpr std::size_t kMaxJson = 64u << 20;

std::string now_rfc3339() {
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now - secs).count();
    std::time_t t = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lldZ", static_cast<long long>(nanos));
    return std::string(buf) + frac;
}

std::string random_chars(std::size_t n, const char* alphabet) {
    std::string alpha = alphabet;
    std::string out;
    unsigned char bytes[64];
    while (out.size() < n) {
        if (::getrandom(bytes, sizeof bytes, 0) < 0) {
            if (errno == EINTR) continue;
            throw_errno("getrandom");
        }
        for (unsigned char b : bytes)
            // Rejection keeps every letter equally likely.
            if (b < 256 - 256 % alpha.size() && out.size() < n) out += alpha[b % alpha.size()];
    }
    return out;
}

std::string hex_of(const std::string& digest) { return digest_hex(digest); }

std::string short_id(const std::string& digest) { return digest_hex(digest).substr(0, 12); }

json parse_json(const std::string& text, const std::string& what) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw Error(what + ": not valid JSON: " + e.what());
    }
}

// Atomic replace with a name of its own, so a writer that died mid-way can't
// leave a ".tmp" another writer would trip over.
void write_atomic(const fs::path& path, std::string_view data) {
    fs::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid()) + "-" + random_chars(6, "abcdefghijklmnopqrstuvwxyz");
    try {
        write_file(tmp, data, /*durable=*/true);
        if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("rename " + tmp.string());
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
}

// Removes a temp file or tree when it goes, unless kept.
class TempGuard {
public:
    explicit TempGuard(fs::path path) : path_(std::move(path)) {}
    ~TempGuard() {
        if (!path_.empty()) remove_tree_quietly(path_);
    }
    TempGuard(const TempGuard&) = delete;
    TempGuard& operator=(const TempGuard&) = delete;
    const fs::path& path() const { return path_; }
    void keep() { path_.clear(); }

private:
    fs::path path_;
};

// The media type of a layer blob, from its first bytes.
std::string layer_media_type(const fs::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + file.string());
    unsigned char magic[4] = {};
    ssize_t n = ::pread(fd.get(), magic, sizeof magic, 0);
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return std::string(kLayerTar) + "+gzip";
    if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        return std::string(kLayerTar) + "+zstd";
    return kLayerTar;
}

// write(2) of all `n` bytes to the file `path`, or an error naming it (a
// full disk must fail the copy, not shorten it).
void write_fully(int fd, const char* data, std::size_t n, const fs::path& path) {
    while (n > 0) {
        ssize_t w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw_errno("write " + path.string());
        data += w;
        n -= static_cast<std::size_t>(w);
    }
}

// Copies `in` to a new file `out`, without looking at the bytes: the caller
// unpacks the copy, and the unpacking hashes it. copy_file_range(2) copies
// inside the kernel (one copy between page caches, a reflink where the file
// system has them) instead of read(2) into this process and write(2) back
// out; a pipe (`kubik import -`) or an old kernel takes the plain loop.
std::uint64_t copy_to_file(int in, const fs::path& out, const Progress& progress, std::uint64_t total) {
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) throw_errno("create " + out.string());
    std::uint64_t done = 0;
    for (;;) {
        ssize_t n = ::copy_file_range(in, nullptr, fd.get(), nullptr, 8 << 20, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && done == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                                   errno == EBADF))
            break;  // not two regular files it can join: the loop below
        if (n < 0) throw_errno("copy to " + out.string());
        if (n == 0) return done;
        done += static_cast<std::uint64_t>(n);
        if (progress) progress(done, total);
    }
    std::string buf(1 << 20, '\0');
    for (;;) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read");
        if (n == 0) return done;
        write_fully(fd.get(), buf.data(), static_cast<std::size_t>(n), out);
        done += static_cast<std::uint64_t>(n);
        if (progress) progress(done, total);
    }
}

// Copies `in` to a new file `out` while hashing it.
std::pair<std::string, std::uint64_t> copy_hashing(int in, const fs::path& out, const Progress& progress,
                                                   std::uint64_t total) {
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) throw_errno("create " + out.string());
    Sha256 sha;
    std::uint64_t done = 0;
    std::string buf(1 << 20, '\0');
    for (;;) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read");
        if (n == 0) break;
        sha.update(buf.data(), static_cast<std::size_t>(n));
        write_fully(fd.get(), buf.data(), static_cast<std::size_t>(n), out);
        done += static_cast<std::uint64_t>(n);
        if (progress) progress(done, total);
    }
    return {sha.digest(), done};
}

std::string hash_file(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + path.string());
    Sha256 sha;
    std::string buf(1 << 20, '\0');
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read " + path.string());
        if (n == 0) break;
        sha.update(buf.data(), static_cast<std::size_t>(n));
    }
    return sha.digest();
}

std::uint64_t total_of(int fd) {
    struct stat st{};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return static_cast<std::uint64_t>(st.st_size);
    return 0;
}

// Bytes of the files below `dir`, each inode once (a layer's hardlinks share one).
std::uint64_t tree_size(const fs::path& dir) {
    std::uint64_t size = 0;
    std::set<std::pair<dev_t, ino_t>> seen;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        struct stat st{};
        if (::lstat(it->path().c_str(), &st) != 0) continue;
        if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) continue;
        if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
        size += static_cast<std::uint64_t>(st.st_size);
    }
    return size;
}

// A layer made from a directory: entries sorted by name, each directory
// before what it holds, so the same tree always gives the same bytes.
void write_tree(image::TarWriter& out, const fs::path& disk, const std::string& prefix) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(disk)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        fs::path child = disk / name;
        std::string entry = prefix.empty() ? name : prefix + "/" + name;
        out.add_from_disk(child, entry);
        if (fs::is_directory(fs::symlink_status(child))) write_tree(out, child, entry);
    }
}

// ChainID(L0) = DiffID(L0); above it, the lesson's chain_id() of the pair
// (parent chain ID, diff ID), which by the definition is the chain ID of the
// whole stack. A one-layer image thus never calls lesson 4's code.
std::string chain_of(const std::string& parent, const std::string& diff_id) {
    if (parent.empty()) return diff_id;
    try {
        return layers::chain_id({parent, diff_id});
    } catch (const NotImplemented& e) {
        throw Error(std::string("an image of more than one layer needs lesson 4's chain_id(): ") + e.what());
    }
}

std::vector<std::string> diff_ids_of(const json& config, const std::string& what) {
    auto rootfs = config.find("rootfs");
    if (rootfs == config.end() || !rootfs->is_object() || !rootfs->contains("diff_ids") ||
        !(*rootfs)["diff_ids"].is_array())
        throw Error(what + ": the image config has no rootfs.diff_ids");
    std::vector<std::string> ids;
    for (const auto& id : (*rootfs)["diff_ids"]) {
        if (!id.is_string() || !is_sha256_digest(id.get<std::string>()))
            throw Error(what + ": bad diff ID " + id.dump() + " in the image config");
        ids.push_back(id.get<std::string>());
    }
    return ids;
}

std::string full_ref(const std::string& tag_ref) {
    ImageRef ref = ImageRef::parse(tag_ref);
    ref.name = ImageRef::full_name(ref.name);
    return ref.str();
}

std::string familiar_ref(const std::string& text) {
    ImageRef ref = ImageRef::parse(text);
    ref.name = ImageRef::familiar_name(ref.name);
    return ref.str();
}

} // namespace

// ---------------------------------------------------------------------------
// repositories.json: {"repositories": {"name:tag": manifest digest},
//                     "images": {manifest digest: image ID}}. The second map
// holds every image, tagged or not (an untagged one is docker's <none>), and
// its ID, so that a lookup by ID reads one file.

struct ImageStore::Index {
    std::map<std::string, std::string> repos;
    std::map<std::string, std::string> images;
};

ImageStore::ImageStore(fs::path root) : root_(std::move(root)), dir_(root_ / "store") {
    struct stat st{};
    if (::stat((root_ / "images").c_str(), &st) == 0 && S_ISDIR(st.st_mode)) migrate_old_store();
}

ImageStore::Index ImageStore::read_index() const {
    Index index;
    fs::path path = dir_ / "repositories.json";
    UniqueFd probe(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!probe) {
        if (errno == ENOENT) return index;
        throw_errno("open " + path.string());
    }
    probe.reset();
    json doc = parse_json(read_file(path), path.string());
    try {
        if (doc.contains("repositories"))
            index.repos = doc["repositories"].get<std::map<std::string, std::string>>();
        if (doc.contains("images")) index.images = doc["images"].get<std::map<std::string, std::string>>();
    } catch (const json::exception& e) {
        throw Error(path.string() + ": " + e.what());
    }
    return index;
}

void ImageStore::write_index(const Index& index) {
    json doc = {{"repositories", index.repos}, {"images", index.images}};
    write_atomic(dir_ / "repositories.json", doc.dump(2) + "\n");
}

// ---------------------------------------------------------------------------
// Building blocks.

ImageStore::Lock::Lock(const ImageStore& store) {
    fs::create_directories(store.dir_);
    fs::path path = store.dir_ / "lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw_errno("open " + path.string());
    while (::flock(fd_, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd_);
        throw_errno("lock " + path.string(), err);
    }
}

ImageStore::Lock::~Lock() {
    if (fd_ >= 0) ::close(fd_);
}

fs::path ImageStore::blob_path(const std::string& digest) const {
    return dir_ / "blobs" / "sha256" / hex_of(digest);
}

bool ImageStore::has_blob(const std::string& digest) const {
    return ::access(blob_path(digest).c_str(), F_OK) == 0;
}

std::string ImageStore::add_blob(std::string_view data) {
    std::string digest = sha256_digest(data);
    if (has_blob(digest)) return digest;
    fs::create_directories(dir_ / "blobs" / "sha256");
    write_atomic(blob_path(digest), data);
    return digest;
}

void ImageStore::adopt_blob(const fs::path& tmp, const std::string& digest) {
    if (has_blob(digest)) {
        ::unlink(tmp.c_str());
        return;
    }
    fs::create_directories(dir_ / "blobs" / "sha256");
    if (::rename(tmp.c_str(), blob_path(digest).c_str()) != 0) throw_errno("rename " + tmp.string());
}

fs::path ImageStore::temp_path(const std::string& hint) const {
    fs::create_directories(dir_ / "tmp");
    return dir_ / "tmp" /
           (hint + "-" + std::to_string(::getpid()) + "-" + random_chars(8, "abcdefghijklmnopqrstuvwxyz0123456789"));
}

std::optional<Layer> ImageStore::find_layer(const std::string& chain_id) const {
    fs::path dir = dir_ / "layers" / hex_of(chain_id);
    std::string text;
    try {
        text = read_file(dir / "meta.json");
    } catch (const Error&) {
        return std::nullopt;
    }
    json meta = parse_json(text, (dir / "meta.json").string());
    Layer layer;
    layer.chain_id = chain_id;
    layer.diff_id = meta.value("diff_id", "");
    layer.dir = dir / "diff";
    layer.link = meta.value("link", "");
    layer.size = meta.value("size", std::uint64_t{0});
    return layer;
}

// Moves the unpacked layer `tmp` (holding diff/) in as `chain_id`: its
// meta.json and short link first, the rename last, so a layer directory
// that exists is always complete.
Layer ImageStore::install_layer(const fs::path& tmp, const std::string& chain_id, const std::string& parent,
                                const std::string& diff_id) {
    fs::path final_dir = dir_ / "layers" / hex_of(chain_id);
    fs::create_directories(dir_ / "layers");
    fs::create_directories(dir_ / "l");
    Layer layer;
    layer.chain_id = chain_id;
    layer.diff_id = diff_id;
    layer.dir = final_dir / "diff";
    layer.size = tree_size(tmp / "diff");
    // Like docker's overlay2 l/ directory: 26 bytes of lowerdir per layer
    // instead of ~90, so dozens of layers fit in one page of mount options.
    fs::path link_path;
    for (int attempt = 0;; ++attempt) {
        layer.link = random_chars(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        link_path = dir_ / "l" / layer.link;
        std::string target = "../layers/" + hex_of(chain_id) + "/diff";
        if (::symlink(target.c_str(), link_path.c_str()) == 0) break;
        if (errno != EEXIST || attempt > 10) throw_errno("symlink " + link_path.string());
    }
    try {
        json meta = {{"diff_id", diff_id}, {"parent", parent}, {"size", layer.size}, {"link", layer.link}};
        write_file(tmp / "meta.json", meta.dump(2) + "\n", /*durable=*/true);
        if (::rename(tmp.c_str(), final_dir.c_str()) != 0) throw_errno("rename " + tmp.string());
    } catch (...) {
        ::unlink(link_path.c_str());
        throw;
    }
    return layer;
}

// Unpacks the layer tar read from `fd` into `tmp`/diff (lesson 4's
// apply_layer); returns its diff ID and the digest of the bytes read.
std::pair<std::string, std::string> ImageStore::unpack_layer(int fd, const fs::path& tmp, const std::string& what) {
    fs::create_directories(tmp / "diff");
    image::TarReader tar(fd, what);
    image::LayerRoot root(tmp / "diff");
    try {
        layers::apply_layer(tar, root);
    } catch (const NotImplemented& e) {
        throw Error(std::string("unpacking a layer needs lesson 4's apply_layer(): ") + e.what());
    }
    root.finish();
    return {tar.diff_id(), tar.compressed_digest()};
}

Layer ImageStore::add_layer(const std::string& blob_digest, const std::string& parent_chain_id,
                            const std::string& expected_diff_id) {
    return add_layer_impl(blob_digest, parent_chain_id, expected_diff_id, nullptr);
}

Layer ImageStore::add_layer_impl(const std::string& blob_digest, const std::string& parent_chain_id,
                                 const std::string& expected_diff_id, bool* created) {
    if (created) *created = false;
    if (!parent_chain_id.empty() && !find_layer(parent_chain_id))
        throw Error("layer " + blob_digest + ": its parent layer " + parent_chain_id + " is not in the store");
    if (!expected_diff_id.empty())
        if (auto have = find_layer(chain_of(parent_chain_id, expected_diff_id))) return *have;

    TempGuard tmp(temp_path("layer"));
    // Name the layer both ways: the manifest knows it by its blob's digest,
    // the config (and `kubik image inspect`) by its diff ID.
    std::string what = "layer " + blob_digest;
    if (!expected_diff_id.empty() && expected_diff_id != blob_digest) what += " (diff ID " + expected_diff_id + ")";
    UniqueFd blob(::open(blob_path(blob_digest).c_str(), O_RDONLY | O_CLOEXEC));
    if (!blob) throw_errno(what + ": open " + blob_path(blob_digest).string());
    std::string diff_id = unpack_layer(blob.get(), tmp.path(), what).first;
    if (!expected_diff_id.empty() && diff_id != expected_diff_id)
        throw Error(what + ": diff ID mismatch: the image config says " + expected_diff_id + ", the tar is " +
                    diff_id);
    std::string chain_id = chain_of(parent_chain_id, diff_id);
    if (auto have = find_layer(chain_id)) return *have;
    Layer layer = install_layer(tmp.path(), chain_id, parent_chain_id, diff_id);
    tmp.keep();
    if (created) *created = true;
    return layer;
}

void ImageStore::delete_layer(const std::string& chain_id) {
    auto layer = find_layer(chain_id);
    fs::path dir = dir_ / "layers" / hex_of(chain_id);
    if (layer && !layer->link.empty()) ::unlink((dir_ / "l" / layer->link).c_str());
    // Out of the way first (one rename), so nobody finds half a layer.
    fs::path gone = temp_path("gone");
    if (::rename(dir.c_str(), gone.c_str()) == 0) remove_tree_quietly(gone);
}

// Stores config and manifest blobs for an image whose layer blobs are in.
std::string ImageStore::register_image(const json& config_doc,
                                       const std::vector<std::pair<std::string, std::string>>& layer_blobs,
                                       std::vector<std::string>* added_blobs) {
    auto add = [&](const std::string& data) {
        std::string digest = sha256_digest(data);
        bool had = has_blob(digest);
        add_blob(data);
        if (!had && added_blobs) added_blobs->push_back(digest);
        return digest;
    };
    std::string config_text = config_doc.dump();
    std::string config_digest = add(config_text);
    json layers_json = json::array();
    for (const auto& [digest, media_type] : layer_blobs) {
        struct stat st{};
        if (::stat(blob_path(digest).c_str(), &st) != 0) throw_errno("stat blob " + digest);
        layers_json.push_back({{"mediaType", media_type}, {"digest", digest}, {"size", st.st_size}});
    }
    json manifest = {
        {"schemaVersion", 2},
        {"mediaType", kManifestType},
        {"config", {{"mediaType", kConfigType}, {"digest", config_digest}, {"size", config_text.size()}}},
        {"layers", layers_json},
    };
    return add(manifest.dump());
}

Image ImageStore::add_image(const json& config_doc, const std::vector<std::pair<std::string, std::string>>& layer_blobs,
                            const std::vector<ImageRef>& tags) {
    std::string manifest_digest = register_image(config_doc, layer_blobs, nullptr);
    Index index = read_index();
    json manifest = parse_json(read_file(blob_path(manifest_digest)), "manifest " + manifest_digest);
    index.images[manifest_digest] = manifest["config"]["digest"].get<std::string>();
    for (const auto& tag : tags)
        if (!tag.name.empty()) index.repos[tag.str()] = manifest_digest;
    write_index(index);
    return load_image(index, manifest_digest);
}

// ---------------------------------------------------------------------------
// Reading.

std::optional<std::string> ImageStore::resolve(const Index& index, const std::string& reference) const {
    auto by_id = [&](std::string prefix) -> std::optional<std::string> {
        if (prefix.starts_with("sha256:")) prefix.erase(0, 7);
        if (prefix.empty() || prefix.size() > 64 ||
            prefix.find_first_not_of("0123456789abcdef") != std::string::npos)
            return std::nullopt;
        std::optional<std::string> found;
        std::string found_id;
        for (const auto& [manifest, id] : index.images) {
            if (!digest_hex(id).starts_with(prefix)) continue;
            if (found && found_id != id)
                throw Error("multiple IDs found with provided prefix: " + prefix, kExitGeneric);
            if (!found) found = manifest, found_id = id;
        }
        return found;
    };
    if (reference.starts_with("sha256:")) return by_id(reference);
    std::optional<ImageRef> ref;
    try {
        ref = ImageRef::parse(reference);
    } catch (const Error&) {
        if (auto m = by_id(reference)) return m;
        throw;
    }
    if (!ref->digest.empty()) {
        if (index.images.count(ref->digest)) return ref->digest;
    } else if (auto it = index.repos.find(ref->str()); it != index.repos.end()) {
        return it->second;
    }
    if (reference.find_first_not_of("0123456789abcdef") == std::string::npos) return by_id(reference);
    return std::nullopt;
}

Image ImageStore::load_image(const Index& index, const std::string& manifest_digest) const {
    Image image;
    image.manifest_digest = manifest_digest;
    std::string what = "image " + manifest_digest;
    json manifest = parse_json(read_file(blob_path(manifest_digest)), "manifest " + manifest_digest);
    image.id = manifest.at("config").at("digest").get<std::string>();
    image.config_doc = parse_json(read_file(blob_path(image.id)), "config " + image.id);
    try {
        image.config = image_config_from_json(image.config_doc);
    } catch (const json::exception& e) {
        throw Error("config " + image.id + ": " + e.what());
    }
    image.created = image.config_doc.value("created", "");
    std::string parent;
    for (const auto& diff_id : diff_ids_of(image.config_doc, what)) {
        std::string chain = chain_of(parent, diff_id);
        auto layer = find_layer(chain);
        if (!layer) throw Error(what + ": layer " + chain + " is missing from the store (`kubik image prune` "
                                "cannot fix this; remove the image and load it again)");
        image.size += layer->size;
        image.layers.push_back(*layer);
        parent = chain;
    }
    for (const auto& [tag, digest] : index.repos)
        if (digest == manifest_digest) image.tags.push_back(tag);
    return image;
}

Image ImageStore::find(const std::string& reference) const {
    Index index = read_index();
    auto manifest = resolve(index, reference);
    if (!manifest) {
        std::string shown = reference;
        try {
            shown = ImageRef::parse(reference).str();
        } catch (const Error&) {
        }
        throw Error("Unable to find image '" + shown + "' locally");
    }
    return load_image(index, *manifest);
}

bool ImageStore::exists(const std::string& reference) const {
    try {
        return resolve(read_index(), reference).has_value();
    } catch (const Error&) {
        return false;
    }
}

std::vector<Image> ImageStore::list() const {
    Index index = read_index();
    std::vector<Image> images;
    for (const auto& [manifest, id] : index.images) images.push_back(load_image(index, manifest));
    std::stable_sort(images.begin(), images.end(),
                     [](const Image& a, const Image& b) { return a.created > b.created; });
    return images;
}

std::vector<Layer> ImageStore::unused_layers(const std::set<std::string>& in_use_chain_ids) const {
    Index index = read_index();
    std::set<std::string> needed = in_use_chain_ids;
    for (const auto& [manifest, id] : index.images)
        for (const auto& layer : load_image(index, manifest).layers) needed.insert(layer.chain_id);
    std::vector<Layer> unused;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_ / "layers", ec)) {
        std::string chain = "sha256:" + entry.path().filename().string();
        if (!is_sha256_digest(chain) || needed.count(chain)) continue;
        if (auto layer = find_layer(chain)) unused.push_back(*layer);
    }
    return unused;
}

StoreUsage ImageStore::usage() const {
    StoreUsage usage;
    usage.images = read_index().images.size();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_ / "layers", ec))
        if (auto layer = find_layer("sha256:" + entry.path().filename().string())) usage.layers_bytes += layer->size;
    for (const auto& entry : fs::directory_iterator(dir_ / "blobs" / "sha256", ec)) {
        std::error_code size_ec;
        auto size = entry.file_size(size_ec);
        if (!size_ec) usage.blobs_bytes += size;
    }
    return usage;
}

// ---------------------------------------------------------------------------
// Making images.

// `tmp` holds diff/ (the layer's files, ready) and nothing else yet.
Image ImageStore::image_from_directory(const fs::path& tmp, const json& config_template,
                                       const std::vector<ImageRef>& tags) {
    fs::path tar_path = tmp / "layer.tar";
    std::string diff_id;
    {
        UniqueFd fd(::open(tar_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (!fd) throw_errno("create " + tar_path.string());
        image::TarWriter writer(fd.get(), "layer of " + (tags.empty() ? std::string("image") : tags[0].str()));
        write_tree(writer, tmp / "diff", "");
        writer.finish();
        diff_id = writer.digest();
    }
    bool had_blob = has_blob(diff_id);
    adopt_blob(tar_path, diff_id);
    bool created = false;
    try {
        // One layer: its chain ID is its diff ID (no lesson code needed).
        const std::string& chain = diff_id;
        if (!find_layer(chain)) {
            fs::path layer_tmp = temp_path("layer");
            if (::rename(tmp.c_str(), layer_tmp.c_str()) != 0) throw_errno("rename " + tmp.string());
            try {
                install_layer(layer_tmp, chain, "", diff_id);
                created = true;
            } catch (...) {
                remove_tree_quietly(layer_tmp);
                throw;
            }
        }
        json config = config_template;
        config["rootfs"] = {{"type", "layers"}, {"diff_ids", {diff_id}}};
        return add_image(config, {{diff_id, kLayerTar}}, tags);
    } catch (...) {
        if (created) delete_layer(diff_id);
        if (!had_blob) ::unlink(blob_path(diff_id).c_str());
        throw;
    }
}

Image ImageStore::create_busybox(const ImageRef& ref, const fs::path& busybox, bool replace) {
    if (!replace && exists(ref.str())) return find(ref.str());
    fs::create_directories(dir_);
    TempGuard tmp(temp_path("busybox"));
    fs::create_directories(tmp.path() / "diff");
    ImageConfig config = build_busybox_rootfs(tmp.path() / "diff", busybox);
    Lock lock(*this);
    // Another kubik may have made it while this one built.
    if (!replace && exists(ref.str())) return find(ref.str());
    std::string created = now_rfc3339();
    json doc = image_config_to_json(config);
    doc["created"] = created;
    doc["history"] = json::array({{{"created", created}, {"created_by", "kubik image busybox"}}});
    return image_from_directory(tmp.path(), doc, {ref});
}

Image ImageStore::import(int fd, const ImageRef& ref, const Progress& progress) {
    fs::create_directories(dir_);
    TempGuard tmp(temp_path("import"));
    copy_to_file(fd, tmp.path(), progress, total_of(fd));
    std::string media_type = layer_media_type(tmp.path());
    // One pass over the copy unpacks it and takes both digests (the blob's
    // and the diff ID); hashing while copying would be a second.
    TempGuard unpacked(temp_path("layer"));
    std::string digest, diff_id;
    {
        UniqueFd copy(::open(tmp.path().c_str(), O_RDONLY | O_CLOEXEC));
        if (!copy) throw_errno("open " + tmp.path().string());
        std::tie(diff_id, digest) = unpack_layer(copy.get(), unpacked.path(), "the imported tar");
    }
    Lock lock(*this);
    bool had_blob = has_blob(digest);
    adopt_blob(tmp.path(), digest);
    tmp.keep();
    bool created = false;
    std::string chain = diff_id;  // a bottom layer's chain ID
    try {
        Layer layer;
        if (auto have = find_layer(chain)) {
            layer = *have;
        } else {
            layer = install_layer(unpacked.path(), chain, "", diff_id);
            unpacked.keep();
            created = true;
        }
        std::string now = now_rfc3339();
        json doc = {
            {"architecture", "amd64"},
            {"os", "linux"},
            {"created", now},
            {"config", json::object()},
            {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.diff_id}}}},
            {"history", json::array({{{"created", now}, {"created_by", "kubik import"}}})},
        };
        return add_image(doc, {{digest, media_type}},
                         ref.name.empty() ? std::vector<ImageRef>{} : std::vector<ImageRef>{ref});
    } catch (...) {
        if (created) delete_layer(chain);
        if (!had_blob) ::unlink(blob_path(digest).c_str());
        throw;
    }
}

Image ImageStore::commit(const Image& base, const fs::path& layer_tar, const ImageConfig& config,
                         const std::string& created_by, const ImageRef& ref, const std::string& comment) {
    fs::create_directories(dir_);
    TempGuard tmp(temp_path("commit"));
    std::string digest;
    {
        UniqueFd in(::open(layer_tar.c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) throw_errno("open " + layer_tar.string());
        digest = copy_hashing(in.get(), tmp.path(), nullptr, 0).first;
    }
    Lock lock(*this);
    json manifest = parse_json(read_file(blob_path(base.manifest_digest)), "manifest " + base.manifest_digest);
    std::vector<std::pair<std::string, std::string>> blobs;
    for (const auto& l : manifest.at("layers"))
        blobs.emplace_back(l.at("digest").get<std::string>(), l.value("mediaType", kLayerTar));
    bool had_blob = has_blob(digest);
    adopt_blob(tmp.path(), digest);
    tmp.keep();
    bool created = false;
    std::string chain;
    try {
        std::string parent = base.layers.empty() ? "" : base.layers.back().chain_id;
        Layer layer = add_layer_impl(digest, parent, digest, &created);
        chain = layer.chain_id;
        blobs.emplace_back(digest, kLayerTar);
        json doc = base.config_doc;
        json run = image_config_to_json(config)["config"];
        if (!doc.contains("config") || !doc["config"].is_object()) doc["config"] = json::object();
        for (auto& [key, value] : run.items()) doc["config"][key] = value;
        std::string now = now_rfc3339();
        doc["created"] = now;
        doc["rootfs"]["type"] = "layers";
        doc["rootfs"]["diff_ids"].push_back(layer.diff_id);
        if (!doc.contains("history") || !doc["history"].is_array()) doc["history"] = json::array();
        json entry = {{"created", now}, {"created_by", created_by}};
        if (!comment.empty()) entry["comment"] = comment;
        doc["history"].push_back(entry);
        return add_image(doc, blobs, ref.name.empty() ? std::vector<ImageRef>{} : std::vector<ImageRef>{ref});
    } catch (...) {
        if (created) delete_layer(chain);
        if (!had_blob) ::unlink(blob_path(digest).c_str());
        throw;
    }
}

void ImageStore::tag(const std::string& source, const ImageRef& target) {
    if (!target.digest.empty()) throw Error("refusing to create a tag with a digest reference");
    Lock lock(*this);
    Index index = read_index();
    auto manifest = resolve(index, source);
    if (!manifest) throw Error("No such image: " + source, kExitGeneric);
    index.repos[target.str()] = *manifest;
    write_index(index);
}

// ---------------------------------------------------------------------------
// Removing.

namespace {

// Every blob an image refers to: manifest, config, layers.
std::set<std::string> blobs_of(const json& manifest, const std::string& manifest_digest) {
    std::set<std::string> blobs{manifest_digest};
    if (manifest.contains("config")) blobs.insert(manifest["config"].value("digest", ""));
    if (manifest.contains("layers"))
        for (const auto& l : manifest["layers"]) blobs.insert(l.value("digest", ""));
    return blobs;
}

} // namespace

std::vector<std::string> ImageStore::remove(const std::string& reference, bool force,
                                            const std::set<std::string>& in_use_chain_ids,
                                            const std::map<std::string, ImageUser>& users) {
    Lock lock(*this);
    Index index = read_index();
    auto manifest = resolve(index, reference);
    if (!manifest) throw Error("No such image: " + reference, kExitGeneric);
    Image image = load_image(index, *manifest);
    const std::string short_image = short_id(image.id);
    auto user = users.find(image.id);

    // By name: untag; by ID: every tag goes (docker's rmi).
    bool by_name = false;
    std::string ref_key;
    try {
        ImageRef ref = ImageRef::parse(reference);
        if (ref.digest.empty() && index.repos.count(ref.str())) by_name = true, ref_key = ref.str();
    } catch (const Error&) {
    }

    std::vector<std::string> out;
    if (by_name) {
        bool last = image.tags.size() == 1;
        if (last && user != users.end() && !force)
            throw Error("conflict: unable to remove repository reference \"" + reference +
                            "\" (must force) - container " + user->second.container +
                            " is using its referenced image " + short_image,
                        kExitGeneric);
        index.repos.erase(ref_key);
        out.push_back("Untagged: " + ref_key);
        if (!last || user != users.end()) {
            write_index(index);
            return out;
        }
    } else {
        if (user != users.end()) {
            if (user->second.running)
                throw Error("conflict: unable to delete " + short_image +
                                " (cannot be forced) - image is being used by running container " +
                                user->second.container,
                            kExitGeneric);
            if (!force)
                throw Error("conflict: unable to delete " + short_image +
                                " (must be forced) - image is being used by stopped container " +
                                user->second.container,
                            kExitGeneric);
        }
        if (image.tags.size() > 1 && !force)
            throw Error("conflict: unable to delete " + short_image +
                            " (must be forced) - image is referenced in multiple repositories",
                        kExitGeneric);
        for (const auto& tag : image.tags) {
            index.repos.erase(tag);
            out.push_back("Untagged: " + tag);
        }
        if (user != users.end()) {
            write_index(index);
            return out;
        }
    }

    // The image goes; then what only it needed.
    index.images.erase(*manifest);
    write_index(index);
    out.push_back("Deleted: " + image.id);

    std::set<std::string> kept_blobs, kept_layers = in_use_chain_ids;
    for (const auto& [other, id] : index.images) {
        json doc = parse_json(read_file(blob_path(other)), "manifest " + other);
        auto blobs = blobs_of(doc, other);
        kept_blobs.insert(blobs.begin(), blobs.end());
        for (const auto& layer : load_image(index, other).layers) kept_layers.insert(layer.chain_id);
    }
    for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) {
        if (kept_layers.count(it->chain_id)) continue;
        delete_layer(it->chain_id);
        out.push_back("Deleted: " + it->chain_id);
    }
    json doc = parse_json(read_file(blob_path(*manifest)), "manifest " + *manifest);
    for (const auto& blob : blobs_of(doc, *manifest))
        if (is_sha256_digest(blob) && !kept_blobs.count(blob)) ::unlink(blob_path(blob).c_str());
    return out;
}

std::uint64_t ImageStore::prune(const std::set<std::string>& in_use_chain_ids) {
    Lock lock(*this);
    Index index = read_index();
    std::uint64_t before = usage().layers_bytes + usage().blobs_bytes;

    std::set<std::string> tagged;
    for (const auto& [tag, manifest] : index.repos) tagged.insert(manifest);
    for (auto it = index.images.begin(); it != index.images.end();) {
        bool used = false;
        if (!tagged.count(it->first)) {
            for (const auto& layer : load_image(index, it->first).layers)
                if (in_use_chain_ids.count(layer.chain_id)) used = true;
        }
        it = tagged.count(it->first) || used ? std::next(it) : index.images.erase(it);
    }
    write_index(index);

    std::set<std::string> kept_blobs;
    for (const auto& [manifest, id] : index.images) {
        auto blobs = blobs_of(parse_json(read_file(blob_path(manifest)), "manifest " + manifest), manifest);
        kept_blobs.insert(blobs.begin(), blobs.end());
    }
    for (const auto& layer : unused_layers(in_use_chain_ids)) delete_layer(layer.chain_id);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_ / "blobs" / "sha256", ec))
        if (!kept_blobs.count("sha256:" + entry.path().filename().string())) ::unlink(entry.path().c_str());
    // Temp files of a kubik that died mid-way (their pid is gone).
    for (const auto& entry : fs::directory_iterator(dir_ / "tmp", ec)) {
        std::string name = entry.path().filename().string();
        auto a = name.find('-'), b = name.find('-', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        std::string pid = name.substr(a + 1, b - a - 1);
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        if (::kill(std::stoi(pid), 0) != 0 && errno == ESRCH) remove_tree_quietly(entry.path());
    }
    std::uint64_t after = usage().layers_bytes + usage().blobs_bytes;
    return before > after ? before - after : 0;
}

// ---------------------------------------------------------------------------
// Archives.

namespace {

// The files of an archive, stored under a temp directory while it is read.
class ArchiveFiles {
public:
    ArchiveFiles(fs::path dir, std::string what) : dir_(std::move(dir)), what_(std::move(what)) {}

    struct File {
        fs::path path;
        std::string digest;
        std::uint64_t size = 0;
    };

    // Tar paths are hostile: no absolute names, no "..", nothing but
    // regular files is kept (symlinks and hardlinks between the archive's own
    // files become aliases, resolved by name, never on disk).
    static std::string clean(const std::string& raw, const std::string& what) {
        std::vector<std::string> parts;
        std::string part;
        auto flush = [&] {
            if (part == "..") throw Error(what + ": entry " + raw + " has a \"..\" component");
            if (!part.empty() && part != ".") parts.push_back(part);
            part.clear();
        };
        if (raw.starts_with("/")) throw Error(what + ": entry " + raw + " is an absolute path");
        for (char c : raw) {
            if (c == '/') flush();
            else part += c;
        }
        flush();
        std::string out;
        for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
        return out;
    }

    void read(int fd, const Progress& progress) {
        std::uint64_t total = total_of(fd);
        image::TarReader tar(fd, what_);
        image::TarEntry entry;
        int n = 0;
        while (tar.next(entry)) {
            std::string name = clean(entry.path, what_);
            if (name.empty()) continue;
            using T = image::TarEntry::Type;
            switch (entry.type) {
            case T::Directory:
                break;
            case T::Regular: {
                File file;
                file.path = dir_ / ("f" + std::to_string(n++));
                UniqueFd out(::open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
                if (!out) throw_errno("create " + file.path.string());
                tar.copy_data(out.get());
                out.reset();
                file.digest = hash_file(file.path);
                file.size = static_cast<std::uint64_t>(entry.size);
                aliases_.erase(name);
                files_[name] = file;
                break;
            }
            case T::Symlink: {
                if (entry.link_target.starts_with("/"))
                    throw Error(what_ + ": entry " + entry.path + " is a symlink out of the archive");
                auto slash = name.rfind('/');
                std::string base = slash == std::string::npos ? "" : name.substr(0, slash + 1);
                aliases_[name] = resolve_dots(base + entry.link_target, entry.path);
                break;
            }
            case T::Hardlink:
                aliases_[name] = clean(entry.link_target, what_);
                break;
            default:
                throw Error(what_ + ": entry " + entry.path + " is a device or fifo, which no image archive has");
            }
            if (progress) progress(tar.compressed_size(), total);
        }
    }

    const File* get(std::string name) const {
        for (int hops = 0; hops < 16; ++hops) {
            if (auto it = files_.find(name); it != files_.end()) return &it->second;
            auto alias = aliases_.find(name);
            if (alias == aliases_.end()) return nullptr;
            name = alias->second;
        }
        return nullptr;
    }

    json read_json(const std::string& name) const {
        const File* file = get(name);
        if (!file) throw Error(what_ + ": " + name + " is missing");
        if (file->size > kMaxJson) throw Error(what_ + ": " + name + " is too large");
        return parse_json(read_file(file->path), what_ + ": " + name);
    }

    bool has(const std::string& name) const { return get(name) != nullptr; }

private:
    std::string resolve_dots(const std::string& path, const std::string& raw) const {
        std::vector<std::string> parts;
        std::string part;
        auto flush = [&] {
            if (part == "..") {
                if (parts.empty()) throw Error(what_ + ": entry " + raw + " points out of the archive");
                parts.pop_back();
            } else if (!part.empty() && part != ".") {
                parts.push_back(part);
            }
            part.clear();
        };
        for (char c : path) {
            if (c == '/') flush();
            else part += c;
        }
        flush();
        std::string out;
        for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
        return out;
    }

    fs::path dir_;
    std::string what_;
    std::map<std::string, File> files_;
    std::map<std::string, std::string> aliases_;
};

std::string blob_name(const std::string& digest) { return "blobs/sha256/" + digest_hex(digest); }

bool is_index_type(const std::string& media_type) {
    return media_type == kIndexType || media_type == kDockerListType;
}

} // namespace

// One image of an archive, checked and ready to go in.
struct ImageStore::Pending {
    std::string label;                  ///< "busybox:latest" or "sha256:…", for messages
    std::vector<std::string> names;     ///< tags to point at it
    const ArchiveFiles::File* manifest = nullptr;  ///< OCI: the manifest blob as it came
    std::string manifest_digest;
    const ArchiveFiles::File* config = nullptr;
    std::string config_digest;
    json config_doc;
    /// Layer files (bottom first) with their digests and media types.
    std::vector<std::tuple<const ArchiveFiles::File*, std::string, std::string>> layers;
    std::vector<std::string> diff_ids;
};

std::vector<std::string> ImageStore::load(int fd, const Progress& progress) {
    fs::create_directories(dir_);
    TempGuard work(temp_path("load"));
    fs::create_directories(work.path());
    const std::string what = "archive";
    ArchiveFiles files(work.path(), what);
    files.read(fd, progress);

    // A blob the archive names must be there with the digest it claims.
    auto blob = [&](const std::string& digest, const std::string& role) -> const ArchiveFiles::File* {
        if (!is_sha256_digest(digest)) throw Error(role + ": unsupported digest \"" + digest + "\"");
        const ArchiveFiles::File* file = files.get(blob_name(digest));
        if (!file) throw Error(role + ": blob " + blob_name(digest) + " is missing from the archive");
        if (file->digest != digest) throw Error(role + ": digest mismatch, got " + file->digest);
        return file;
    };
    auto finish_config = [&](Pending& p) {
        p.config_doc = parse_json(read_file(p.config->path), "config " + p.config_digest + " of image " + p.label);
        p.diff_ids = diff_ids_of(p.config_doc, "image " + p.label);
        if (p.diff_ids.size() != p.layers.size())
            throw Error("image " + p.label + ": the config lists " + std::to_string(p.diff_ids.size()) +
                        " layers, the manifest " + std::to_string(p.layers.size()));
    };

    std::vector<Pending> pending;
    if (files.has("index.json")) {
        // RepoTags of docker 25's manifest.json, for index entries without names.
        std::map<std::string, std::vector<std::string>> legacy_names;
        if (files.has("manifest.json")) {
            json legacy = files.read_json("manifest.json");
            if (legacy.is_array())
                for (const auto& e : legacy)
                    if (e.is_object() && e.contains("Config") && e["Config"].is_string() && e.contains("RepoTags") &&
                        e["RepoTags"].is_array())
                        if (auto* f = files.get(ArchiveFiles::clean(e["Config"].get<std::string>(), what)))
                            for (const auto& t : e["RepoTags"])
                                if (t.is_string()) legacy_names[f->digest].push_back(familiar_ref(t.get<std::string>()));
        }
        std::map<std::string, std::size_t> by_manifest;
        std::function<void(const json&, const std::vector<std::string>&, int)> visit =
            [&](const json& index, const std::vector<std::string>& outer_names, int depth) {
                if (depth > 4) throw Error(what + ": indexes nested too deep");
                if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
                    throw Error(what + ": an index has no \"manifests\" list");
                bool chosen_one = false;
                for (const auto& desc : index["manifests"]) {
                    std::string digest = desc.value("digest", "");
                    std::string media_type = desc.value("mediaType", "");
                    std::vector<std::string> names = outer_names;
                    if (desc.contains("annotations") && desc["annotations"].is_object()) {
                        const auto& a = desc["annotations"];
                        try {
                            if (a.contains(kNameAnnotation)) {
                                names.push_back(familiar_ref(a[kNameAnnotation].get<std::string>()));
                            } else if (a.contains(kRefAnnotation)) {
                                std::string r = a[kRefAnnotation].get<std::string>();
                                // A bare tag ("latest") names no repository.
                                if (r.find_first_of(":/") != std::string::npos) names.push_back(familiar_ref(r));
                            }
                        } catch (const json::exception&) {
                            throw Error(what + ": bad annotations of " + digest + " in index.json");
                        }
                    }
                    if (depth > 0) {
                        // Inside a nested index, the linux/amd64 image only.
                        if (desc.contains("platform")) {
                            const auto& pl = desc["platform"];
                            if (pl.value("os", "") != "linux" || pl.value("architecture", "") != "amd64") continue;
                        }
                        if (chosen_one) continue;
                        chosen_one = true;
                    }
                    std::string role = "manifest " + digest + " of image " +
                                       (names.empty() ? std::string("(untagged)") : names.front());
                    const ArchiveFiles::File* file = blob(digest, role);
                    if (is_index_type(media_type)) {
                        visit(parse_json(read_file(file->path), role), names, depth + 1);
                        continue;
                    }
                    json manifest = parse_json(read_file(file->path), role);
                    if (manifest.contains("manifests")) {
                        visit(manifest, names, depth + 1);
                        continue;
                    }
                    if (auto it = by_manifest.find(digest); it != by_manifest.end()) {
                        auto& p = pending[it->second];
                        p.names.insert(p.names.end(), names.begin(), names.end());
                        continue;
                    }
                    Pending p;
                    p.manifest = file;
                    p.manifest_digest = digest;
                    try {
                        p.config_digest = manifest.at("config").at("digest").get<std::string>();
                        if (names.empty() && legacy_names.count(p.config_digest)) names = legacy_names[p.config_digest];
                        p.names = names;
                        p.label = names.empty() ? p.config_digest : names.front();
                        p.config = blob(p.config_digest, "config " + p.config_digest + " of image " + p.label);
                        for (const auto& l : manifest.at("layers")) {
                            std::string ld = l.at("digest").get<std::string>();
                            p.layers.emplace_back(blob(ld, "layer " + ld + " of image " + p.label), ld,
                                                  l.value("mediaType", kLayerTar));
                        }
                    } catch (const json::exception& e) {
                        throw Error(role + ": " + e.what());
                    }
                    finish_config(p);
                    by_manifest[digest] = pending.size();
                    pending.push_back(std::move(p));
                }
            };
        visit(files.read_json("index.json"), {}, 0);
    } else if (files.has("manifest.json")) {
        json legacy = files.read_json("manifest.json");
        if (!legacy.is_array()) throw Error(what + ": manifest.json is not a list");
        for (const auto& e : legacy) {
            Pending p;
            try {
                for (const auto& t : e.value("RepoTags", json::array())) p.names.push_back(familiar_ref(t.get<std::string>()));
                std::string config_name = ArchiveFiles::clean(e.at("Config").get<std::string>(), what);
                p.config = files.get(config_name);
                if (!p.config) throw Error(what + ": config " + config_name + " named by manifest.json is missing");
                p.config_digest = p.config->digest;
                p.label = p.names.empty() ? p.config_digest : p.names.front();
                for (const auto& l : e.at("Layers")) {
                    std::string layer_name = ArchiveFiles::clean(l.get<std::string>(), what);
                    const auto* f = files.get(layer_name);
                    if (!f) throw Error("layer " + layer_name + " of image " + p.label + ": file is missing from the archive");
                    p.layers.emplace_back(f, f->digest, layer_media_type(f->path));
                }
            } catch (const json::exception& ex) {
                throw Error(what + ": manifest.json: " + ex.what());
            }
            finish_config(p);
            pending.push_back(std::move(p));
        }
    } else {
        throw Error(what + ": neither index.json nor manifest.json found: not a docker-save or OCI archive");
    }
    if (pending.empty()) throw Error(what + ": no image in it");

    // Into the store, under the lock; what this load added goes again on error.
    Lock lock(*this);
    std::vector<std::string> added_blobs, added_layers;
    std::vector<std::string> loaded;
    try {
        Index index = read_index();
        auto take = [&](const ArchiveFiles::File* file, const std::string& digest) {
            if (has_blob(digest)) return;
            fs::create_directories(dir_ / "blobs" / "sha256");
            // A file two images share is moved once, then found in the store.
            if (::link(file->path.c_str(), blob_path(digest).c_str()) != 0 && errno != EEXIST)
                throw_errno("store blob " + digest);
            added_blobs.push_back(digest);
        };
        for (auto& p : pending) {
            take(p.config, p.config_digest);
            std::vector<std::pair<std::string, std::string>> layer_blobs;
            for (const auto& [file, digest, media_type] : p.layers) {
                take(file, digest);
                layer_blobs.emplace_back(digest, media_type);
            }
            std::string parent;
            for (std::size_t i = 0; i < p.layers.size(); ++i) {
                bool created = false;
                Layer layer;
                try {
                    layer = add_layer_impl(std::get<1>(p.layers[i]), parent, p.diff_ids[i], &created);
                } catch (const Error& e) {
                    throw Error("image " + p.label + ": " + e.what(), e.exit_code());
                }
                if (created) added_layers.push_back(layer.chain_id);
                parent = layer.chain_id;
            }
            std::string manifest_digest;
            if (p.manifest) {
                take(p.manifest, p.manifest_digest);
                manifest_digest = p.manifest_digest;
            } else {
                // docker's legacy form has no manifest: write the OCI one,
                // keeping the config's bytes (its digest is the image ID).
                json layers_json = json::array();
                for (const auto& [file, digest, media_type] : p.layers)
                    layers_json.push_back({{"mediaType", media_type}, {"digest", digest}, {"size", file->size}});
                json manifest = {
                    {"schemaVersion", 2},
                    {"mediaType", kManifestType},
                    {"config", {{"mediaType", kConfigType}, {"digest", p.config_digest}, {"size", p.config->size}}},
                    {"layers", layers_json},
                };
                std::string text = manifest.dump();
                manifest_digest = sha256_digest(text);
                if (!has_blob(manifest_digest)) {
                    add_blob(text);
                    added_blobs.push_back(manifest_digest);
                }
            }
            index.images[manifest_digest] = p.config_digest;
            for (const auto& name : p.names) {
                index.repos[name] = manifest_digest;
                loaded.push_back(name);
            }
            if (p.names.empty()) loaded.push_back(p.config_digest);
        }
        write_index(index);
    } catch (...) {
        for (auto it = added_layers.rbegin(); it != added_layers.rend(); ++it) delete_layer(*it);
        for (const auto& digest : added_blobs) ::unlink(blob_path(digest).c_str());
        throw;
    }
    return loaded;
}

void ImageStore::save(const std::vector<std::string>& references, int fd, const Progress& progress) {
    Index index = read_index();
    struct Saved {
        Image image;
        json manifest;
        std::vector<std::string> tags;
    };
    std::vector<Saved> saved;
    for (const auto& reference : references) {
        auto manifest = resolve(index, reference);
        if (!manifest) throw Error("No such image: " + reference, kExitGeneric);
        std::string tag;
        try {
            ImageRef ref = ImageRef::parse(reference);
            if (ref.digest.empty() && index.repos.count(ref.str())) tag = ref.str();
        } catch (const Error&) {
        }
        auto it = std::find_if(saved.begin(), saved.end(),
                               [&](const Saved& s) { return s.image.manifest_digest == *manifest; });
        if (it == saved.end()) {
            Saved s{load_image(index, *manifest),
                    parse_json(read_file(blob_path(*manifest)), "manifest " + *manifest), {}};
            saved.push_back(std::move(s));
            it = saved.end() - 1;
        }
        if (!tag.empty() && std::find(it->tags.begin(), it->tags.end(), tag) == it->tags.end()) it->tags.push_back(tag);
    }

    json index_doc = {{"schemaVersion", 2}, {"mediaType", kIndexType}, {"manifests", json::array()}};
    json legacy = json::array();
    json repositories = json::object();
    std::set<std::string> blobs;
    std::uint64_t total = 0;
    for (const auto& s : saved) {
        const std::string& m = s.image.manifest_digest;
        std::uint64_t msize = fs::file_size(blob_path(m));
        json desc = {{"mediaType", s.manifest.value("mediaType", kManifestType)}, {"digest", m}, {"size", msize}};
        std::vector<std::string> layer_names;
        std::string top;
        for (const auto& digest : blobs_of(s.manifest, m)) blobs.insert(digest);
        for (const auto& l : s.manifest.at("layers")) {
            top = digest_hex(l.at("digest").get<std::string>());
            layer_names.push_back("blobs/sha256/" + top);
        }
        json legacy_tags = json::array();
        if (s.tags.empty()) index_doc["manifests"].push_back(desc);
        for (const auto& tag : s.tags) {
            ImageRef ref = ImageRef::parse(tag);
            json d = desc;
            d["annotations"] = {{kNameAnnotation, full_ref(tag)}, {kRefAnnotation, ref.tag}};
            index_doc["manifests"].push_back(d);
            legacy_tags.push_back(tag);
            repositories[ref.name][ref.tag] = top;
        }
        legacy.push_back({{"Config", "blobs/sha256/" + digest_hex(s.image.id)},
                          {"RepoTags", legacy_tags},
                          {"Layers", layer_names}});
    }
    for (const auto& b : blobs) total += fs::file_size(blob_path(b));

    fs::create_directories(dir_);
    TempGuard tmp(temp_path("save"));
    fs::create_directories(tmp.path() / "blobs" / "sha256");
    write_file(tmp.path() / "oci-layout", json({{"imageLayoutVersion", "1.0.0"}}).dump());
    write_file(tmp.path() / "index.json", index_doc.dump());
    write_file(tmp.path() / "manifest.json", legacy.dump());
    write_file(tmp.path() / "repositories", repositories.dump());

    image::TarWriter out(fd, "archive");
    out.add_from_disk(tmp.path() / "blobs", "blobs");
    out.add_from_disk(tmp.path() / "blobs" / "sha256", "blobs/sha256");
    std::uint64_t done = 0;
    for (const auto& b : blobs) {
        out.add_from_disk(blob_path(b), blob_name(b));
        done += fs::file_size(blob_path(b));
        if (progress) progress(done, total);
    }
    for (const char* name : {"index.json", "manifest.json", "oci-layout", "repositories"})
        out.add_from_disk(tmp.path() / name, name);
    out.finish();
}

// ---------------------------------------------------------------------------
// The store of lessons 0-3: ROOT/images/NAME/TAG/{config.json,rootfs/}.
// Each rootfs becomes a one-layer image (moved, not copied, so a container
// still running on it keeps its files), then the old tree goes.

void ImageStore::migrate_old_store() {
    fs::path old = root_ / "images";
    std::vector<std::string> moved;
    try {
        Lock lock(*this);
        if (!fs::is_directory(old)) return;
        std::vector<std::pair<ImageRef, fs::path>> found;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(old, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (!it->is_directory() || !fs::exists(it->path() / "config.json")) continue;
            it.disable_recursion_pending();
            auto rel = fs::relative(it->path(), old);
            try {
                found.emplace_back(ImageRef::parse(rel.parent_path().string() + ":" + rel.filename().string()),
                                   it->path());
            } catch (const Error&) {
            }
        }
        for (const auto& [ref, dir] : found) {
            if (!fs::is_directory(dir / "rootfs")) continue;
            ImageConfig config = image_config_from_json(parse_json(read_file(dir / "config.json"), (dir / "config.json").string()));
            fs::path tmp = temp_path("migrate");
            fs::create_directories(tmp);
            if (::rename((dir / "rootfs").c_str(), (tmp / "diff").c_str()) != 0) throw_errno("rename " + dir.string());
            try {
                std::string now = now_rfc3339();
                json doc = image_config_to_json(config);
                doc["created"] = now;
                doc["history"] = json::array({{{"created", now}, {"created_by", "kubik image busybox"},
                                               {"comment", "moved from " + dir.string()}}});
                image_from_directory(tmp, doc, {ref});
            } catch (...) {
                // Put it back: the old store stays usable for another try.
                ::rename((tmp / "diff").c_str(), (dir / "rootfs").c_str());
                remove_tree_quietly(tmp);
                throw;
            }
            remove_tree_quietly(tmp);
            moved.push_back(ref.str());
        }
        fs::path gone = temp_path("old-images");
        if (::rename(old.c_str(), gone.c_str()) != 0) throw_errno("rename " + old.string());
        remove_tree_quietly(gone);
    } catch (const std::exception& e) {
        std::cerr << "kubik: " << old.string() << " holds images of an older kubik, which could not be moved into "
                  << dir_.string() << " (" << e.what() << "); make them again with `kubik image busybox`, then `rm -rf "
                  << old.string() << "`\n";
        return;
    }
    if (!moved.empty()) {
        std::string list;
        for (const auto& m : moved) list += (list.empty() ? "" : ", ") + m;
        std::cerr << "kubik: moved images of an older kubik from " << old.string() << " into " << dir_.string() << ": "
                  << list << "\n";
    }
}

} // namespace kubik
