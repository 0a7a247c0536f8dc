// Lesson 4 — layers: an image is a stack of read-only layers, each a set of
// changes to the one below, and a container is that stack plus one writable
// layer of its own, put together by overlayfs.
//
// A layer travels as a tar. Adding or changing a file is just the file in the
// tar. Deleting one can't be said with a file, so OCI images use marker
// names: ".wh.NAME" says "NAME is deleted", and ".wh..wh..opq" in a directory
// says "this directory hides everything below it" (opaque). overlayfs has its
// own way to say the same on disk: a character device 0:0 named NAME, and
// the xattr trusted.overlay.opaque="y" on the directory. This lesson
// translates between the two, and mounts the stack.
#pragma once

#include "image/layer_root.hpp"
#include "image/tar_reader.hpp"
#include "image/tar_writer.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::layers {

/// What one tar entry of a layer means.
struct LayerChange {
    /// The three things an entry can say.
    enum class Kind {
        Add,      ///< an ordinary entry: a file, directory, link or device to create
        Whiteout, ///< ".wh.NAME": NAME is deleted
        Opaque,   ///< ".wh..wh..opq": the directory it is in hides the layers below
    };
    Kind kind = Kind::Add; ///< which of them this entry says
    /// Add: the entry's path. Whiteout: the path of the deleted file
    /// ("etc/.wh.motd" → "etc/motd"). Opaque: the directory ("var/cache").
    /// Always without a leading "./" or "/" and without a trailing "/".
    std::string path;
};

/// Reads what a layer entry named `tar_path` means ("./etc/.wh.motd",
/// "usr/share/doc/.wh..wh..opq", "bin/sh").
LayerChange classify_entry(const std::string& tar_path);

/// Unpacks every entry of `tar` into `root` (an empty directory of its own),
/// turning OCI whiteouts into overlayfs ones: a ".wh.NAME" entry becomes a
/// character device 0:0 named NAME, a ".wh..wh..opq" entry sets
/// trusted.overlay.opaque="y" on its directory. Entries are created through
/// `root` only (never by a path from "/"), so a hostile tar can't reach out.
void apply_layer(image::TarReader& tar, image::LayerRoot& root);

/// The chain ID of a stack of layers given by their diff IDs, bottom first:
/// ChainID(L0) = DiffID(L0), ChainID(L0…Ln) = sha256(ChainID(L0…Ln-1) + " " +
/// DiffID(Ln)). It names "this layer on top of exactly these", which is what
/// an unpacked layer directory is. Throws kubik::Error on an empty list.
std::string chain_id(const std::vector<std::string>& diff_ids);

/// Everything needed to mount a container's root filesystem.
struct LayerMount {
    /// The image's layer directories, bottom first (the manifest's order).
    std::vector<std::filesystem::path> lowers;
    /// A directory of short symlinks, one per layer directory.
    std::filesystem::path links_dir;
    /// links[i] is the name in links_dir of a symlink to lowers[i].
    std::vector<std::string> links;
    std::filesystem::path upper; ///< the container's own writable layer
    std::filesystem::path work;  ///< overlayfs's scratch directory, beside upper
    /// Skip syncing the upper layer (for --rm containers, thrown away anyway).
    bool volatile_upper = false;
};

/// The overlayfs option string for `lowers` (bottom first, as in LayerMount):
/// "lowerdir=TOP:…:BOTTOM,upperdir=UPPER,workdir=WORK", with "volatile,"
/// first when asked. Throws kubik::Error when a path contains ',' or ':',
/// which the option syntax cannot carry.
std::string overlay_options(const std::vector<std::string>& lowers, const std::string& upper,
                            const std::string& work, bool volatile_upper);

/// Mounts the overlay of `layers` on `target`. The kernel takes at most one
/// page (4096 bytes) of mount options; when the full paths don't fit, mounts
/// with the short names of `links` relative to `links_dir` instead.
void mount_layers(const LayerMount& layers, const std::filesystem::path& target);

/// Writes the changes an overlayfs upper directory holds as an OCI layer:
/// every entry of `upper`, in sorted order, parents before children, with a
/// whiteout (character device 0:0) written as an empty ".wh.NAME" and an
/// opaque directory as the directory followed by its ".wh..wh..opq".
void write_layer(const std::filesystem::path& upper, image::TarWriter& out);

} // namespace kubik::layers
