// The image store: ROOT/images/NAME/TAG/{config.json, rootfs/}.
//
// Until lesson 4 brings layers, an image is one directory of files that
// containers use read-only (as the lower layer of an overlay mount).
#pragma once

#include "image/image_config.hpp"
#include "image/image_ref.hpp"

#include <filesystem>
#include <vector>

namespace kubik {

/// An image in the store.
struct Image {
    ImageRef ref;                 ///< its name and tag
    std::filesystem::path dir;    ///< ROOT/images/NAME/TAG
    std::filesystem::path rootfs; ///< dir/rootfs
    ImageConfig config;           ///< read from dir/config.json
};

/// The images of a state root: ROOT/images/NAME/TAG/.
class ImageStore {
public:
    /// The store of state root `root`.
    explicit ImageStore(std::filesystem::path root);

    /// Finds a local image; throws kubik::Error (125) "Unable to find image ..." when absent.
    Image find(const ImageRef& ref) const;
    /// Whether the store has the image.
    bool exists(const ImageRef& ref) const;
    /// Every image in the store, sorted by name and tag.
    std::vector<Image> list() const;

    /// Makes an image from a statically linked busybox binary (Debian's
    /// busybox-static): the binary, a link per applet, a minimal /etc.
    /// Built in a temp directory and renamed into place, so a half-made image
    /// is never visible. Replaces an existing image only when `replace` is set.
    Image create_busybox(const ImageRef& ref, const std::filesystem::path& busybox, bool replace);

private:
    std::filesystem::path image_dir(const ImageRef& ref) const;
    std::filesystem::path images_;
};

} // namespace kubik
