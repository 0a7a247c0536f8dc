// chroot_escape — why chroot(2) alone is not a container boundary.
//
//   usage: chroot_escape HOST_PATH
//
// Run it as root inside a container. It tries the classic escape from a
// chroot and then looks for HOST_PATH, a file that exists only on the host:
//
//   ESCAPED    exit 0   HOST_PATH is visible: we reached the host's root
//   CONTAINED  exit 1   we did not (the root can't be left, or chroot failed)
//              exit 2   wrong usage
//
// Why it works. The kernel keeps two directories per process: its root
// (where "/" starts and where ".." stops) and its current directory. chroot()
// changes only the root. ".." is clamped only when a path walk *arrives at*
// the process's root; a walk that starts outside the root never arrives there,
// so ".." climbs on up to the real root of the mount namespace. Hence:
//
//   1. mkdir a directory and chroot() into it, *without* chdir() into it:
//      the current directory is now outside our own root;
//   2. chdir("..") many times: nothing stops us on the way up;
//   3. chroot("."): the real root becomes our root again.
//
// Why pivot_root stops it. After pivot_root(new, put_old) and detaching
// put_old (umount2(MNT_DETACH)), the host's root is no longer in the mount
// namespace at all: the container's root *is* the top of the tree, and
// climbing ends there. That is what lessons/01-chroot's enter_rootfs() does.
//
// Built statically (tests/CMakeLists.txt links it with -static) because the
// busybox image has no C library to load it with.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

// Every failure of a step means we stayed inside: say which step and why.
int contained_because(const char* step) {
    std::printf("CONTAINED: %s failed: %s\n", step, std::strerror(errno));
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s HOST_PATH\n", argv[0]);
        return 2;
    }
    const char* host_path = argv[1];

    // Start from the container's "/" so the climb below starts at its root.
    if (::chdir("/") != 0) return contained_because("chdir(\"/\")");

    // 1. A directory to chroot into. It lives in the container's writable
    //    layer, so it never touches the image.
    const char* jail = "/.chroot-escape";
    if (::mkdir(jail, 0700) != 0 && errno != EEXIST) return contained_because("mkdir");
    // The cwd stays "/" of the container — now *outside* our new root.
    if (::chroot(jail) != 0) return contained_because("chroot(jail)");

    // 2. Climb. Far more ".." than any real path is deep; at the real root
    //    ".." is "." and the extra steps do nothing.
    for (int i = 0; i < 1024; ++i)
        if (::chdir("..") != 0) return contained_because("chdir(\"..\")");

    // 3. Make where we ended up our root.
    if (::chroot(".") != 0) return contained_because("chroot(\".\")");

    struct stat st;
    if (::stat(host_path, &st) == 0) {
        std::printf("ESCAPED: %s is visible, so this is the host's root\n", host_path);
        return 0;
    }
    std::printf("CONTAINED: climbed to the top of the mount namespace and %s is not there (%s)\n",
                host_path, std::strerror(errno));
    return 1;
}
