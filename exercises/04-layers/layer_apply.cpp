// Lesson 4 — layers: unpacking one layer onto a directory. Read lessons/04-layers/README.md first.
//
// A layer tar says "delete" with marker names (OCI whiteouts); overlayfs, which
// will stack the unpacked directories, says it with a character device 0:0
// (a whiteout) and an xattr on a directory (opaque). Unpacking translates the
// one into the other, so the directory is ready to be a lowerdir as it is.
#include "layers.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace kubik::layers {

namespace {

// The OCI image spec's marker names (image-spec, layer.md, "Whiteouts").
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

} // namespace

LayerChange classify_entry(const std::string& tar_path) {
    // TODO: strip a leading "./" or "/" and a trailing "/"; then look at the
    // last name: ".wh..wh..opq" makes its directory opaque, ".wh.NAME" deletes
    // NAME in the same directory, anything else is added as it is.
    throw kubik::NotImplemented("not implemented yet: lesson 4 (layers) — classify_entry(); see lessons/04-layers/README.md (по-русски: README.ru.md)");
}

void apply_layer(image::TarReader& tar, image::LayerRoot& root) {
    // TODO: for each entry (tar.next(entry)), classify_entry(entry.path):
    // Add → root.extract(entry, tar); Whiteout → a character device 0:0 named
    // like the deleted file, made with mknodat() in root.parent_of(path).dir;
    // Opaque → fsetxattr(the directory, "trusted.overlay.opaque", "y").
    // Never build a path from "/": everything goes through `root`. Call
    // root.finish() at the end (directory mtimes).
    throw kubik::NotImplemented("not implemented yet: lesson 4 (layers) — apply_layer(); see lessons/04-layers/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::layers
