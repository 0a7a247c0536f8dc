// The container store: ROOT/containers/ID/ and ROOT/names/NAME -> ID.
//
// Crash-consistent: kubik can be killed (kill -9, a power cut) between any
// two steps of making or removing a container, and what is left is either a
// container that `ps -a` shows and `rm -f` removes, or debris that sweep()
// recognises as such and removes:
//
//   1. claim the name:  ROOT/names/NAME -> ID      (symlink: atomic, first wins)
//   2. build the directory as ROOT/containers/.new-ID: container.json
//      (status "created"), the cgroup link, upper/, work/
//   3. rename .new-ID to ID                         (atomic: now it exists)
//
// Creators hold the store lock shared while they do this; sweep() takes it
// exclusively, so whatever it finds half-made (a .new-* directory, a name
// whose container does not exist) belongs to a creator that died.
#pragma once

#include "container/container_spec.hpp"
#include "container/container_state.hpp"
#include "core/error.hpp"
#include "core/unique_fd.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kubik {

/// Thrown by ContainerStore::create when another container has the name.
class NameInUse : public Error {
public:
    using Error::Error; ///< kubik::Error's constructors
};

/// Paths of one container's directory.
struct ContainerPaths {
    std::filesystem::path dir;    ///< ROOT/containers/ID
    std::filesystem::path upper;  ///< overlay upper layer: the container's writes
    std::filesystem::path work;   ///< overlay's scratch directory
    /// Where the overlay is mounted: ROOT/rootfs, one directory for every
    /// container. Each mounts its root there inside its own mount namespace,
    /// so they never meet, and the host's view of the directory stays empty.
    /// (A directory per container would cost a mkdir and an rmdir on the
    /// state root's disk at every start; on ext4 the rmdir is the dearest
    /// step of the whole start path.)
    std::filesystem::path rootfs;
    std::filesystem::path state;  ///< container.json
    std::filesystem::path log;    ///< container.log (detached containers)
    /// cgroup -> PARENT/ID: where the container's cgroups are, readable even
    /// when container.json is not (a crash, a full disk, a bad edit).
    std::filesystem::path cgroup_link;

    /// The paths of the container whose directory is `dir`, with the
    /// store's shared mount point.
    static ContainerPaths in(const std::filesystem::path& dir, const std::filesystem::path& mount_point);
};

/// An exclusive flock(2) on a container's directory, held for the object's
/// lifetime: every load–change–save of a container's state happens under it,
/// so two commands can't interleave. Released by the kernel even on kill -9.
class ContainerLock {
public:
    /// Waits for and takes the lock of `dir`; throws kubik::Error naming the
    /// directory when it can't be opened (exit 1 "No such container" when
    /// it does not exist).
    explicit ContainerLock(const std::filesystem::path& dir);
    /// Takes the lock on an already open directory.
    explicit ContainerLock(UniqueFd dir_fd);
    /// Lets go of the lock early: for every process that shares the open
    /// directory too (children forked while it was held).
    void unlock() noexcept;

private:
    UniqueFd fd_;
};

struct CreatedContainer;

/// The containers of a state root: ROOT/containers/ID/ and their names,
/// ROOT/names/NAME -> ID.
class ContainerStore {
public:
    /// The store of state root `root` (--root, /var/lib/kubik by default).
    explicit ContainerStore(std::filesystem::path root);

    /// Claims spec.name and creates the container's directory with its state
    /// file (status "created"), in the order described at the top of this
    /// file. Throws NameInUse (exit 125) on a name conflict, leaving nothing
    /// behind. The returned lock, on the new directory, is held: the caller
    /// starts the container under it and lets go once "running" is saved.
    CreatedContainer create(const ContainerSpec& spec) const;

    /// Removes what dead creators left half-made: .new-* directories and
    /// names of containers that don't exist. Waits for creators in progress.
    void sweep() const;

    /// The id of the container named `ref`, or whose id is or starts with
    /// `ref`. Throws kubik::Error (exit 1) "No such container: REF", or when
    /// the prefix is ambiguous.
    std::string resolve(const std::string& ref) const;
    /// Reads the record of container `id`; throws kubik::Error (exit 1) "No
    /// such container" when it is missing, or naming the file when it is bad.
    ContainerInfo load(const std::string& id) const;
    /// Like load(), but a container whose state file can't be read is still
    /// returned: status "unknown", `damage` saying why, its name found from
    /// ROOT/names and its cgroup from the cgroup link. Throws "No such
    /// container" only when the directory itself is gone.
    ContainerInfo load_any(const std::string& id) const;
    /// Every container, newest first; damaged ones (see load_any) last.
    std::vector<ContainerInfo> list() const;
    /// Writes the state file atomically; `durable` adds fsync. Callers that
    /// read-modify-write hold a ContainerLock.
    void save(const ContainerInfo& info, bool durable) const;
    /// Removes the container's directory and name. Missing parts are fine.
    void remove(const ContainerInfo& info) const noexcept;

    /// The paths of container `id` (they need not exist).
    ContainerPaths paths(const std::string& id) const { return ContainerPaths::in(containers_ / id, mount_point_); }
    /// The state root.
    const std::filesystem::path& root() const { return root_; }

private:
    /// The name whose link points at `id`, or "" (a scan of ROOT/names).
    std::string name_of(const std::string& id) const;
    /// Takes flock `operation` (LOCK_SH: a creator, LOCK_EX: sweep) on the
    /// store, creating ROOT/containers if need be.
    UniqueFd lock_store(int operation) const;

    std::filesystem::path root_, containers_, names_, mount_point_;
};

/// A container just made by ContainerStore::create, and the lock on it.
struct CreatedContainer {
    ContainerInfo info; ///< its record, status "created"
    ContainerLock lock; ///< held on its directory
};

/// Owns a container being started by `run`: unless keep() is called, the
/// destructor removes its directory and name, so a failed `run` leaves nothing.
/// While the start is in progress it holds the container's lock, so that a
/// concurrent `rm -f` waits until the container runs (or is gone).
class ContainerRecord {
public:
    /// Takes charge of `created`, a container just made in `store`.
    ContainerRecord(const ContainerStore& store, CreatedContainer created)
        : store_(store), info_(std::move(created.info)), paths_(store.paths(info_.spec.id)),
          lock_(std::move(created.lock)) {}
    ContainerRecord(const ContainerRecord&) = delete;
    ContainerRecord& operator=(const ContainerRecord&) = delete;
    ~ContainerRecord() {
        if (!keep_) store_.remove(info_);
    }

    /// The container's record, to fill in before save().
    ContainerInfo& info() { return info_; }
    /// The container's spec.
    const ContainerSpec& spec() const { return info_.spec; }
    /// The paths of the container's directory.
    const ContainerPaths& paths() const { return paths_; }
    /// Writes the record: ContainerStore::save().
    void save(bool durable) const { store_.save(info_, durable); }
    /// The container outlives this object.
    void keep() { keep_ = true; }
    /// Lets go of the container's lock: its start is recorded.
    void unlock() noexcept { lock_.unlock(); }
    /// Its command was executed (whatever came of it after): what `run`
    /// made for it stays. Not called when the start failed.
    void mark_started() { started_ = true; }
    /// Whether mark_started() was called.
    bool started() const { return started_; }

private:
    const ContainerStore& store_;
    ContainerInfo info_;
    ContainerPaths paths_;
    ContainerLock lock_;
    bool keep_ = false;
    bool started_ = false;
};

} // namespace kubik
