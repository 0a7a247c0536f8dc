// Helpers of the interop tests: independent tools (skopeo, umoci, sha256sum)
// and a comparable snapshot of a directory tree, read with lstat(2) only, so
// the tests never trust kubik's own code to tell them what an image holds.
#pragma once

#include "kubik_test.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubik::test {

/// The full path of `tool` found in PATH, or "" when it isn't installed.
std::string find_tool(const std::string& tool);

/// The first of `tools` that is not installed, or "" when all are.
std::string first_missing_tool(const std::vector<std::string>& tools);

/// `a` followed by `b`: a kubik command line with a command to run.
std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b);

/// "sha256:HEX" of the file at `path`, by coreutils' sha256sum.
std::string sha256_of_file(const fs::path& path);
/// "sha256:HEX" of `data` (written to a file below `scratch` first).
std::string sha256_of(const std::string& data, const fs::path& scratch);

/// Parses `text` as JSON; a failure names `what` and shows the text.
nlohmann::json parse_json(const std::string& text, const std::string& what);

/// One entry of a tree: what an image's file is, as overlayfs, umoci and tar
/// all must agree on (mtimes aside: umoci and kubik may clamp them differently).
struct TreeEntry {
    char type = '?';           ///< f file, d directory, l symlink, c/b device, p fifo, s socket
    unsigned mode = 0;         ///< permission bits, setuid/setgid/sticky included
    unsigned uid = 0, gid = 0;
    std::string content;       ///< a file's bytes, a symlink's target, a device's "major:minor"
    bool operator==(const TreeEntry&) const = default;
};

/// Every entry below `dir` (the directory itself left out), by its path
/// relative to `dir`. Symlinks are never followed.
std::map<std::string, TreeEntry> snapshot_tree(const fs::path& dir);

/// The differences between two snapshots, one line each ("only in A: x",
/// "x: mode 0644 vs 0600", …), at most `limit` lines; empty when equal.
std::vector<std::string> tree_differences(const std::map<std::string, TreeEntry>& a,
                                          const std::map<std::string, TreeEntry>& b,
                                          const std::string& a_name, const std::string& b_name,
                                          std::size_t limit = 20);

/// `kubik image inspect REF`'s object for the image (docker prints an array
/// of one).
nlohmann::json image_inspect(const RunResult& r);

}  // namespace kubik::test
