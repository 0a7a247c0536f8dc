// How images look on the command line: shared by the image commands and by
// `kubik inspect`, which falls back to images as docker's does.
#pragma once

#include "image/image_store.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

namespace kubik::cli {

/// The 12 hex digits docker shows for an ID ("sha256:…" or bare hex).
std::string short_id(const std::string& id);
/// "registry:5000/ns/name:tag" → {"registry:5000/ns/name", "tag"}; a
/// reference without a tag gets "" as its tag.
std::pair<std::string, std::string> split_tag(const std::string& reference);
/// `docker image inspect`'s object for `image`.
nlohmann::json image_inspect_json(const Image& image);

} // namespace kubik::cli
