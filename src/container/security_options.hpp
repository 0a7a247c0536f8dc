// What `kubik run` was asked about the container's walls (lesson 8):
// docker's --privileged, --cap-add, --cap-drop, --security-opt, --read-only
// and --group-add, as given. src/security/ turns them into what the lesson's
// functions get (Capabilities, a SeccompProfile, the paths to mask).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace kubik {

/// A container's security flags, kept in its state file for inspect's
/// HostConfig (CapAdd, CapDrop, SecurityOpt, Privileged, ReadonlyRootfs,
/// GroupAdd).
struct SecurityOptions {
    bool privileged = false;             ///< --privileged: every capability, no filter, nothing masked
    std::vector<std::string> cap_add;    ///< --cap-add, as docker writes them back ("NET_ADMIN", "ALL")
    std::vector<std::string> cap_drop;   ///< --cap-drop, the same
    /// --security-opt, as docker keeps them: "no-new-privileges[:true|false]",
    /// "seccomp=unconfined", and "seccomp=PROFILE.json" with the file's
    /// JSON in place of its name ("seccomp={...}": the docker CLI reads the
    /// file at `run`). The three below are derived from these.
    std::vector<std::string> security_opt;
    bool no_new_privileges = false;      ///< from security_opt
    bool seccomp_unconfined = false;     ///< from security_opt: no filter at all
    std::string seccomp_profile;         ///< a profile's JSON text from security_opt; "" = docker's default
    bool read_only_rootfs = false;       ///< --read-only: the container's root is mounted read-only
    std::vector<std::string> group_add;  ///< --group-add: names (the image's /etc/group) or numbers
};

/// One --security-opt split into key and value: docker's CLI splits
/// "key=value", and still takes the older "key:value". The value is "" when
/// there is none ("no-new-privileges").
std::pair<std::string, std::string> split_security_opt(const std::string& option);

/// Sets no_new_privileges, seccomp_unconfined and seccomp_profile from
/// `options.security_opt` (seccomp's value already the profile's JSON).
/// Throws kubik::Error (125), `Invalid --security-opt: "x"`, for another.
void derive_security_opts(SecurityOptions& options);

} // namespace kubik
