// The container store: ROOT/containers/ID/ and ROOT/names/NAME -> ID.
#pragma once

#include "container/container_spec.hpp"
#include "core/error.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace kubik {

/// Thrown by ContainerStore::create when another container has the name.
class NameInUse : public Error {
public:
    using Error::Error;
};

/// Paths of one container's directory.
struct ContainerPaths {
    std::filesystem::path dir;    ///< ROOT/containers/ID
    std::filesystem::path upper;  ///< overlay upper layer: the container's writes
    std::filesystem::path work;   ///< overlay's scratch directory
    std::filesystem::path rootfs; ///< where the overlay is mounted (inside the container's mount ns)
};

/// A container's directory and name claim. Owns them: unless keep() is
/// called, the destructor removes both, so a failed `run` leaves nothing.
class ContainerRecord {
public:
    ContainerRecord(std::filesystem::path name_link, ContainerPaths paths)
        : name_link_(std::move(name_link)), paths_(std::move(paths)) {}
    ContainerRecord(ContainerRecord&&) noexcept;
    ContainerRecord& operator=(ContainerRecord&&) = delete;
    ~ContainerRecord();

    const ContainerPaths& paths() const { return paths_; }
    /// The container outlives this object (no --rm).
    void keep() { keep_ = true; }
    /// Records state for `ps`/`inspect`; `durable` adds an fsync.
    void write_state(const ContainerSpec& spec, const std::string& status, pid_t pid,
                     std::optional<int> exit_code, bool durable) const;

private:
    std::filesystem::path name_link_;
    ContainerPaths paths_;
    bool keep_ = false;
    bool moved_ = false;
};

class ContainerStore {
public:
    explicit ContainerStore(std::filesystem::path root);

    /// Claims spec.name and creates the container's directory; throws
    /// NameInUse (exit 125) on a name conflict, leaving nothing behind.
    ContainerRecord create(const ContainerSpec& spec);

private:
    std::filesystem::path containers_;
    std::filesystem::path names_;
};

} // namespace kubik
