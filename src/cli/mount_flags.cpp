#include "cli/mount_flags.hpp"

#include "cli/units.hpp"
#include "core/error.hpp"
#include "volume/volume_store.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

namespace kubik::cli {
namespace {

using volumes::MountSpec;
using volumes::MountType;
using volumes::Propagation;

// Docker's daemon-side words for a --mount it refuses.
Error mount_config_error(const std::string& type, const std::string& why) {
    return Error("invalid mount config for type \"" + type + "\": " + why);
}

// One record of Go's encoding/csv, as docker's CLI reads --mount: fields
// split at commas, a field in double quotes may hold commas, "" is a quote.
std::vector<std::string> csv_fields(const std::string& text) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c == '"' && fields.back().empty()) {
            quoted = true;
        } else {
            fields.back() += c;
        }
    }
    if (quoted) throw Error("extraneous or missing \" in quoted-field");
    return fields;
}

// Go's strconv.ParseBool.
std::optional<bool> parse_bool(const std::string& text) {
    for (const char* yes : {"1", "t", "T", "true", "TRUE", "True"})
        if (text == yes) return true;
    for (const char* no : {"0", "f", "F", "false", "FALSE", "False"})
        if (text == no) return false;
    return std::nullopt;
}

std::optional<Propagation> parse_propagation(const std::string& text) {
    if (text == "private") return Propagation::Private;
    if (text == "rprivate") return Propagation::RPrivate;
    if (text == "slave") return Propagation::Slave;
    if (text == "rslave") return Propagation::RSlave;
    if (text == "shared") return Propagation::Shared;
    if (text == "rshared") return Propagation::RShared;
    return std::nullopt;
}

std::optional<mode_t> parse_octal_mode(const std::string& text) {
    if (text.empty() || text.size() > 11) return std::nullopt;
    unsigned long mode = 0;
    for (char c : text) {
        if (c < '0' || c > '7') return std::nullopt;
        mode = mode * 8 + static_cast<unsigned long>(c - '0');
    }
    if (mode > 07777) return std::nullopt;
    return static_cast<mode_t>(mode);
}

std::string lower(std::string text) {
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

bool is_absolute(const std::string& path) { return !path.empty() && path.front() == '/'; }

std::string must_be_absolute(const std::string& path) {
    return "invalid mount path: '" + path + "' mount path must be absolute";
}

} // namespace

std::string clean_path(const std::string& path) {
    if (path.empty()) return ".";
    const bool rooted = path.front() == '/';
    std::vector<std::string> parts;
    std::size_t dotdots = 0; // leading ".." of a relative path, which stay
    for (std::size_t start = 0; start <= path.size();) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string part = path.substr(start, end - start);
        start = end + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (parts.size() > dotdots) parts.pop_back();
            else if (!rooted) {
                parts.push_back("..");
                ++dotdots;
            }
            continue;
        }
        parts.push_back(part);
    }
    std::string out = rooted ? "/" : "";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}

