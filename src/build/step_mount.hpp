// The root filesystem of a COPY/ADD step (or the source of COPY --from): the
// stage's layers under a fresh overlay upper directory, mounted in the
// builder's own mount namespace. What the step writes lands in the upper
// directory, which then becomes the step's layer, as a RUN's does.
#pragma once

#include "core/unique_fd.hpp"
#include "image/image_store.hpp"

#include <filesystem>
#include <vector>

namespace kubik::build {

/// Moves the calling process into a mount namespace of its own, with every
/// mount private, once: the builder's overlay mounts are then invisible to
/// the host and go with the process, even when it is killed. (The RUN
/// steps' containers are cloned from here and get namespaces of their own.)
void enter_build_mount_namespace();

/// An overlay of `layers` with an empty upper directory, in a temp directory
/// of the store; unmounted and removed when it goes.
class StepRoot {
public:
    /// Enters the build's mount namespace (enter_build_mount_namespace), mounts
    /// the overlay and opens its merged root. Throws kubik::Error naming the
    /// call that failed (nothing is left behind then).
    StepRoot(const ImageStore& store, const std::vector<Layer>& layers);
    ~StepRoot();
    StepRoot(const StepRoot&) = delete;
    StepRoot& operator=(const StepRoot&) = delete;

    /// The merged root, open (O_DIRECTORY): what openat2(RESOLVE_IN_ROOT) starts from.
    int fd() const { return root_fd_.get(); }
    /// Where it is mounted (in this process's mount namespace only).
    const std::filesystem::path& merged() const { return merged_; }
    /// The upper directory: the step's changes.
    const std::filesystem::path& upper() const { return upper_; }
    /// Unmounts (the upper directory stays, to be written as a layer).
    void unmount();

private:
    std::filesystem::path dir_, upper_, work_, merged_;
    UniqueFd root_fd_;
    bool mounted_ = false;
};

} // namespace kubik::build
