// The layer cache of `kubik build`: ROOT/build-cache/HEX.json, one file per
// step that ran, named by its cache key (step_cache_key), holding the stage's
// image as that step left it (BuildState: config document and layers).
//
// Each entry is written to a temp file and renamed into place, so two builds
// running at once that share steps both write complete entries and the last
// rename wins; a reader never sees half of one. The layers an entry names
// live in the image store; one removed since (`kubik image prune`) makes the
// entry a miss, and the step runs again.
#pragma once

#include "build/build_state.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace kubik::build {

/// ROOT/build-cache.
class BuildCache {
public:
    /// The cache of state root `root` (the directory is created on first write).
    explicit BuildCache(const std::filesystem::path& root) : dir_(root / "build-cache") {}

    /// The state a step with this key left, if it is cached and its layers are
    /// still in `store`.
    std::optional<BuildState> find(const ImageStore& store, const std::string& key) const;
    /// Records the state a step left under its key.
    void put(const std::string& key, const BuildState& state) const;
    /// `kubik builder prune`: removes every entry (the layers go with the next
    /// `kubik image prune`); returns how many there were.
    std::size_t prune() const;

    /// ROOT/build-cache/mounts/ID: the directories of RUN --mount=type=cache.
    std::filesystem::path mount_dir(const std::string& id) const;

private:
    std::filesystem::path entry_path(const std::string& key) const;
    std::filesystem::path dir_;
};

} // namespace kubik::build
