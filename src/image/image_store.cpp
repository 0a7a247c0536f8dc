#include "image/image_store.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "image/busybox_rootfs.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace kubik {

ImageStore::ImageStore(fs::path root) : images_(std::move(root) / "images") {}

fs::path ImageStore::image_dir(const ImageRef& ref) const { return images_ / ref.name / ref.tag; }

bool ImageStore::exists(const ImageRef& ref) const {
    return fs::exists(image_dir(ref) / "config.json");
}

Image ImageStore::find(const ImageRef& ref) const {
    Image image{ref, image_dir(ref), image_dir(ref) / "rootfs", {}};
    std::string text;
    try {
        text = read_file(image.dir / "config.json");
    } catch (const Error&) {
        throw Error("Unable to find image '" + ref.str() +
                    "' locally (`kubik images` lists them; `kubik image busybox` makes busybox)");
    }
    try {
        image.config = image_config_from_json(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception& e) {
        throw Error("image " + ref.str() + ": bad " + (image.dir / "config.json").string() + ": " + e.what());
    }
    return image;
}

std::vector<Image> ImageStore::list() const {
    std::vector<Image> images;
    std::error_code ec;
    // Names may contain '/', so walk the tree and take every directory that
    // holds a config.json as NAME/TAG.
    for (auto it = fs::recursive_directory_iterator(images_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (!it->is_directory() || !fs::exists(it->path() / "config.json")) continue;
        auto rel = fs::relative(it->path(), images_);
        ImageRef ref{rel.parent_path().string(), rel.filename().string()};
        if (ref.name.empty() || ref.name.starts_with(".")) continue;
        images.push_back(find(ref));
        it.disable_recursion_pending();
    }
    std::sort(images.begin(), images.end(),
              [](const Image& a, const Image& b) { return a.ref.str() < b.ref.str(); });
    return images;
}

Image ImageStore::create_busybox(const ImageRef& ref, const fs::path& busybox, bool replace) {
    fs::path dir = image_dir(ref);
    if (exists(ref) && !replace) return find(ref);

    // Build beside the store and rename into place: the rename is atomic, so
    // a crash leaves either no image or a whole one (plus a stray temp dir).
    fs::create_directories(images_);
    std::string flat = ref.name;
    std::replace(flat.begin(), flat.end(), '/', '_');
    fs::path tmp = images_ / (".tmp-" + flat + "-" + std::to_string(::getpid()));
    remove_tree_quietly(tmp);
    try {
        fs::create_directories(tmp / "rootfs");
        ImageConfig config = build_busybox_rootfs(tmp / "rootfs", busybox);
        write_file_atomic(tmp / "config.json", image_config_to_json(config).dump(2) + "\n", true);
        fs::create_directories(dir.parent_path());
        if (fs::exists(dir)) {
            fs::path old = images_ / (".old-" + std::to_string(::getpid()));
            fs::rename(dir, old);
            remove_tree_quietly(old);
        }
        fs::rename(tmp, dir);
    } catch (const fs::filesystem_error& e) {
        remove_tree_quietly(tmp);
        throw Error(std::string("create image ") + ref.str() + ": " + e.what());
    } catch (...) {
        remove_tree_quietly(tmp);
        throw;
    }
    return find(ref);
}

} // namespace kubik
