// Lesson 3 — life cycle: setns. Read lessons/03-cgroups/README.md first.
#include "enter.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace kubik::lifecycle {

void enter_namespaces(pid_t pid) {
    // TODO: open /proc/PID/ns/{ipc,uts,net,pid,mnt} — all of them first —
    // then setns() into each, mount last.
    //
    // Open every handle before joining any: after setns into the mount
    // namespace, /proc is the container's and PID means nothing there.
    // Mount goes last for the same reason.
    throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — enter_namespaces(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::lifecycle
