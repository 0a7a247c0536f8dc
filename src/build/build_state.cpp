// See build_state.hpp.
#include "build/build_state.hpp"

#include "container/container_state.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/unique_fd.hpp"
#include "image/tar_writer.hpp"
#include "layers.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace kubik::build {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kLayerTar = "application/vnd.oci.image.layer.v1.tar";

// The config keys ImageConfig models: set_config() owns them.
constexpr const char* kModelled[] = {"Env",         "Entrypoint", "Cmd",    "WorkingDir", "User",
                                     "ExposedPorts", "Volumes",   "Labels", "StopSignal", "Shell",
                                     "OnBuild",      "Healthcheck"};

// The temp tar goes however the step ends.
struct TempFile {
    fs::path path;
    ~TempFile() {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

void add_history(BuildState& state, const std::string& created_by, bool empty_layer) {
    std::string now = now_rfc3339();
    json entry = {{"created", now}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}};
    if (empty_layer) entry["empty_layer"] = true;
    if (!state.doc.contains("history") || !state.doc["history"].is_array()) state.doc["history"] = json::array();
    state.doc["history"].push_back(entry);
    state.doc["created"] = now;
}

} // namespace

ImageConfig BuildState::config() const { return image_config_from_json(doc); }

void BuildState::set_config(const ImageConfig& config) {
    if (!doc.contains("config") || !doc["config"].is_object()) doc["config"] = json::object();
    json& cfg = doc["config"];
    for (const char* name : kModelled) cfg.erase(name);
    json ours = image_config_to_json(config)["config"];
    for (auto& [name, value] : ours.items()) {
        // Docker leaves unset fields out (or null) rather than writing empty ones.
        if (value.is_null() || (value.is_array() && value.empty()) || (value.is_object() && value.empty()) ||
            (value.is_string() && value.get<std::string>().empty()))
            continue;
        cfg[name] = value;
    }
}

std::vector<Layer> BuildState::store_layers() const {
    std::vector<Layer> out;
    for (const auto& l : layers) out.push_back(l.layer);
    return out;
}

BuildState BuildState::scratch() {
    BuildState state;
    // BuildKit's empty image has the default PATH (so does every image it
    // builds FROM scratch): a RUN or `kubik run` finds its commands.
    state.doc = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"config", {{"Env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}}},
        {"rootfs", {{"type", "layers"}, {"diff_ids", json::array()}}},
        {"history", json::array()},
    };
    state.key = "scratch";
    return state;
}

BuildState BuildState::from_image(const ImageStore& store, const Image& image) {
    BuildState state;
    state.doc = image.config_doc;
    state.key = image.id;
    json manifest = json::parse(read_file(store.blob_path(image.manifest_digest)));
    const json& blobs = manifest.at("layers");
    if (blobs.size() != image.layers.size())
        throw Error("image " + image.id + ": its manifest and config disagree on the number of layers");
    for (size_t i = 0; i < image.layers.size(); ++i)
        state.layers.push_back({blobs[i].at("digest").get<std::string>(), blobs[i].value("mediaType", kLayerTar),
                                image.layers[i]});
    // Docker does not pass a base image's triggers on: they ran in this build.
    if (state.doc.contains("config") && state.doc["config"].is_object()) state.doc["config"].erase("OnBuild");
    return state;
}

json BuildState::to_json() const {
    json out = {{"config", doc}, {"layers", json::array()}};
    for (const auto& l : layers)
        out["layers"].push_back({{"digest", l.blob_digest}, {"mediaType", l.media_type}, {"chain_id", l.layer.chain_id}});
    return out;
}

bool BuildState::from_json(const ImageStore& store, const json& entry, BuildState& out) {
    BuildState state;
    state.doc = entry.at("config");
    for (const auto& l : entry.at("layers")) {
        std::string digest = l.at("digest").get<std::string>();
        auto layer = store.find_layer(l.at("chain_id").get<std::string>());
        if (!layer || !store.has_blob(digest)) return false;
        state.layers.push_back({digest, l.value("mediaType", kLayerTar), *layer});
    }
    out = std::move(state);
    return true;
}

void add_empty_step(BuildState& state, const std::string& created_by) { add_history(state, created_by, true); }

void add_layer_step(ImageStore& store, BuildState& state, const fs::path& upper, const std::string& created_by) {
    fs::create_directories(store.dir());
    TempFile tar{store.temp_path("layer")};
    std::string digest;
    {
        UniqueFd out(::open(tar.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!out) throw_errno("create " + tar.path.string());
        image::TarWriter writer(out.get(), tar.path.string());
        layers::write_layer(upper, writer);
        writer.finish();
        digest = writer.digest();
    }
    Layer layer;
    {
        ImageStore::Lock lock(store);
        store.adopt_blob(tar.path, digest);
        std::string parent = state.layers.empty() ? "" : state.layers.back().layer.chain_id;
        layer = store.add_layer(digest, parent, digest);
    }
    state.layers.push_back({digest, kLayerTar, layer});
    if (!state.doc.contains("rootfs") || !state.doc["rootfs"].is_object())
        state.doc["rootfs"] = {{"type", "layers"}, {"diff_ids", json::array()}};
    state.doc["rootfs"]["diff_ids"].push_back(layer.diff_id);
    add_history(state, created_by, false);
}

} // namespace kubik::build
