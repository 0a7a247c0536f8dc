// The volume store: directories kept for containers, outside their layers.
//
//   ROOT/volumes/NAME/_data        what a container sees at its mount point
//   ROOT/volumes/NAME/volume.json  {Name, CreatedAt, Labels, Anonymous}
//   ROOT/volumes/.lock             flock(2): shared by creators, exclusive for removal
//   ROOT/volumes/.new-*, .gone-*   a volume being made or removed
//
// A volume appears by one rename(2) of a finished directory (_data and
// volume.json in it) and disappears by one rename out of the way, so a reader
// never sees half of one. Names can't start with a dot: the hidden entries
// are the store's own.
//
// Who uses a volume is not written down beside it: the containers' records
// say it (spec.mounts), and the store scans them. That is only safe if no
// container can start using a volume between the scan and the removal, so
// `kubik run` holds the lock shared from making its volumes until its
// container's record exists, and `volume rm`/`prune` take it exclusively.
#pragma once

#include "container/container_spec.hpp"
#include "core/unique_fd.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubik {

/// One volume of the store.
struct Volume {
    std::string name;                          ///< docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+
    std::string created_at;                    ///< RFC 3339, UTC, as docker's CreatedAt
    std::map<std::string, std::string> labels; ///< `volume create --label K=V`
    /// Made for one container (`-v /path`, 64 hex digits): `volume prune`
    /// without -a removes only these, `rm -v` and `run --rm` remove them.
    bool anonymous = false;
    std::filesystem::path dir;                 ///< ROOT/volumes/NAME

    /// ROOT/volumes/NAME/_data: what is mounted (docker's Mountpoint).
    std::filesystem::path data() const { return dir / "_data"; }
};

/// The volumes of one state root.
class VolumeStore {
public:
    /// The store of state root `root`; ROOT/volumes is made on first write.
    explicit VolumeStore(std::filesystem::path root);

    /// Throws kubik::Error (125) with docker's words unless `name` is a valid
    /// volume name ("\"x/y\" includes invalid characters for a local volume
    /// name, …"); `context` prefixes the message ("create x/y").
    static void validate_name(const std::string& name, const std::string& context = "");
    /// Whether `name` is a valid volume name (see validate_name()).
    static bool valid_name(const std::string& name);
    /// A fresh anonymous volume name: 64 random hex digits, as docker makes them.
    static std::string anonymous_name();

    /// A flock(2) on ROOT/volumes/.lock, held while the object lives.
    class Lock {
    public:
        /// Takes the lock of `store`: shared (creators, `run`) or exclusive
        /// (removal), waiting while the other kind is held.
        Lock(const VolumeStore& store, bool exclusive);

    private:
        UniqueFd fd_;
    };

    /// Makes volume `name` (validated) unless it exists; returns it, and in
    /// `created` whether this call made it. Two concurrent creates of one
    /// name both succeed, one of them making it. Call with the lock held
    /// (shared is enough).
    Volume create(const std::string& name, const std::map<std::string, std::string>& labels, bool anonymous,
                  bool* created = nullptr) const;
    /// The volume named `name`, if it exists.
    std::optional<Volume> find(const std::string& name) const;
    /// The volume named `name`; throws kubik::Error (exit 1) "get NAME: no
    /// such volume" when it does not exist.
    Volume get(const std::string& name) const;
    /// Every volume, by name.
    std::vector<Volume> list() const;
    /// The ids of the containers whose spec.mounts name each volume, running
    /// or not; volumes nobody uses are absent.
    std::map<std::string, std::vector<std::string>> users() const;
    /// Removes volume `name`. Refused (kubik::Error, exit 1) with docker's
    /// "remove NAME: volume is in use - [ID, …]" while a container uses it;
    /// "get NAME: no such volume" when it does not exist. Call with the lock
    /// held exclusively.
    void remove(const std::string& name) const;
    /// Removes `name` unless a container uses it; false if it was kept (or
    /// not there). For cleanup paths: never throws. Takes the lock itself.
    bool remove_if_unused(const std::string& name) const noexcept;
    /// Removes the anonymous volumes among a container's `mounts` that no
    /// container uses any more: `rm -v` and `run --rm`, once the container's
    /// record is gone. Named volumes always stay. Never throws.
    void remove_anonymous(const std::vector<ContainerMount>& mounts) const noexcept;
    /// Bytes of the files under the volume's _data (what prune reclaims).
    static std::uint64_t size_of(const Volume& volume);
    /// Removes what dead creators and removers left (.new-*, .gone-*). Call
    /// with the lock held exclusively.
    void sweep() const;

    /// ROOT/volumes.
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::optional<Volume> read(const std::filesystem::path& dir) const;

    std::filesystem::path root_, dir_;
};

} // namespace kubik
