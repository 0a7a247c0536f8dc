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
    // BEGIN SOLUTION classify_entry
    // TODO: strip a leading "./" or "/" and a trailing "/"; then look at the
    // last name: ".wh..wh..opq" makes its directory opaque, ".wh.NAME" deletes
    // NAME in the same directory, anything else is added as it is.
    std::string_view path = tar_path;
    // Tars made by `tar -C dir .` name entries "./etc/passwd", others "etc/passwd";
    // some even "/etc/passwd". The layer means the same file in all three.
    for (;;) {
        if (path.starts_with("./")) path.remove_prefix(2);
        else if (path.starts_with("/")) path.remove_prefix(1);
        else break;
    }
    while (path.ends_with("/")) path.remove_suffix(1);
    if (path == ".") path = {};

    const auto slash = path.rfind('/');
    const std::string_view dir = slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto in_dir = [&](std::string_view leaf) {
        return dir.empty() ? std::string(leaf) : std::string(dir) + "/" + std::string(leaf);
    };

    // The opaque marker first: it starts with ".wh." too, and read as an
    // ordinary whiteout it would delete a file named ".wh..opq".
    if (name == kOpaqueMarker) return {LayerChange::Kind::Opaque, std::string(dir)};
    if (name.starts_with(kWhiteoutPrefix))
        return {LayerChange::Kind::Whiteout, in_dir(name.substr(kWhiteoutPrefix.size()))};
    return {LayerChange::Kind::Add, std::string(path)};
    // END SOLUTION classify_entry
}

void apply_layer(image::TarReader& tar, image::LayerRoot& root) {
    // BEGIN SOLUTION apply_layer
    // TODO: for each entry (tar.next(entry)), classify_entry(entry.path):
    // Add → root.extract(entry, tar); Whiteout → a character device 0:0 named
    // like the deleted file, made with mknodat() in root.parent_of(path).dir;
    // Opaque → fsetxattr(the directory, "trusted.overlay.opaque", "y").
    // Never build a path from "/": everything goes through `root`. Call
    // root.finish() at the end (directory mtimes).
    image::TarEntry entry;
    while (tar.next(entry)) {
        const LayerChange change = classify_entry(entry.path);
        switch (change.kind) {
        case LayerChange::Kind::Add:
            // "./" itself: the layer directory is kubik's, not the tar's.
            if (change.path.empty()) continue;
            // extract() replaces an earlier entry of the same name (a tar may
            // hold a file twice; the last one wins, as with tar -x).
            root.extract(entry, tar);
            break;

        case LayerChange::Kind::Whiteout: {
            if (change.path.empty() || change.path.ends_with("/"))
                throw Error("layer " + tar.what() + ": whiteout " + entry.path + " names no file");
            // parent_of() walks from the layer's own descriptor with openat2
            // and creates missing parents: "usr/lib/.wh.x" where usr/lib comes
            // from a lower layer still needs usr/lib here, to hold the device.
            auto parent = root.parent_of(change.path);
            // A later entry replaces an earlier one, a whiteout included:
            // mknodat() fails with EEXIST on a name that is taken.
            if (::unlinkat(parent.dir.get(), parent.name.c_str(), 0) != 0 && errno != ENOENT) {
                if (errno != EISDIR ||
                    ::unlinkat(parent.dir.get(), parent.name.c_str(), AT_REMOVEDIR) != 0)
                    throw_errno("layer " + tar.what() + ": whiteout " + entry.path +
                                ": remove the earlier " + change.path);
            }
            // overlayfs's whiteout: a character device with device number 0:0.
            // A regular empty file would just show up as an empty file.
            if (::mknodat(parent.dir.get(), parent.name.c_str(), S_IFCHR | 0000, ::makedev(0, 0)) != 0)
                throw_errno("layer " + tar.what() + ": whiteout " + entry.path + ": mknod " + change.path);
            break;
        }

        case LayerChange::Kind::Opaque: {
            // The xattr goes on the directory the marker is IN ("var/cache"
            // for "var/cache/.wh..wh..opq"), not on the marker, and not on its parent.
            UniqueFd dir;
            if (change.path.empty()) {
                // "./.wh..wh..opq": the whole layer hides everything below it.
                dir.reset(::openat(root.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            } else {
                auto parent = root.parent_of(change.path);
                // The marker may come before (or without) its directory's own entry.
                if (::mkdirat(parent.dir.get(), parent.name.c_str(), 0755) != 0 && errno != EEXIST)
                    throw_errno("layer " + tar.what() + ": " + entry.path + ": mkdir " + change.path);
                // O_NOFOLLOW: a symlink named like the directory must not lead elsewhere.
                dir.reset(::openat(parent.dir.get(), parent.name.c_str(),
                                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            }
            if (!dir) throw_errno("layer " + tar.what() + ": " + entry.path + ": open the directory");
            // "trusted." xattrs need CAP_SYS_ADMIN: kubik unpacks as root.
            if (::fsetxattr(dir.get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
                throw_errno("layer " + tar.what() + ": " + entry.path + ": set trusted.overlay.opaque on " +
                            (change.path.empty() ? std::string("the layer's root") : change.path));
            break;
        }
        }
    }
    // Creating entries changed the directories' mtimes; set them last.
    root.finish();
    // END SOLUTION apply_layer
}

} // namespace kubik::layers
