#include "runtime/command_walls.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "runtime/container_user.hpp"
#include "security/capabilities.hpp"
#include "security/paths.hpp"

#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>

#include <string>

namespace kubik {
namespace {

// --read-only: the root's mount itself becomes read-only; the mounts on
// top of it (volumes, /etc/hosts, /dev, /proc) keep their own flags, as in
// docker. A remount sets the per-mount flags to exactly what it is given,
// so the ones the root had are passed back.
void remount_root_read_only() {
    struct statvfs vfs{};
    if (::statvfs("/", &vfs) != 0) throw_errno("statvfs /");
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
    if (vfs.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (vfs.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (vfs.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (vfs.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (vfs.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    if (::mount(nullptr, "/", nullptr, flags, nullptr) != 0) throw_errno("--read-only: remount / read-only");
}

} // namespace

void put_up_root_walls(const SecurityOptions& security) {
    try {
        security::mask_paths(security::masked_paths(security));
        security::make_paths_read_only(security::read_only_paths(security));
    } catch (const NotImplemented&) {
        // Lessons 0-7's containers see /proc and /sys whole, quietly.
    }
    if (security.read_only_rootfs) remount_root_read_only();
}

void put_up_command_walls(const SecurityOptions& security, std::optional<security::ExecUser> user,
                          const security::CompiledSeccomp* filter) {
    // Without lesson 8 the command keeps every capability: --cap-add and
    // --privileged are granted as they are (an earlier lesson's test may
    // ask for SYS_ADMIN to mount), a --cap-drop can't be.
    const bool drop_asked = !security.cap_drop.empty();
    // Names were checked at `run`; computed before anything is dropped.
    const std::vector<int> bounding = security::bounding_capabilities(security);
    // Without no_new_privs, seccomp(2) needs CAP_SYS_ADMIN: load while it
    // is still held. The filter allows the calls that follow.
    if (filter && !security.no_new_privileges) security::load_compiled_seccomp(*filter);

    // --group-add: supplementary groups on top of the user's; for root, on
    // top of the groups the image's /etc/group gives root, as in docker.
    if (!security.group_add.empty()) {
        if (!user) user = resolve_user_in_root("0");
        add_groups_in_root(*user, security.group_add);
    }
    uid_t uid = 0;
    if (user) {
        // With the bit set, setuid() leaves the capability sets alone
        // (capabilities(7)): drop_capabilities() decides, and still holds
        // CAP_SETPCAP to drop the bounding set. Cleared again at once.
        if (::prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) != 0) throw_errno("PR_SET_SECUREBITS");
        switch_user_or_fallback(*user);
        if (::prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) != 0) throw_errno("PR_SET_SECUREBITS");
        uid = user->uid;
    }
    // A stub leaves root's sets as lessons 0-7 had them, quietly, unless a
    // flag asked for them (then 125 naming lesson 8). Without lesson 8, a
    // USER's sets were kept by the bit: empty them as setuid() would have.
    try {
        security::drop_capabilities(security::capabilities_for(bounding, uid));
    } catch (const NotImplemented& e) {
        if (drop_asked) throw Error(std::string("--cap-drop: ") + e.what());
        if (uid != 0) {
            cap_t none = cap_init();
            const int rc = none ? cap_set_proc(none) : -1;
            if (none) cap_free(none);
            if (rc != 0) throw_errno("cap_set_proc");
        }
    }
    if (security.no_new_privileges) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("PR_SET_NO_NEW_PRIVS");
        // Last: the filter needs nothing of root now, and sees only execve.
        if (filter) security::load_compiled_seccomp(*filter);
    }
}

} // namespace kubik
