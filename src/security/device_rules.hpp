// Which device nodes a container may use: docker's list, and the two ways
// the kernel enforces it.
//
// Namespaces don't cover devices: a root process with CAP_MKNOD (docker
// keeps it, so that images can make /dev nodes) could `mknod /tmp/sda b 8
// 0` and read the host's disk. The device cgroup decides, per cgroup, which
// (type, major, minor) may be opened for reading or writing, or made with
// mknod:
//   cgroup v1  the devices controller: write "a" to devices.deny, then
//              each allowed rule ("c 1:3 rwm") to devices.allow
//   cgroup v2  no control file at all: an eBPF program of type
//              BPF_PROG_TYPE_CGROUP_DEVICE, attached to the cgroup, is asked
//              about every access and answers 1 (allow) or 0 (deny)
// As in runc and crun, the v2 program is made here from the rules, a few
// instructions per rule.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

namespace kubik::security {

/// One allowed kind of access: docker's "c 1:3 rwm".
struct DeviceRule {
    char type = 'a';     ///< 'c' (char), 'b' (block) or 'a' (all)
    int major = -1;      ///< -1: any
    int minor = -1;      ///< -1: any
    std::string access;  ///< of "rwm": read, write, mknod
};

/// docker's default: mknod of any node ("c *:* m", "b *:* m"), and rwm of
/// /dev/null, zero, full, random, urandom, tty, console, ptmx, the ptys
/// (136:*) and /dev/net/tun (10:200). Everything else is refused.
std::vector<DeviceRule> default_device_rules();

/// A rule as cgroup v1's devices.allow takes it: "c 1:3 rwm", "b *:* m".
std::string device_rule_line(const DeviceRule& rule);

/// The cgroup v2 program of `rules`: allows what one of them allows,
/// denies everything else. To be loaded with BPF_PROG_LOAD.
std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules);

} // namespace kubik::security
