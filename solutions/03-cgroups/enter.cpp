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
    // BEGIN SOLUTION enter_namespaces
    // TODO: open /proc/PID/ns/{ipc,uts,net,pid,mnt} — all of them first —
    // then setns() into each, mount last.
    //
    // Open every handle before joining any: after setns into the mount
    // namespace, /proc is the container's and PID means nothing there.
    // Mount goes last for the same reason.
    struct Handle {
        const char* name;
        int type;
        UniqueFd fd;
    };
    std::vector<Handle> handles;
    for (auto [name, type] : {std::pair{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
                              {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}}) {
        std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw_errno("open " + path);
        handles.push_back({name, type, std::move(fd)});
    }
    for (const auto& h : handles)
        // The type argument makes the kernel check the handle is what we think.
        if (::setns(h.fd.get(), h.type) != 0) throw_errno(std::string("setns ") + h.name);
    // END SOLUTION
}

} // namespace kubik::lifecycle
