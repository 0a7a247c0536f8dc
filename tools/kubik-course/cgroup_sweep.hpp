// Cgroups left behind by a lesson's test program that was killed (a time
// limit, a crash, Ctrl-C). A test removes its own cgroup parent in teardown;
// a killed one never gets there. So every test program the tool runs gets a
// fresh cgroup-parent prefix (KUBIK_TEST_CGROUP_PREFIX, which the tests'
// fixture honours), and whatever still carries that prefix afterwards is
// killed and removed here.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::course {

/// The environment variable the lesson tests read their cgroup-parent prefix from.
inline constexpr const char* kCgroupPrefixVariable = "KUBIK_TEST_CGROUP_PREFIX";

/// "kubik-run-1a2b3c4d-": a prefix no other run uses.
std::string fresh_cgroup_prefix();

/// Mount points of every cgroup hierarchy (v1 and v2) in our mount namespace.
std::vector<std::filesystem::path> cgroup_roots();

/// In every hierarchy under `roots`, the top-level cgroups whose name starts
/// with `prefix`: their processes are SIGKILLed and their directories removed,
/// deepest first. Returns one line per cgroup that could not be removed.
/// `prefix` must start with "kubik-" and be at least 12 characters, so a
/// mistake can never sweep someone else's cgroups.
std::vector<std::string> remove_cgroups_with_prefix(const std::string& prefix,
                                                    const std::vector<std::filesystem::path>& roots = cgroup_roots());

} // namespace kubik::course
