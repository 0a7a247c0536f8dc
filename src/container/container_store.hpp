// The container store: ROOT/containers/ID/ and ROOT/names/NAME -> ID.
#pragma once

#include "container/container_spec.hpp"
#include "container/container_state.hpp"
#include "core/error.hpp"
#include "core/unique_fd.hpp"

#include <filesystem>
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
    std::filesystem::path rootfs; ///< where the overlay is mounted (inside the container's mount ns)
    std::filesystem::path state;  ///< container.json
    std::filesystem::path log;    ///< container.log (detached containers)

    /// The paths of the container whose directory is `dir`.
    static ContainerPaths in(const std::filesystem::path& dir);
};

/// An exclusive flock(2) on a container's directory, held for the object's
/// lifetime: commands that read-modify-write the state take it, so two of
/// them can't interleave. Released by the kernel even on kill -9.
class ContainerLock {
public:
    /// Waits for and takes the lock of `dir`; throws kubik::Error naming the
    /// directory when it can't be opened.
    explicit ContainerLock(const std::filesystem::path& dir);

private:
    UniqueFd fd_;
};

/// The containers of a state root: ROOT/containers/ID/ and their names,
/// ROOT/names/NAME -> ID.
class ContainerStore {
public:
    /// The store of state root `root` (--root, /var/lib/kubik by default).
    explicit ContainerStore(std::filesystem::path root);

    /// Claims spec.name and creates the container's directory; throws
    /// NameInUse (exit 125) on a name conflict, leaving nothing behind.
    /// The returned info has status "created"; save() records it.
    ContainerInfo create(const ContainerSpec& spec) const;

    /// The id of the container named `ref`, or whose id is or starts with
    /// `ref`. Throws kubik::Error (exit 1) "No such container: REF", or when
    /// the prefix is ambiguous.
    std::string resolve(const std::string& ref) const;
    /// Reads the record of container `id`; throws kubik::Error (exit 1) "No
    /// such container" when it is missing, or naming the file when it is bad.
    ContainerInfo load(const std::string& id) const;
    /// Every container, newest first. Unreadable entries are skipped.
    std::vector<ContainerInfo> list() const;
    /// Writes the state file atomically; `durable` adds fsync. Callers that
    /// read-modify-write hold a ContainerLock.
    void save(const ContainerInfo& info, bool durable) const;
    /// Removes the container's directory and name. Missing parts are fine.
    void remove(const ContainerInfo& info) const noexcept;

    /// The paths of container `id` (they need not exist).
    ContainerPaths paths(const std::string& id) const { return ContainerPaths::in(containers_ / id); }
    /// The state root.
    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_, containers_, names_;
};

/// Owns a container being started by `run`: unless keep() is called, the
/// destructor removes its directory and name, so a failed `run` leaves nothing.
class ContainerRecord {
public:
    /// Takes charge of `info`, a container just created in `store`.
    ContainerRecord(const ContainerStore& store, ContainerInfo info)
        : store_(store), info_(std::move(info)), paths_(store.paths(info_.spec.id)) {}
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

private:
    const ContainerStore& store_;
    ContainerInfo info_;
    ContainerPaths paths_;
    bool keep_ = false;
};

} // namespace kubik
