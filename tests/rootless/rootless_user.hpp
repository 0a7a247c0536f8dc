// An ordinary user for the rootless tests, made by the test and removed
// after it: a name of its own, a subordinate id range in /etc/subuid and
// /etc/subgid, a home and a runtime directory, and on cgroup v2 a
// delegated cgroup (the way systemd hands user@UID.service to its user).
#pragma once

#include "kubik_test.hpp"

#include <sys/types.h>

#include <string>
#include <vector>

namespace kubik::test {

class RootlessUser {
public:
    /// `with_ranges`: give it /etc/subuid and /etc/subgid ranges (without,
    /// it is a user kubik must refuse with a clear error).
    explicit RootlessUser(bool with_ranges = true);

    /// From now on the user's kubik runs in a mount namespace of its own
    /// where /dev/net/tun is a node of the test's, mode 0666 (what Debian's
    /// udev makes; some machines keep theirs 0600, which no user can open).
    /// Nothing of the host's changes. Call before the user's first kubik.
    void give_tun_device();
    /// Removes the user's containers, kills every process of the user and
    /// of its id range, removes its cgroup, the user and its directories.
    ~RootlessUser();
    RootlessUser(const RootlessUser&) = delete;
    RootlessUser& operator=(const RootlessUser&) = delete;

    /// Runs kubik as the user (runuser), with HOME and XDG_RUNTIME_DIR of
    /// its own and, on cgroup v2, inside its delegated cgroup's leaf.
    RunResult kubik(const std::vector<std::string>& args, const RunOptions& options = {}) const;

    /// The pid of the user's kubik-rootless (its pid file), 0 if none.
    pid_t holder() const;

    std::string name;          ///< kbrl-PID
    uid_t uid = 0;             ///< its uid
    unsigned long first = 0;   ///< the first id of its subordinate range
    unsigned long count = 0;   ///< the range's size
    fs::path home;             ///< its HOME: the state goes to home/.local/share/kubik
    fs::path run_dir;          ///< its XDG_RUNTIME_DIR
    fs::path state_root;       ///< home/.local/share/kubik
    /// The delegated cgroup, relative to /sys/fs/cgroup ("" on cgroup v1).
    std::string delegated;

private:
    void remove_everything() noexcept;
    fs::path dir_;             ///< everything of the user's, below a 0755 directory of root's
    fs::path kubik_;           ///< kubik as the user can reach it
    fs::path tun_;             ///< give_tun_device()'s node, "" when none
};

} // namespace kubik::test
