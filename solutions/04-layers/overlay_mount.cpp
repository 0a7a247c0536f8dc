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
    // BEGIN SOLUTION overlay_options
    // TODO: "lowerdir=" + the lowers joined by ':' TOP FIRST (lowers is bottom
    // first, the manifest's order) + ",upperdir=" + upper + ",workdir=" + work;
    // "volatile," in front when asked. A path with ',' or ':' can't be written
    // in this syntax: throw kubik::Error naming it.
    if (lowers.empty()) throw Error("overlay mount: no lower layers");
    // ',' separates options and ':' separates lower directories; overlayfs
    // would read "/a:b" as two layers. Refuse rather than mount the wrong tree.
    auto check = [](const std::string& path) {
        if (path.find_first_of(",:") != std::string::npos)
            throw Error("overlay mount: the path \"" + path + "\" contains ',' or ':', which overlayfs options can't hold");
    };
    std::string options;
    // volatile: overlayfs skips every sync of the upper directory. A crash may
    // then lose or corrupt it, so only for containers thrown away anyway (--rm).
    if (volatile_upper) options += "volatile,";
    options += "lowerdir=";
    // The first lowerdir is the TOP of the stack: it hides the ones after it.
    // The manifest lists layers bottom first, so walk them backwards.
    for (auto it = lowers.rbegin(); it != lowers.rend(); ++it) {
        check(*it);
        if (it != lowers.rbegin()) options += ':';
        options += *it;
    }
    check(upper);
    check(work);
    options += ",upperdir=" + upper + ",workdir=" + work;
    return options;
    // END SOLUTION overlay_options
}

void mount_layers(const LayerMount& layers, const fs::path& target) {
    // BEGIN SOLUTION mount_layers
    // TODO: mount("overlay", target, "overlay", 0, overlay_options(...)) with the
    // full paths of layers.lowers when the options fit in one page (4096 bytes
    // with the NUL); otherwise with the short names layers.links, relative to
    // layers.links_dir: chdir there for the mount (overlayfs resolves relative
    // lowerdirs from the working directory) and back afterwards, even on error.
    // (The new mount API has no such limit: fsopen("overlay") and one
    // fsconfig(FSCONFIG_SET_STRING, "lowerdir+", dir) per layer, Linux 6.8+.)
    std::vector<std::string> full;
    for (const auto& lower : layers.lowers) full.push_back(lower.string());
    const std::string upper = fs::absolute(layers.upper).string();
    const std::string work = fs::absolute(layers.work).string();
    std::string options = overlay_options(full, upper, work, layers.volatile_upper);

    if (options.size() + 1 <= kMountDataMax) {
        if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0)
            throw_errno("mount overlay on " + target.string() + " (" + options + ")");
        return;
    }

    // Too long: name each layer by its short symlink in links_dir ("l/3", …),
    // as docker's overlay2 driver does. Only the lowers get short names;
    // upper and work stay absolute, so they don't depend on where we are.
    if (layers.links.size() != layers.lowers.size())
        throw Error("overlay mount: " + std::to_string(layers.lowers.size()) + " layers but " +
                    std::to_string(layers.links.size()) + " short names");
    options = overlay_options(layers.links, upper, work, layers.volatile_upper);
    if (options.size() + 1 > kMountDataMax)
        throw Error("overlay mount: " + std::to_string(layers.lowers.size()) +
                    " layers don't fit in one page of mount options even by their short names");
    // The target too must not be relative to the directory we are about to enter.
    const fs::path where = fs::absolute(target);
    // RAII: the working directory comes back whether mount() succeeds or throws.
    WorkingDirectoryChange in_links(layers.links_dir);
    if (::mount("overlay", where.c_str(), "overlay", 0, options.c_str()) != 0)
        throw_errno("mount overlay on " + where.string() + " (short names in " + layers.links_dir.string() +
                    ": " + options + ")");
    // END SOLUTION mount_layers
}

} // namespace kubik::layers
