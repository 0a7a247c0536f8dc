#include "image/image_ref.hpp"

#include "core/error.hpp"

#include <regex>

namespace kubik {
namespace {

// The grammar of docker's distribution/reference package.
// A path component: [a-z0-9] runs joined by '.', '_', '__' or dashes.
const char* const kComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
// A registry host: DNS labels joined by dots (any case), or [IPv6], and a port.
const char* const kDomain =
    "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
    "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";

const std::regex& path_re() {
    static const std::regex re(std::string(kComponent) + "(?:/" + kComponent + ")*");
    return re;
}
const std::regex& domain_re() {
    static const std::regex re(kDomain);
    return re;
}

[[noreturn]] void invalid(const std::string& why = "") {
    throw Error("invalid reference format" + (why.empty() ? "" : ": " + why));
}

// Docker's splitDockerDomain: the first component is a registry host only if
// it looks like one (has '.' or ':', or is "localhost") and a '/' follows.
void split_domain(const std::string& name, std::string& domain, std::string& path) {
    auto slash = name.find('/');
    if (slash != std::string::npos) {
        std::string first = name.substr(0, slash);
        if (first.find_first_of(".:") != std::string::npos || first == "localhost" ||
            first != [&] {
                std::string lower = first;
                for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                return lower;
            }()) {
            domain = first;
            path = name.substr(slash + 1);
            return;
        }
    }
    domain.clear();
    path = name;
}

bool is_hex(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

bool is_valid_tag(const std::string& text) {
    static const std::regex tag_re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    return std::regex_match(text, tag_re);
}

ImageRef ImageRef::parse(const std::string& text) {
    if (text.empty()) invalid();
    ImageRef ref;
    std::string rest = text;
    if (auto at = rest.find('@'); at != std::string::npos) {
        ref.digest = rest.substr(at + 1);
        rest.resize(at);
        auto colon = ref.digest.find(':');
        if (colon == std::string::npos || ref.digest.substr(0, colon) != "sha256") invalid();
        std::string hex = ref.digest.substr(colon + 1);
        if (hex.size() != 64 || !is_hex(hex)) invalid();
    }
    // A ':' after the last '/' starts the tag; one before it is a port.
    auto colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
        ref.tag = rest.substr(colon + 1);
        rest.resize(colon);
        if (!is_valid_tag(ref.tag)) invalid();
    }
    if (rest.empty()) invalid();
    // Docker refuses an image ID where a name belongs: it would shadow the ID.
    if (rest.size() == 64 && is_hex(rest) && ref.digest.empty() && ref.tag.empty())
        throw Error("invalid repository name (" + rest +
                    "), cannot specify 64-byte hexadecimal strings");

    std::string domain, path;
    split_domain(rest, domain, path);
    if (!domain.empty() && !std::regex_match(domain, domain_re())) invalid();
    if (!std::regex_match(path, path_re())) {
        std::string lower = path;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower != path && std::regex_match(lower, path_re())) {
            // Docker names the repository as it normalises it: "Busybox" is
            // "library/Busybox" on docker.io.
            std::string shown = domain.empty() && path.find('/') == std::string::npos ? "library/" + path : path;
            invalid("repository name (" + shown + ") must be lowercase");
        }
        invalid();
    }
    if (rest.size() > 255) invalid("repository name must not be more than 255 characters");
    ref.name = rest;
    if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
    return ref;
}

std::string ImageRef::full_name(const std::string& name) {
    std::string domain, path;
    split_domain(name, domain, path);
    if (!domain.empty()) return name;
    return "docker.io/" + (path.find('/') == std::string::npos ? "library/" + path : path);
}

std::string ImageRef::familiar_name(const std::string& name) {
    for (const char* prefix : {"docker.io/library/", "index.docker.io/library/"}) {
        std::string p = prefix;
        if (name.starts_with(p) && name.find('/', p.size()) == std::string::npos) return name.substr(p.size());
    }
    for (const char* prefix : {"docker.io/", "index.docker.io/"}) {
        std::string p = prefix;
        if (name.starts_with(p)) return name.substr(p.size());
    }
    return name;
}

} // namespace kubik
