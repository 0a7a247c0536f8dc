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
    // BEGIN SOLUTION namespace_clone_flags
    // TODO: return the CLONE_NEW* flags for UTS, PID, IPC and network.
    return CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET;
    // END SOLUTION
}

void set_hostname(const std::string& name) {
    // BEGIN SOLUTION set_hostname
    // TODO: sethostname(2). It changes only this UTS namespace's hostname.
    if (::sethostname(name.data(), name.size()) != 0) throw_errno("sethostname \"" + name + "\"");
    // END SOLUTION
}

void bring_up_loopback() {
    // BEGIN SOLUTION bring_up_loopback
    // TODO: read lo's flags with ioctl(SIOCGIFFLAGS), add IFF_UP, write them
    // back with ioctl(SIOCSIFFLAGS). Any socket of the namespace will do.
    //
    // Interface flags are old enough to have an ioctl; addresses and routes
    // (lesson 6) need netlink. lo already has 127.0.0.1 once it is up.
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw_errno("socket for loopback setup");
    struct ifreq req{};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) throw_errno("get flags of lo");
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) throw_errno("bring lo up");
    // END SOLUTION
}

} // namespace kubik::ns
