// Image references as docker writes them: NAME[:TAG], TAG defaulting to "latest".
#pragma once

#include <string>

namespace kubik {

/// An image's name and tag.
struct ImageRef {
    std::string name; ///< "busybox", "library/busybox", "my-app"
    std::string tag;  ///< "latest" unless given

    /// "busybox:latest"
    std::string str() const { return name + ":" + tag; }

    /// Parses "name[:tag]"; throws kubik::Error (125) naming what is wrong.
    static ImageRef parse(const std::string& text);
};

} // namespace kubik
