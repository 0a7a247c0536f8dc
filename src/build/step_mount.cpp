// See step_mount.hpp.
#include "build/step_mount.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "layers.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kubik::build {

namespace fs = std::filesystem;

void enter_build_mount_namespace() {
    static bool entered = false;
    if (entered) return;
    if (::unshare(CLONE_NEWNS) != 0) throw_errno("unshare the build's mount namespace");
    // Without this a mount made here would propagate back to the host's
    // namespace through the shared peer groups systemd sets up.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        throw_errno("make the build's mounts private");
    entered = true;
}

StepRoot::StepRoot(const ImageStore& store, const std::vector<Layer>& layers) {
    // Every mount the build makes lives in a mount namespace of the build's
    // own: nothing can be left on the host. Entered on the first mount only,
    // so a fully cached build costs no unshare.
    enter_build_mount_namespace();
    fs::create_directories(store.dir() / "tmp");
    dir_ = store.temp_path("step");
    upper_ = dir_ / "upper";
    work_ = dir_ / "work";
    merged_ = dir_ / "merged";
    try {
        for (const auto* d : {&dir_, &upper_, &work_, &merged_})
            if (::mkdir(d->c_str(), 0755) != 0) throw_errno("create " + d->string());
        layers::LayerMount mount;
        for (const auto& layer : layers) {
            mount.lowers.push_back(layer.dir);
            mount.links.push_back(layer.link);
        }
        mount.links_dir = store.dir() / "l";
        if (mount.lowers.empty()) {
            // FROM scratch: overlayfs needs a lower directory; an empty one.
            fs::path empty = dir_ / "empty";
            if (::mkdir(empty.c_str(), 0755) != 0) throw_errno("create " + empty.string());
            mount.lowers.push_back(empty);
            mount.links.push_back(empty.string());
        }
        mount.upper = upper_;
        mount.work = work_;
        // Nobody needs it after a crash: the step runs again.
        mount.volatile_upper = true;
        layers::mount_layers(mount, merged_);
        mounted_ = true;
        root_fd_.reset(::open(merged_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!root_fd_) throw_errno("open " + merged_.string());
    } catch (...) {
        unmount();
        remove_tree_quietly(dir_);
        throw;
    }
}

void StepRoot::unmount() {
    root_fd_.reset();
    if (mounted_ && ::umount2(merged_.c_str(), MNT_DETACH) != 0) throw_errno("unmount " + merged_.string());
    mounted_ = false;
}

StepRoot::~StepRoot() {
    try {
        unmount();
    } catch (const std::exception&) {
    }
    remove_tree_quietly(dir_);
}

} // namespace kubik::build
