// Bridges and nftables tables left behind by a lesson's test program that
// was killed (a time limit, a crash, Ctrl-C).
//
// Every test's state root has a default network of its own, the bridge
// kb-HASH and the table kubik-HASH (lesson 6), and a test removes both in
// its teardown; a killed test never gets there. Before kubik can make them,
// the tests' fixture appends their names to BUILD/test-network-names (the
// leak check reads the same file). The names a run appended, read from the
// file's size before the run onwards, are therefore exactly that run's: what
// of them still exists is removed here, and nothing else is touched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kubik::course {

/// BUILD/test-network-names for a test program at BUILD/tests/PROGRAM.
std::filesystem::path network_names_file(const std::filesystem::path& test_binary);

/// The file's size now (0 when there is none): where a run's names start.
std::uintmax_t network_names_mark(const std::filesystem::path& names_file);

/// Removes the links (kb-*, kv*) and tables (kubik-*) named in `names_file`
/// after byte `mark` that still exist. Returns one line per object that
/// could not be removed (as remove_cgroups_with_prefix() does).
std::vector<std::string> remove_recorded_networks(const std::filesystem::path& names_file, std::uintmax_t mark);

} // namespace kubik::course
