// The image a build stage has made so far: a config document and a stack of
// layers, kept in memory (no intermediate image is written to the store's
// index, so a failed or half-done build leaves no <none> images; only the
// layers of the steps that succeeded stay, for the cache, as docker's do).
#pragma once

#include "image/image_store.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kubik::build {

/// One layer of a stage's image: its blob (what the manifest names) and its
/// unpacked directory in the store.
struct StateLayer {
    std::string blob_digest;  ///< "sha256:…" of the uncompressed tar (= diff ID)
    std::string media_type;   ///< the manifest's mediaType for it
    Layer layer;              ///< unpacked: ROOT/store/layers/CHAIN/diff
};

/// The image a stage has made so far.
struct BuildState {
    nlohmann::json doc;               ///< the whole OCI config document
    std::vector<StateLayer> layers;   ///< bottom first
    std::string key;                  ///< cache key of the last step (the base's ID at FROM)

    /// The "config" object of `doc`, read.
    ImageConfig config() const;
    /// Writes `config` back into doc["config"] (the fields kubik knows are
    /// replaced, others the base image had are kept).
    void set_config(const ImageConfig& config);
    /// The unpacked layers, for a container's spec or an overlay.
    std::vector<Layer> store_layers() const;

    /// The state of `FROM scratch`: no layers, an empty config.
    static BuildState scratch();
    /// The state of `FROM image`: its config document and layers.
    static BuildState from_image(const ImageStore& store, const Image& image);

    /// As a cache entry (ROOT/build-cache/KEY.json).
    nlohmann::json to_json() const;
    /// Reads a cache entry; false when a layer it names is gone from the
    /// store (pruned): then the entry is a miss.
    static bool from_json(const ImageStore& store, const nlohmann::json& entry, BuildState& out);
};

/// Records a step that changed only the config: a history entry with
/// "empty_layer": true, docker's mark for metadata-only steps.
void add_empty_step(BuildState& state, const std::string& created_by);

/// Turns the overlay upper directory `upper` of a step into the stage's next
/// layer (lesson 4's write_layer: whiteouts as .wh. files), stores its blob
/// and unpacks it into the store (ImageStore::add_layer), and records the
/// history entry.
void add_layer_step(ImageStore& store, BuildState& state, const std::filesystem::path& upper,
                    const std::string& created_by);

} // namespace kubik::build
