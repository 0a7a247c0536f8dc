// The image store: content-addressed, in the spirit of the OCI image layout.
//
//   ROOT/store/blobs/sha256/HEX         every manifest, config and layer blob, by digest
//   ROOT/store/layers/CHAINHEX/diff/    each layer unpacked once, keyed by its chain ID
//   ROOT/store/layers/CHAINHEX/meta.json  {diff_id, parent chain ID, size}
//   ROOT/store/l/SHORT -> ../layers/CHAINHEX/diff   short names for overlay's options
//   ROOT/store/repositories.json        "name:tag" → manifest digest
//   ROOT/store/lock                     flock(2) held by every writer
//
// Every write is a temp file or directory renamed into place under the lock,
// so a reader (kubik run) never sees half of anything and needs no lock.
#pragma once

#include "image/image_config.hpp"
#include "image/image_ref.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kubik {

/// One unpacked layer of the store.
struct Layer {
    std::string chain_id;          ///< "sha256:…", the store's key
    std::string diff_id;           ///< "sha256:…" of the uncompressed tar
    std::filesystem::path dir;     ///< ROOT/store/layers/HEX/diff
    std::string link;              ///< its short name in ROOT/store/l/
    std::uint64_t size = 0;        ///< bytes of the files in dir
};

/// An image in the store.
struct Image {
    std::string id;                ///< "sha256:…" of its config blob (docker's IMAGE ID)
    std::string manifest_digest;   ///< "sha256:…" of its manifest blob
    std::vector<std::string> tags; ///< "name:tag" references that point at it
    ImageConfig config;            ///< how to run it
    nlohmann::json config_doc;     ///< the whole config blob
    std::vector<Layer> layers;     ///< bottom first
    std::string created;           ///< RFC 3339, from the config
    std::uint64_t size = 0;        ///< sum of the layers' sizes
};

/// What `kubik system df` shows for images.
struct StoreUsage {
    std::uint64_t images = 0;       ///< images in the store
    std::uint64_t layers_bytes = 0; ///< bytes of the files in the unpacked layers
    std::uint64_t blobs_bytes = 0;  ///< bytes of the blobs (manifests, configs, layer tars)
};

/// A container that uses an image: what `kubik rmi` needs to refuse as docker does.
struct ImageUser {
    std::string container; ///< the container's short ID (12 hex digits)
    bool running = false;  ///< running containers block even `rmi -f` by ID
};

/// Reports progress of long work (bytes done, bytes expected or 0).
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

/// The image store of one state root.
class ImageStore {
public:
    /// The store of state root `root` (created on first write).
    explicit ImageStore(std::filesystem::path root);

    /// Finds an image by "name[:tag]", "name@sha256:…", a full or unique
    /// prefix of its ID ("sha256:" optional). Throws kubik::Error (125)
    /// "Unable to find image 'busybox:latest' locally" when absent.
    Image find(const std::string& reference) const;
    /// Whether find() would succeed.
    bool exists(const std::string& reference) const;
    /// Every image, newest first (as `docker images`), one entry per image.
    std::vector<Image> list() const;
    /// The layers no image and no container in `in_use` needs.
    std::vector<Layer> unused_layers(const std::set<std::string>& in_use_chain_ids) const;

    /// Makes the busybox image (one layer) from a static busybox binary.
    Image create_busybox(const ImageRef& ref, const std::filesystem::path& busybox, bool replace);
    /// Loads a docker-save or OCI archive from `fd`; returns the references
    /// (or IDs, for untagged images) loaded, as `docker load` prints them.
    std::vector<std::string> load(int fd, const Progress& progress);
    /// Writes `references` as one archive readable as docker-archive and as
    /// oci-archive (docker 25's `save` layout) to `fd`.
    void save(const std::vector<std::string>& references, int fd, const Progress& progress);
    /// Makes a one-layer image from a root filesystem tarball read from `fd`,
    /// tagged `ref` (an empty name: untagged, as `docker import FILE`).
    Image import(int fd, const ImageRef& ref, const Progress& progress);
    /// Adds a layer (a tar file already written, uncompressed) on top of
    /// `base` with the given config and a history line (`created_by`, and
    /// `comment`: `kubik commit -m`); tags it `ref` (an empty name: untagged).
    Image commit(const Image& base, const std::filesystem::path& layer_tar, const ImageConfig& config,
                 const std::string& created_by, const ImageRef& ref, const std::string& comment = "");
    /// Points `target` at the image `source` names.
    void tag(const std::string& source, const ImageRef& target);
    /// `kubik rmi`: removes a reference; the image's blobs and layers go when
    /// nothing else refers to them and `in_use` (chain IDs of containers'
    /// layers) doesn't hold them. `users` maps image IDs ("sha256:…") to a
    /// container using that image (for docker's "conflict: …" refusals, exit 1).
    /// Returns docker's "Untagged: busybox:latest"/"Deleted: sha256:…" lines.
    std::vector<std::string> remove(const std::string& reference, bool force,
                                    const std::set<std::string>& in_use_chain_ids,
                                    const std::map<std::string, ImageUser>& users = {});
    /// Removes dangling images and unused layers and blobs; returns bytes freed.
    std::uint64_t prune(const std::set<std::string>& in_use_chain_ids);
    /// Sizes for `kubik system df`.
    StoreUsage usage() const;

