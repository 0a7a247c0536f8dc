#include "container/container_store.hpp"

#include "core/files.hpp"

#include <nlohmann/json.hpp>

#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace fs = std::filesystem;

namespace kubik {
namespace {

// Where a container is built before it is renamed into place.
constexpr std::string_view kNewPrefix = ".new-";

// A file name a container id can't be: ids are hex digits.
bool is_container_id(const std::string& name) { return !name.empty() && name.front() != '.'; }

void take_flock(int fd, int operation, const fs::path& what) {
    while (::flock(fd, operation) != 0)
        if (errno != EINTR) throw_errno("lock " + what.string());
}

} // namespace

ContainerPaths ContainerPaths::in(const fs::path& dir, const fs::path& mount_point) {
    return {dir,        dir / "upper",          dir / "work",  mount_point, dir / "container.json",
            dir / "container.log", dir / "cgroup"};
}

ContainerLock::ContainerLock(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (!fd_ && errno == ENOENT) throw Error("No such container: " + dir.filename().string(), kExitGeneric);
    if (!fd_) throw_errno("open " + dir.string());
    take_flock(fd_.get(), LOCK_EX, dir);
}

ContainerLock::ContainerLock(UniqueFd dir_fd) : fd_(std::move(dir_fd)) {
    take_flock(fd_.get(), LOCK_EX, "a container directory");
}

void ContainerLock::unlock() noexcept {
    if (fd_) ::flock(fd_.get(), LOCK_UN);
    fd_.reset();
}

ContainerStore::ContainerStore(fs::path root)
    : root_(root), containers_(root / "containers"), names_(root / "names"), mount_point_(root / "rootfs") {}

UniqueFd ContainerStore::lock_store(int operation) const {
    // The lock is an flock of ROOT/containers itself: no file of its own
    // to create, and none to leave behind.
    UniqueFd fd(::open(containers_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd && errno == ENOENT) {
        std::error_code ec;
        fs::create_directories(containers_, ec);
        fd.reset(::open(containers_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    if (!fd) throw_errno("open " + containers_.string());
    take_flock(fd.get(), operation, containers_);
    return fd;
}

CreatedContainer ContainerStore::create(const ContainerSpec& spec) const {
    for (const auto* dir : {&names_, &mount_point_})
        if (::mkdir(dir->c_str(), 0700) != 0 && errno != EEXIST) {
            std::error_code ec;
            fs::create_directories(*dir, ec);
            if (ec) throw Error("create state directories under " + root_.string() + ": " + ec.message());
        }
    UniqueFd shared = lock_store(LOCK_SH);

    // symlink() either creates the name or fails with EEXIST, atomically:
    // two `run --name x` racing each other cannot both win.
    fs::path name_link = names_ / spec.name;
    for (int attempt = 0; ::symlink(spec.id.c_str(), name_link.c_str()) != 0; ++attempt) {
        if (errno != EEXIST) throw_errno("claim container name " + name_link.string());
        std::error_code ec;
        auto owner = fs::read_symlink(name_link, ec).string();
        // A name whose container doesn't exist may be a dead creator's:
        // sweep (which waits for live creators) and try once more.
        if (attempt == 0 && !ec && !fs::exists(containers_ / owner)) {
            shared.reset();
            sweep();
            shared = lock_store(LOCK_SH);
            continue;
        }
        throw NameInUse("Conflict. The container name \"/" + spec.name + "\" is already in use by container \"" +
                        owner + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }

    ContainerInfo info{spec, {}, {}};
    info.state.created_at = now_rfc3339();
    const auto final_paths = paths(spec.id);
    const auto building = ContainerPaths::in(containers_ / (std::string(kNewPrefix) + spec.id), mount_point_);
    auto discard = [&] {
        remove_tree_quietly(building.dir);
        std::error_code ec;
        fs::remove(name_link, ec);
    };
    auto undo = [&](const std::string& what, int err) {
        discard();
        throw_errno(what, err);
    };
    if (::mkdir(building.dir.c_str(), 0700) != 0) undo("mkdir " + building.dir.string(), errno);
    UniqueFd dir_fd(::open(building.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd) undo("open " + building.dir.string(), errno);
    ContainerLock lock(std::move(dir_fd));
    // Written in place: nobody reads a .new-* directory, and a creator
    // killed half-way through the write leaves only debris for sweep().
    try {
        write_file(building.state, container_to_json(info).dump(2) + "\n");
    } catch (const Error&) {
        discard();
        throw;
    }
    if (spec.has_cgroup() && ::symlink(spec.cgroup_path().c_str(), building.cgroup_link.c_str()) != 0)
        undo("symlink " + building.cgroup_link.string(), errno);
    // The overlay's root directory has the upper directory's owner and mode:
    // 0755 like docker's, or a container running as another user than root
    // (USER, -u) could not even look up its /bin. The container's directory
    // (0700) still keeps the host's other users out.
    for (const auto* dir : {&building.upper, &building.work})
        if (::mkdir(dir->c_str(), dir == &building.upper ? 0755 : 0700) != 0) undo("mkdir " + dir->string(), errno);
    // From here on the container exists: `ps -a` shows it, `rm -f` removes it.
    if (::rename(building.dir.c_str(), final_paths.dir.c_str()) != 0)
        undo("rename " + building.dir.string(), errno);
    return {std::move(info), std::move(lock)};
}

void ContainerStore::sweep() const {
    std::error_code ec;
    if (!fs::exists(containers_, ec)) return;
    UniqueFd exclusive = lock_store(LOCK_EX);
    for (const auto& entry : fs::directory_iterator(containers_, ec))
        if (entry.path().filename().string().starts_with(kNewPrefix)) remove_tree_quietly(entry.path());
    for (const auto& entry : fs::directory_iterator(names_, ec)) {
        std::error_code link_ec;
        auto id = fs::read_symlink(entry.path(), link_ec).string();
        if (link_ec || id.empty() || id.find('/') != std::string::npos || !fs::exists(containers_ / id))
            fs::remove(entry.path(), link_ec);
    }
}

std::string ContainerStore::resolve(const std::string& ref) const {
    if (ref.empty()) throw Error("No such container: " + ref, kExitGeneric);
    std::error_code ec;
    // A name first, as docker does; then a full id or a unique prefix.
    if (auto target = fs::read_symlink(names_ / ref, ec); !ec && ref.find('/') == std::string::npos)
        return target.string();
    std::vector<std::string> matches;
    for (const auto& entry : fs::directory_iterator(containers_, ec)) {
        auto id = entry.path().filename().string();
        if (is_container_id(id) && id.starts_with(ref)) matches.push_back(id);
    }
    if (matches.size() == 1) return matches.front();
    if (matches.size() > 1)
        throw Error("multiple containers match \"" + ref + "\": give more of the id", kExitGeneric);
    throw Error("No such container: " + ref, kExitGeneric);
}

ContainerInfo ContainerStore::load(const std::string& id) const {
    auto path = paths(id).state;
    std::string text;
    try {
        text = read_file(path);
    } catch (const Error&) {
        throw Error("No such container: " + id, kExitGeneric);
    }
    try {
        return container_from_json(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception& e) {
        throw Error("container " + id + ": bad " + path.string() + ": " + e.what(), kExitGeneric);
    }
}

ContainerInfo ContainerStore::load_any(const std::string& id) const {
    const auto p = paths(id);
    std::error_code ec;
    if (id.empty() || !is_container_id(id) || !fs::is_directory(p.dir, ec))
        throw Error("No such container: " + id, kExitGeneric);
    std::string why;
    try {
        auto info = container_from_json(nlohmann::json::parse(read_file(p.state)));
        if (info.spec.id == id) return info;
        why = "it names container " + info.spec.id;
    } catch (const nlohmann::json::exception& e) {
        why = e.what();
    } catch (const Error& e) {
        why = e.what();
    }
    ContainerInfo info;
    info.spec.id = id;
    info.spec.name = name_of(id);
    // The cgroup link holds PARENT/ID; a missing link means none was made.
    auto cgroup = fs::read_symlink(p.cgroup_link, ec);
    info.spec.cgroup_parent = ec ? "" : cgroup.parent_path().string();
    info.state.status = "unknown";
    info.damage = "can't read " + p.state.string() + ": " + why;
    return info;
}

std::vector<ContainerInfo> ContainerStore::list() const {
    std::vector<ContainerInfo> all;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(containers_, ec)) {
        auto id = entry.path().filename().string();
        if (!is_container_id(id)) continue;
        try {
            all.push_back(load_any(id));
        } catch (const Error&) {
            // Removed while we looked: not a container any more.
        }
    }
    std::sort(all.begin(), all.end(), [](const ContainerInfo& a, const ContainerInfo& b) {
        if (a.damage.empty() != b.damage.empty()) return a.damage.empty();
        return a.state.created_at > b.state.created_at;
    });
    return all;
}

void ContainerStore::save(const ContainerInfo& info, bool durable) const {
    write_file_atomic(paths(info.spec.id).state, container_to_json(info).dump(2) + "\n", durable);
}

std::string ContainerStore::name_of(const std::string& id) const {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(names_, ec)) {
        std::error_code link_ec;
        if (fs::read_symlink(entry.path(), link_ec) == id) return entry.path().filename().string();
    }
    return "";
}

void ContainerStore::remove(const ContainerInfo& info) const noexcept {
    // The name goes last: while it exists, nobody else can take it and
    // trip over a half-removed directory.
    remove_tree_quietly(paths(info.spec.id).dir);
    if (info.spec.name.empty()) return;
    std::error_code ec;
    auto name_link = names_ / info.spec.name;
    if (fs::read_symlink(name_link, ec) == info.spec.id) fs::remove(name_link, ec);
}

} // namespace kubik
