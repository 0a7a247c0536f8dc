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
    // BEGIN SOLUTION write_layer
    // TODO: walk `upper` depth first, each directory's names in sorted order
    // (the same files must give the same bytes, so the same digest). For each
    // entry (not `upper` itself): a character device 0:0 is a whiteout →
    // out.add_empty_file("DIR/.wh.NAME"); anything else → out.add_from_disk();
    // a directory whose trusted.overlay.opaque xattr is "y" is also followed
    // by an empty "DIR/.wh..wh..opq". Then its children.
    std::function<void(const fs::path&, const std::string&)> walk = [&](const fs::path& dir,
                                                                        const std::string& prefix) {
        std::error_code ec;
        std::vector<std::string> names;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            names.push_back(it->path().filename().string());
        if (ec) throw Error("layer from " + upper.string() + ": read " + dir.string() + ": " + ec.message());
        // A directory's order on disk is the file system's (hash order on
        // ext4): sort, so that the tar, and its digest, depend on the files only.
        std::sort(names.begin(), names.end());

        for (const auto& name : names) {
            const fs::path disk = dir / name;
            // The path inside the layer: relative, no "./", parent first.
            const std::string entry = prefix + name;
            struct stat st {};
            if (::lstat(disk.c_str(), &st) != 0) throw_errno("layer from " + upper.string() + ": lstat " + disk.string());

            // overlayfs deleted a lower file here. In a tar it is an empty
            // ".wh.NAME" in the same directory (not at the top of the layer).
            if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {
                out.add_empty_file(prefix + ".wh." + name);
                continue;
            }
            out.add_from_disk(disk, entry);
            if (!S_ISDIR(st.st_mode)) continue;

            // A directory the container removed and made again: overlayfs
            // marked it opaque, and nothing of the lower one may show through.
            // The marker goes INSIDE it, after the directory's own entry.
            char value[4] = {};
            const ssize_t n = ::lgetxattr(disk.c_str(), "trusted.overlay.opaque", value, sizeof value);
            if (n == 1 && value[0] == 'y') out.add_empty_file(entry + "/.wh..wh..opq");
            walk(disk, entry + "/");
        }
    };
    // `upper` itself is the layer's root, not an entry of it.
    walk(upper, "");
    // END SOLUTION write_layer
}

} // namespace kubik::layers
