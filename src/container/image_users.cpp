#include "container/image_users.hpp"

namespace kubik {

const std::vector<ImageUser>& ImageUsers::of(const std::string& image_id) const {
    static const std::vector<ImageUser> none;
    auto it = by_image.find(image_id);
    return it == by_image.end() ? none : it->second;
}

ImageUsers collect_image_users(const ContainerStore& store) {
    ImageUsers users;
    for (const auto& info : store.list()) {
        if (!info.damage.empty()) continue;
        for (const auto& layer : info.spec.layers) users.chain_ids.insert(layer.chain_id);
        if (!info.spec.image_id.empty())
            users.by_image[info.spec.image_id].push_back({info.spec.id, info.running()});
    }
    return users;
}

} // namespace kubik
