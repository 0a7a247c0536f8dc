#include "image/image_ref.hpp"

#include "core/error.hpp"

#include <regex>

namespace kubik {

ImageRef ImageRef::parse(const std::string& text) {
    // The grammar of docker's reference package, without registry hosts and
    // digests (lesson 9 adds those): lowercase path components joined by '/',
    // each made of [a-z0-9] runs separated by '.', '_', '__' or dashes.
    static const std::regex name_re(
        "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    static const std::regex tag_re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    ImageRef ref;
    auto colon = text.rfind(':');
    if (colon != std::string::npos && text.find('/', colon) == std::string::npos) {
        ref.name = text.substr(0, colon);
        ref.tag = text.substr(colon + 1);
    } else {
        ref.name = text;
        ref.tag = "latest";
    }
    if (!std::regex_match(ref.name, name_re))
        throw Error("invalid reference format: \"" + text +
                    "\" (image names are lowercase letters, digits and . _ - /)");
    if (!std::regex_match(ref.tag, tag_re))
        throw Error("invalid reference format: bad tag in \"" + text + "\"");
    return ref;
}

} // namespace kubik
