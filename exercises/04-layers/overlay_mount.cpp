// Lesson 4 — layers: stacking the layers with overlayfs. Read lessons/04-layers/README.md first.
//
// overlayfs shows one tree made of several directories: the lower ones
// (read-only, the image's layers) and an upper one (the container's own, where
// every write goes: a changed file is first copied up whole). A name in a
// higher directory hides the same name below it; a whiteout hides it without
// showing anything.
#include "layers.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::layers {

namespace {

// mount(2) copies its `data` argument (the option string) into ONE page and
// cuts it there: 4096 bytes including the terminating NUL, so 4095
// characters at most. A longer string is not refused, it is truncated, and
// overlayfs then sees half a path. (Pages are larger on some machines; 4096
// is the smallest, so what fits here fits everywhere.)
constexpr std::size_t kMountDataMax = 4096;

// Changes the working directory for as long as it lives, and goes back to the
// one it found, even when the code between throws. The working directory
// belongs to the whole process, so a caller's relative paths depend on it.
class WorkingDirectoryChange {
public:
    explicit WorkingDirectoryChange(const fs::path& dir)
        : previous_(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) {
        if (!previous_) throw_errno("open the working directory");
        if (::chdir(dir.c_str()) != 0) throw_errno("chdir " + dir.string());
    }
    ~WorkingDirectoryChange() { (void)!::fchdir(previous_.get()); }
    WorkingDirectoryChange(const WorkingDirectoryChange&) = delete;
    WorkingDirectoryChange& operator=(const WorkingDirectoryChange&) = delete;

private:
    UniqueFd previous_;
};

} // namespace

std::string overlay_options(const std::vector<std::string>& lowers, const std::string& upper,
                            const std::string& work, bool volatile_upper) {
    // TODO: "lowerdir=" + the lowers joined by ':' TOP FIRST (lowers is bottom
    // first, the manifest's order) + ",upperdir=" + upper + ",workdir=" + work;
    // "volatile," in front when asked. A path with ',' or ':' can't be written
    // in this syntax: throw kubik::Error naming it.
    throw kubik::NotImplemented("not implemented yet: lesson 4 (layers) — overlay_options(); see lessons/04-layers/README.md (по-русски: README.ru.md)");
}

void mount_layers(const LayerMount& layers, const fs::path& target) {
    // TODO: mount("overlay", target, "overlay", 0, overlay_options(...)) with the
    // full paths of layers.lowers when the options fit in one page (4096 bytes
    // with the NUL); otherwise with the short names layers.links, relative to
    // layers.links_dir: chdir there for the mount (overlayfs resolves relative
    // lowerdirs from the working directory) and back afterwards, even on error.
    // (The new mount API has no such limit: fsopen("overlay") and one
    // fsconfig(FSCONFIG_SET_STRING, "lowerdir+", dir) per layer, Linux 6.8+.)
    throw kubik::NotImplemented("not implemented yet: lesson 4 (layers) — mount_layers(); see lessons/04-layers/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::layers
