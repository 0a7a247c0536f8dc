// Lesson 5 — volumes: reading a `-v` flag. Read lessons/05-volumes/README.md first.
//
// `-v` packs three things into one string, separated by ':':
//
//   SOURCE:TARGET[:OPTIONS]   SOURCE is a host path when it starts with '/',
//                             else the name of a volume
//   TARGET                    alone: an anonymous volume at TARGET
//
// Docker's rules, which this file follows because users type docker's
// commands from memory:
//   - at most two ':' and no empty field ("-v ::" is one mistake, not three);
//   - the target is absolute: a mount point is a place in the container's
//     tree, and a relative one has nothing to be relative to;
//   - a volume name is [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least):
//     it becomes a directory name in the state root, so "../x" or "a/b" must
//     never get through. "data/x" is most likely a host path without its '/',
//     so the message says so;
//   - the options: ro or rw (one at most), nocopy for a volume, a propagation
//     for a bind, z/Z accepted and ignored (SELinux labels; none here). Any
//     other word, or one given twice, is "invalid mode" — never silently
//     ignored: a user who typed "r0" believes the mount is read-only.
//
// Pitfall: splitting on every ':' and taking the first three pieces accepts
// "a:/b:ro:junk". Count the separators first.
#include "volumes.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"

#include <string_view>
#include <vector>

namespace kubik::volumes {

namespace {

// BEGIN SOLUTION
// TODO: helpers of your own, if you want them (splitting, name checks).
std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = text.find(separator, start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+
bool is_volume_name(const std::string& name) {
    if (name.size() < 2 || !is_name_start(name[0])) return false;
    for (char c : name)
        if (!is_name_start(c) && c != '_' && c != '.' && c != '-') return false;
    return true;
}

std::optional<Propagation> propagation_of(const std::string& word) {
    if (word == "private") return Propagation::Private;
    if (word == "rprivate") return Propagation::RPrivate;
    if (word == "slave") return Propagation::Slave;
    if (word == "rslave") return Propagation::RSlave;
    if (word == "shared") return Propagation::Shared;
    if (word == "rshared") return Propagation::RShared;
    return std::nullopt;
}

// END SOLUTION

} // namespace

MountSpec parse_volume_flag(const std::string& value) {
    // BEGIN SOLUTION parse_volume_flag
    // TODO: split on ':' (1 to 3 fields, none empty: else "invalid volume
    // specification: 'VALUE'"); one field is an anonymous volume's target; the
    // first of two or three is a bind's host path when it starts with '/'
    // (create_source = true), else a volume name that must match
    // [a-zA-Z0-9][a-zA-Z0-9_.-]+; the target must be absolute; the third field
    // is the options (see volumes.hpp), "invalid mode: OPTIONS" on anything else.
    const Error invalid_spec("invalid volume specification: '" + value + "'");
    const std::vector<std::string> fields = split(value, ':');
    if (fields.size() > 3) throw invalid_spec;
    for (const auto& field : fields)
        if (field.empty()) throw invalid_spec;

    MountSpec spec;
    if (fields.size() == 1) {
        spec.type = MountType::Volume; // anonymous: src names it later
        spec.target = fields[0];
    } else {
        spec.target = fields[1];
        if (fields[0].front() == '/') {
            spec.type = MountType::Bind;
            spec.source = fields[0];
            // -v makes a missing host directory (docker's old, forgiving rule).
            spec.create_source = true;
        } else {
            spec.type = MountType::Volume;
            spec.source = fields[0];
        }
    }
    if (spec.target.front() != '/')
        throw Error("invalid volume specification: '" + value + "': invalid mount config for type \"" +
                    std::string(spec.type == MountType::Bind ? "bind" : "volume") + "\": invalid mount path: '" +
                    spec.target + "' mount path must be absolute");
    if (spec.type == MountType::Volume && !spec.source.empty() && !is_volume_name(spec.source))
        throw Error("create " + spec.source + ": \"" + spec.source +
                    "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" "
                    "are allowed. If you intended to pass a host directory, use absolute path");
    if (fields.size() < 3) return spec;

    const std::string& options = fields[2];
    const Error invalid("invalid mode: " + options);
    bool seen_rw = false, seen_propagation = false, seen_nocopy = false, seen_label = false;
    for (const std::string& word : split(options, ',')) {
        if (word == "ro" || word == "rw") {
            if (seen_rw) throw invalid;
            seen_rw = true;
            spec.readonly = word == "ro";
        } else if (word == "nocopy") {
            // Copying the image's files in is what a volume does; a bind
            // mount shows the host's directory as it is.
            if (seen_nocopy || spec.type != MountType::Volume) throw invalid;
            seen_nocopy = true;
            spec.nocopy = true;
        } else if (word == "z" || word == "Z") {
            if (seen_label) throw invalid;
            seen_label = true;
        } else if (auto propagation = propagation_of(word)) {
            // A volume's directory is kubik's own; only a bind has a source
            // whose mounts could travel.
            if (seen_propagation || spec.type != MountType::Bind) throw invalid;
            seen_propagation = true;
            spec.propagation = *propagation;
        } else {
            throw invalid;
        }
    }
    return spec;
    // END SOLUTION
}

} // namespace kubik::volumes