MountSpec parse_mount_flag(const std::string& value) {
    auto flag_error = [&](const std::string& why) {
        return Error("invalid argument \"" + value + "\" for \"--mount\" flag: " + why);
    };
    std::vector<std::string> fields;
    try {
        fields = csv_fields(value);
    } catch (const Error& e) {
        throw flag_error(e.what());
    }
    MountSpec spec;
    std::string type = "volume";
    bool bind_options = false, volume_options = false, tmpfs_options = false;
    for (const auto& field : fields) {
        auto eq = field.find('=');
        if (eq == std::string::npos) {
            if (field == "readonly" || field == "ro") {
                spec.readonly = true;
            } else if (field == "volume-nocopy") {
                spec.nocopy = true;
                volume_options = true;
            } else {
                throw flag_error("invalid field '" + field + "' must be a key=value pair");
            }
            continue;
        }
        std::string key = field.substr(0, eq), val = field.substr(eq + 1);
        auto bool_value = [&](const std::string& what) {
            auto b = parse_bool(val);
            if (!b) throw flag_error("invalid value for " + what + ": " + val);
            return *b;
        };
        if (key == "type") {
            type = lower(val);
        } else if (key == "source" || key == "src") {
            spec.source = val;
            // Docker's CLI makes "." and "./x" absolute; any other relative
            // path stays as typed (and is refused for a bind).
            if (val == "." || val.starts_with("./")) {
                std::error_code ec;
                auto abs = std::filesystem::absolute(val, ec);
                if (!ec) spec.source = abs.string();
            }
        } else if (key == "target" || key == "dst" || key == "destination") {
            spec.target = val;
        } else if (key == "readonly" || key == "ro") {
            spec.readonly = bool_value(key);
        } else if (key == "consistency") {
            // Docker Desktop's knob for shared file systems; nothing on Linux.
        } else if (key == "bind-propagation") {
            auto p = parse_propagation(lower(val));
            if (!p) throw mount_config_error("bind", "invalid propagation mode: " + val);
            spec.propagation = *p;
            bind_options = true;
        } else if (key == "volume-nocopy") {
            spec.nocopy = bool_value("volume-nocopy");
            volume_options = true;
        } else if (key == "tmpfs-size") {
            try {
                int64_t size = parse_ram_bytes(val);
                if (size < 0) throw Error("negative");
                spec.tmpfs_size = static_cast<std::uint64_t>(size);
            } catch (const Error&) {
                throw flag_error("invalid value for " + key + ": " + val);
            }
            tmpfs_options = true;
        } else if (key == "tmpfs-mode") {
            auto mode = parse_octal_mode(val);
            if (!mode) throw flag_error("invalid value for " + key + ": " + val);
            spec.tmpfs_mode = *mode;
            tmpfs_options = true;
        } else {
            throw flag_error("unexpected key '" + key + "' in '" + field + "'");
        }
    }
    if (type.empty()) throw flag_error("type is required");
    if (spec.target.empty()) throw flag_error("target is required");
    if (volume_options && type != "volume") throw flag_error("cannot mix 'volume-*' options with mount type '" + type + "'");
    if (bind_options && type != "bind") throw flag_error("cannot mix 'bind-*' options with mount type '" + type + "'");
    if (tmpfs_options && type != "tmpfs") throw flag_error("cannot mix 'tmpfs-*' options with mount type '" + type + "'");

    if (type == "volume") {
        spec.type = MountType::Volume;
        if (!spec.source.empty()) VolumeStore::validate_name(spec.source, "create " + spec.source);
        else if (spec.readonly)
            throw mount_config_error(type, "must not set ReadOnly mode when using anonymous volumes");
    } else if (type == "bind") {
        spec.type = MountType::Bind;
        if (spec.source.empty()) throw mount_config_error(type, "field Source must not be empty");
        // --mount never creates a missing source: check_mounts() refuses it.
        spec.create_source = false;
    } else if (type == "tmpfs") {
        spec.type = MountType::Tmpfs;
        if (!spec.source.empty()) throw mount_config_error(type, "field Source must not be specified");
    } else {
        throw mount_config_error(type, "mount type unknown");
    }
    if (!is_absolute(spec.target)) throw mount_config_error(type, must_be_absolute(spec.target));
    return spec;
}

MountSpec parse_tmpfs_flag(const std::string& value) {
    MountSpec spec;
    spec.type = MountType::Tmpfs;
    auto colon = value.find(':');
    spec.target = value.substr(0, colon);
    if (!is_absolute(spec.target)) throw Error(must_be_absolute(spec.target));
    if (colon == std::string::npos) return spec;
    const std::string options = value.substr(colon + 1);
    bool seen_rw = false;
    for (std::size_t start = 0; start <= options.size();) {
        auto end = options.find(',', start);
        if (end == std::string::npos) end = options.size();
        std::string option = options.substr(start, end - start);
        start = end + 1;
        if (option.empty()) continue;
        auto bad = [&] { return Error("invalid tmpfs option \"" + option + "\" in \"" + value + "\""); };
        if (option == "ro" || option == "rw") {
            if (seen_rw) throw bad();
            seen_rw = true;
            spec.readonly = option == "ro";
        } else if (option == "noexec" || option == "nosuid" || option == "nodev") {
            // Docker's defaults for a tmpfs, which kubik always applies.
        } else if (option.starts_with("size=")) {
            try {
                int64_t size = parse_ram_bytes(option.substr(5));
                if (size <= 0) throw bad();
                spec.tmpfs_size = static_cast<std::uint64_t>(size);
            } catch (const Error&) {
                throw bad();
            }
        } else if (option.starts_with("mode=")) {
            auto mode = parse_octal_mode(option.substr(5));
            if (!mode) throw bad();
            spec.tmpfs_mode = *mode;
        } else {
            throw bad();
        }
    }
    return spec;
}

void check_mounts(std::vector<MountSpec>& mounts) {
    std::set<std::string> targets;
    for (auto& m : mounts) {
        if (!is_absolute(m.target)) throw Error(must_be_absolute(m.target));
        m.target = clean_path(m.target);
        if (m.target == "/") throw Error("invalid specification: destination can't be '/'");
        if (!targets.insert(m.target).second) throw Error("Duplicate mount point: " + m.target);
        if (m.type != MountType::Bind) continue;
        if (!is_absolute(m.source)) throw mount_config_error("bind", must_be_absolute(m.source));
        m.source = clean_path(m.source);
        struct stat st;
        if (::stat(m.source.c_str(), &st) != 0) {
            int err = errno;
            if (err == ENOENT && m.create_source) continue; // -v makes it, once every check passed
            throw mount_config_error("bind", err == ENOENT ? "bind source path does not exist: " + m.source
                                                           : "stat " + m.source + ": " + std::strerror(err));
        }
    }
}

} // namespace kubik::cli
