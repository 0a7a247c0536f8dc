// Lesson 2 — namespaces. Read lessons/02-namespaces/README.md first.
#include "namespaces.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace kubik::ns {

int namespace_clone_flags() {
    // TODO: return the CLONE_NEW* flags for UTS, PID, IPC and network.
    throw kubik::NotImplemented("not implemented yet: lesson 2 (namespaces) — namespace_clone_flags(); see lessons/02-namespaces/README.md (по-русски: README.ru.md)");
}

void set_hostname(const std::string& name) {
    // TODO: sethostname(2). It changes only this UTS namespace's hostname.
    throw kubik::NotImplemented("not implemented yet: lesson 2 (namespaces) — set_hostname(); see lessons/02-namespaces/README.md (по-русски: README.ru.md)");
}

void bring_up_loopback() {
    // TODO: read lo's flags with ioctl(SIOCGIFFLAGS), add IFF_UP, write them
    // back with ioctl(SIOCSIFFLAGS). Any socket of the namespace will do.
    //
    // Interface flags are old enough to have an ioctl; addresses and routes
    // (lesson 6) need netlink. lo already has 127.0.0.1 once it is up.
    throw kubik::NotImplemented("not implemented yet: lesson 2 (namespaces) — bring_up_loopback(); see lessons/02-namespaces/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::ns
