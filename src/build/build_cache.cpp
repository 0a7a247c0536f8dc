// See build_cache.hpp.
#include "build/build_cache.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/sha256.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cerrno>

namespace kubik::build {

namespace fs = std::filesystem;

fs::path BuildCache::entry_path(const std::string& key) const { return dir_ / (digest_hex(key) + ".json"); }

std::optional<BuildState> BuildCache::find(const ImageStore& store, const std::string& key) const {
    std::error_code ec;
    fs::path path = entry_path(key);
    if (!fs::exists(path, ec)) return std::nullopt;
    try {
        BuildState state;
        if (!BuildState::from_json(store, nlohmann::json::parse(read_file(path)), state)) return std::nullopt;
        state.key = key;
        return state;
    } catch (const std::exception&) {
        // A damaged entry (a full disk, a hand edit) is only a miss: the
        // step runs again and writes a good one.
        return std::nullopt;
    }
}

void BuildCache::put(const std::string& key, const BuildState& state) const {
    fs::create_directories(dir_);
    // A temp name of this process's own: two builds writing the same key at
    // once must not write into one temp file. Not durable: losing an entry
    // in a crash costs a rerun, nothing else.
    fs::path path = entry_path(key);
    fs::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    write_file(tmp, state.to_json().dump(), /*durable=*/false);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw_errno("rename " + tmp.string(), err);
    }
}

std::size_t BuildCache::prune() const {
    std::size_t count = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec))
        if (entry.path().extension() == ".json" && ::unlink(entry.path().c_str()) == 0) ++count;
    remove_tree_quietly(dir_ / "mounts");
    return count;
}

fs::path BuildCache::mount_dir(const std::string& id) const {
    return dir_ / "mounts" / digest_hex(sha256_digest(id));
}

} // namespace kubik::build
