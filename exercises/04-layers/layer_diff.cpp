// Lesson 4 — layers: an upper directory becomes a layer. Read lessons/04-layers/README.md first.
//
// The other direction of layer_apply.cpp: after a container ran, its upper
// directory holds exactly what it changed, in overlayfs's words (a whiteout
// device for a deleted file, an opaque xattr on a directory it replaced).
// `kubik commit` and, in lesson 7, every RUN step turn it into a layer tar in
// OCI's words.
#include "layers.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <functional>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace kubik::layers {

void write_layer(const fs::path& upper, image::TarWriter& out) {
    // TODO: walk `upper` depth first, each directory's names in sorted order
    // (the same files must give the same bytes, so the same digest). For each
    // entry (not `upper` itself): a character device 0:0 is a whiteout →
    // out.add_empty_file("DIR/.wh.NAME"); anything else → out.add_from_disk();
    // a directory whose trusted.overlay.opaque xattr is "y" is also followed
    // by an empty "DIR/.wh..wh..opq". Then its children.
    throw kubik::NotImplemented("not implemented yet: lesson 4 (layers) — write_layer(); see lessons/04-layers/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::layers
