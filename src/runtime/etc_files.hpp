// A container's /etc/hosts, /etc/hostname and /etc/resolv.conf (lesson 6).
//
// Docker writes these three files per container, outside its layers, and
// bind-mounts each one onto its path in the container's root: the image's
// own files stay as they are, and kubik can change a running container's
// /etc/hosts from the host. kubik does the same:
//
//   ROOT/containers/ID/hosts        localhost lines, --add-host lines, the
//                                   container's own "IP\tHOSTNAME", and on a
//                                   user network "IP\tNAME" of every member
//   ROOT/containers/ID/hostname     the hostname and a newline
//   ROOT/containers/ID/resolv.conf  the host's, without loopback resolvers
//   ROOT/containers/ID/hosts.base   (user networks) the first part of hosts,
//                                   what a rewrite starts from
//
// Names on a user network resolve without a DNS server (docker runs one at
// 127.0.0.11): each member's line is kept in ROOT/networks/NAME/hosts/ID,
// and when a container joins or leaves, every running member's hosts file
// is rewritten in place. In place matters: a bind mount holds the file's
// inode, so a new file renamed over the old one would never be seen inside.
// The rewrite is open(O_WRONLY), write, ftruncate, under the network's
// flock, O(members) small writes per start.
#pragma once

#include "container/container_spec.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kubik {

/// Docker's /etc/hosts for one container: the localhost lines, then
/// `extra` ("--add-host NAME:IP", as (ip, names) pairs), then its own line
/// (when `ip` is not empty: "IP\tHOSTNAME", "IP\ta.b a" for a dotted one),
/// then `members` (ip, names), one line each.
std::string hosts_content(const std::string& ip, const std::string& hostname,
                          const std::vector<std::pair<std::string, std::string>>& extra,
                          const std::vector<std::pair<std::string, std::string>>& members = {});

/// The host's resolv.conf as a container gets it (docker's rule): the
/// nameservers on loopback (127.x, ::1: the host's own stub resolver, which
/// the container can't reach) and IPv6 ones removed; if none is left,
/// nameserver 8.8.8.8 and 8.8.4.4. Other lines are kept.
std::string container_resolv_conf(const std::string& host_resolv_conf);

/// The host's resolver configuration: /etc/resolv.conf, or systemd-resolved's
/// real upstream list when /etc/resolv.conf names only its stub 127.0.0.53.
std::string host_resolv_conf();

/// Writes the container's three files into `dir` (its directory) before it
/// starts. For a Container mode container nothing is written: it shares the
/// other one's files. Host mode gets only hostname (the host's hosts and
/// resolv.conf are bound as they are).
void write_etc_files(const ContainerSpec& spec, const std::filesystem::path& dir);

/// A user network: adds the container's line to ROOT/networks/NAME/hosts/ID
/// and rewrites the hosts file of every member (itself included).
void join_network_hosts(const std::filesystem::path& root, const ContainerSpec& spec);

/// Removes the container's line and rewrites the remaining members' hosts
/// files. Never throws; nothing to do when it has no line.
void leave_network_hosts(const std::filesystem::path& root, const std::string& network,
                         const std::string& id) noexcept;

/// In the container's init, after its root and volumes are mounted and
/// before it is entered: binds the files onto /etc/hosts, /etc/hostname and
/// /etc/resolv.conf under `rootfs` (read-write, as docker does). A file the
/// user mounted a volume on is left to the user. Uses lesson 5's
/// open_mount_target()/bind_mount(); while those are stubs, a plain bind onto
/// the image's own file, found inside the root, or nothing.
void mount_etc_files(const ContainerSpec& spec, const std::filesystem::path& container_dir,
                     const std::filesystem::path& rootfs);

} // namespace kubik
