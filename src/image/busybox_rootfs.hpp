// Lays out a minimal Linux root filesystem around a static busybox binary.
#pragma once

#include "image/image_config.hpp"

#include <filesystem>

namespace kubik {

/// Fills the empty directory `rootfs` with: /bin/busybox (copied), one symlink
/// per applet (`busybox --list-full`), the usual empty directories, and a
/// minimal /etc (passwd, group, hosts, nsswitch.conf). Returns the image
/// config docker's busybox image has (PATH, Cmd ["sh"]).
ImageConfig build_busybox_rootfs(const std::filesystem::path& rootfs,
                                 const std::filesystem::path& busybox);

} // namespace kubik
