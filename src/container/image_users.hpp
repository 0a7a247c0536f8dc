// Which containers use which images: what keeps an image's layers in the
// store (`kubik rmi`, `kubik image prune`) and what `kubik system df` counts
// as active.
#pragma once

#include "container/container_store.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace kubik {

/// One container that uses an image.
struct ImageUser {
    std::string container_id; ///< 64 hex digits
    bool running = false;     ///< its init still runs (ContainerInfo::running)
};

/// Every container's claim on the image store.
struct ImageUsers {
    /// The chain IDs of every layer some container stands on: the store must
    /// keep these directories, whatever happens to the images' names.
    std::set<std::string> chain_ids;
    /// Image ID ("sha256:…") → the containers made from it, newest first.
    std::map<std::string, std::vector<ImageUser>> by_image;

    /// The containers of image `image_id` (none: an empty list).
    const std::vector<ImageUser>& of(const std::string& image_id) const;
};

/// Reads every container's record in `store`. A container whose record
/// can't be read (ContainerInfo::damage) claims nothing: its layers are
/// unknown, and it can't be started again either.
ImageUsers collect_image_users(const ContainerStore& store);

} // namespace kubik
