// Image references as docker writes them: [HOST[:PORT]/]PATH[:TAG][@DIGEST].
//
// Docker normalises a short name ("busybox") to "docker.io/library/busybox";
// kubik keeps the name as typed ("busybox"), the way `docker images` shows it,
// so the store's index says "busybox:latest". A reference loaded from an
// archive with a full docker.io name is shortened the same way (familiar()).
#pragma once

#include <string>

namespace kubik {

/// An image's name, tag and digest.
struct ImageRef {
    std::string name;   ///< "busybox", "registry:5000/ns/name", as typed
    std::string tag;    ///< "latest" unless a tag or a digest was given
    std::string digest; ///< "sha256:…" when given as `name@sha256:…`, else ""

    /// "busybox:latest", "name@sha256:…", "name:tag@sha256:…".
    std::string str() const {
        std::string s = name;
        if (!tag.empty()) s += ":" + tag;
        if (!digest.empty()) s += "@" + digest;
        return s;
    }

    /// Parses a reference with docker's rules; throws kubik::Error (125) with
    /// docker's wording ("invalid reference format", "invalid reference
    /// format: repository name (library/Busybox) must be lowercase").
    static ImageRef parse(const std::string& text);

    /// The name as docker's engine stores it: "busybox" → "docker.io/library/busybox",
    /// "ns/x" → "docker.io/ns/x"; a name with a registry host stays as it is.
    static std::string full_name(const std::string& name);
    /// The reverse of full_name(): "docker.io/library/busybox" → "busybox".
    static std::string familiar_name(const std::string& name);
};

/// Whether `text` is a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool is_valid_tag(const std::string& text);

} // namespace kubik