    /// ROOT/store.
    const std::filesystem::path& dir() const { return dir_; }

    // The building blocks that load, import, commit (and lessons 7 and 9's
    // build and pull) are made of. Call them with the store locked.

    /// An exclusive flock(2) on ROOT/store/lock, released when it goes.
    class Lock {
    public:
        /// Takes the lock of `store`, waiting while another writer holds it.
        explicit Lock(const ImageStore& store);
        ~Lock();
        Lock(const Lock&) = delete;
        Lock& operator=(const Lock&) = delete;

    private:
        int fd_ = -1;
    };
    /// ROOT/store/blobs/sha256/HEX (which may not exist).
    std::filesystem::path blob_path(const std::string& digest) const;
    /// Whether the blob is in the store.
    bool has_blob(const std::string& digest) const;
    /// Stores `data` as a blob; returns its digest.
    std::string add_blob(std::string_view data);
    /// Moves the file `tmp` (on the store's filesystem) in as a blob whose
    /// digest the caller computed while writing it; a blob already there is
    /// kept and `tmp` removed.
    void adopt_blob(const std::filesystem::path& tmp, const std::string& digest);
    /// A fresh temp path inside the store, for adopt_blob() and unpacking.
    std::filesystem::path temp_path(const std::string& hint) const;
    /// The layer with this chain ID, if unpacked.
    std::optional<Layer> find_layer(const std::string& chain_id) const;
    /// Unpacks the layer blob `blob_digest` on top of the layer `parent_chain_id`
    /// ("" for the bottom one) into its own directory, unless a layer with that
    /// chain ID is already there. The tar's diff ID must equal
    /// `expected_diff_id` (when not ""). Nothing is left behind on error.
    Layer add_layer(const std::string& blob_digest, const std::string& parent_chain_id,
                    const std::string& expected_diff_id);
    /// Writes the manifest for `config_doc` (stored as a blob) and the layer
    /// blobs (bottom first, with their media types), and points `tags` at it.
    Image add_image(const nlohmann::json& config_doc, const std::vector<std::pair<std::string, std::string>>& layer_blobs,
                    const std::vector<ImageRef>& tags);

private:
    struct Index;
    struct Pending;
    Index read_index() const;
    void write_index(const Index& index);
    std::optional<std::string> resolve(const Index& index, const std::string& reference) const;
    Image load_image(const Index& index, const std::string& manifest_digest) const;
    std::string register_image(const nlohmann::json& config_doc,
                               const std::vector<std::pair<std::string, std::string>>& layer_blobs,
                               std::vector<std::string>* added_blobs);
    Layer install_layer(const std::filesystem::path& tmp, const std::string& chain_id,
                        const std::string& parent, const std::string& diff_id);
    std::pair<std::string, std::string> unpack_layer(int fd, const std::filesystem::path& tmp,
                                                     const std::string& what);
    Layer add_layer_impl(const std::string& blob_digest, const std::string& parent_chain_id,
                         const std::string& expected_diff_id, bool* created);
    void delete_layer(const std::string& chain_id);
    Image image_from_directory(const std::filesystem::path& tmp, const nlohmann::json& config_doc,
                               const std::vector<ImageRef>& tags);
    void migrate_old_store();

    std::filesystem::path root_;
    std::filesystem::path dir_;
};

} // namespace kubik
