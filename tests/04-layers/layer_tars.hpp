// Lesson 4's test helpers: tars and image archives made independently of
// kubik (Python's tarfile and hashlib), digests by sha256sum, and a listing of
// a directory tree that shows any change to it.
#pragma once

#include "kubik_test.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::test::layers4 {

using nlohmann::json;

/// Writes a tar at `out` with python3's tarfile (pax format), entries in the
/// order given. Each entry: {"name", "type": file|dir|symlink|hardlink|char|fifo,
/// "data" (file content), "src" (a host file to take the content from),
/// "mode", "target" (symlink or hardlink name), "major"/"minor",
/// "xattrs": {name: value}}. Fails the test (ADD_FAILURE) when python fails.
void write_tar(const fs::path& out, const json& entries);

/// The entries of a busybox root filesystem: bin/busybox (the host's static
/// busybox) and bin/sh, bin/ls, bin/cat, … as symlinks to it, etc/, tmp/.
json busybox_entries();

/// What make_archive() made.
struct Archive {
    std::vector<std::string> diff_ids;    ///< "sha256:…" of each layer tar, bottom first
    std::vector<std::string> chain_ids;   ///< computed from diff_ids by sha256sum
    std::string config_digest;            ///< "sha256:…" of the config (docker's image ID)
};

/// Writes a docker-save archive (legacy manifest.json form: HEX/layer.tar,
/// HEX.json) at `out` of an image tagged `tag` made of `layers` (each a list
/// of write_tar() entries), bottom first. `faults` spoils it on purpose:
/// {"diff_id": {"INDEX": "sha256:…"}} (the config lists another diff ID),
/// {"missing": INDEX} (the manifest names a layer file that isn't there),
/// {"truncate": INDEX} (the layer file cut in the middle),
/// {"corrupt": INDEX} (bytes of the layer's first header overwritten).
Archive make_archive(const fs::path& out, const std::string& tag, const std::vector<json>& layers,
                     const json& faults = json::object());

/// The entries of the top layer of the first image in a docker-save or OCI
/// archive (read by python3): "\n" + one name per line (without "./") + "\n",
/// a pax xattr as a line "NAME xattr KEY".
std::string top_layer_entries(const fs::path& archive);

/// "sha256:" + sha256sum of `text`.
std::string sha256_of_text(const std::string& text);
/// The chain IDs of `diff_ids` (bottom first) as the OCI image spec defines
/// them, computed with sha256sum (not with kubik's code).
std::vector<std::string> chain_ids_of(const std::vector<std::string>& diff_ids);
/// The 64 hex digits of a "sha256:…" digest.
std::string hex_of(const std::string& digest);

/// One line per entry below `dir` (sorted): path, type, mode, owner, size,
/// device numbers, symlink target, xattrs and a hash of the content. Two
/// listings are equal exactly when nothing of the tree changed.
/// `directory_mtimes` false leaves directories' mtimes out: a temp entry that
/// came and went changes its directory's mtime and nothing else.
std::vector<std::string> tree_listing(const fs::path& dir, bool directory_mtimes = true);
/// The lines of `after` that differ from `before`, as "- line" / "+ line".
std::string listing_diff(const std::vector<std::string>& before, const std::vector<std::string>& after);

/// The overlay super options ("lowerdir=…,upperdir=…,workdir=…") of the
/// mount at `mount_point` in /proc/PID/mountinfo; "" when there is none.
std::string overlay_options_of(const std::string& pid, const std::string& mount_point);
/// The value of option `key` in an option string ("a=1,b=2").
std::string option_value(const std::string& options, const std::string& key);
/// `value` split at every `sep`.
std::vector<std::string> split(const std::string& value, char sep);

} // namespace kubik::test::layers4
