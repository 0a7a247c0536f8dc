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

ContainerPaths ContainerPaths::in(const fs::path& dir) {
    return {dir, dir / "upper", dir / "work", dir / "rootfs", dir / "container.json", dir / "container.log"};
}

ContainerLock::ContainerLock(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (!fd_) throw_errno("open " + dir.string());
    while (::flock(fd_.get(), LOCK_EX) != 0)
        if (errno != EINTR) throw_errno("lock " + dir.string());
}

ContainerStore::ContainerStore(fs::path root)
    : root_(root), containers_(root / "containers"), names_(root / "names") {}

ContainerInfo ContainerStore::create(const ContainerSpec& spec) const {
    std::error_code ec;
    fs::create_directories(containers_, ec);
    fs::create_directories(names_, ec);
    if (ec) throw Error("create state directories under " + root_.string() + ": " + ec.message());

    // symlink() either creates the name or fails with EEXIST, atomically:
    // two `run --name x` racing each other cannot both win.
    fs::path name_link = names_ / spec.name;
    if (::symlink(spec.id.c_str(), name_link.c_str()) != 0) {
        if (errno == EEXIST) {
            std::error_code rec;
            auto owner = fs::read_symlink(name_link, rec).string();
            throw NameInUse("Conflict. The container name \"/" + spec.name +
                            "\" is already in use by container \"" + owner +
                            "\". You have to remove (or rename) that container to be able to reuse that name.");
        }
        throw_errno("claim container name " + name_link.string());
    }
    ContainerInfo info{spec, {}};
    info.state.created_at = now_rfc3339();
    auto paths = this->paths(spec.id);
    for (const auto* dir : {&paths.dir, &paths.upper, &paths.work, &paths.rootfs})
        if (::mkdir(dir->c_str(), 0700) != 0) {
            int err = errno;
            remove(info);
            throw_errno("mkdir " + dir->string(), err);
        }
    return info;
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
        if (id.starts_with(ref)) matches.push_back(id);
    }
    if (matches.size() == 1) return matches.front();
    if (matches.size() > 1)
        throw Error("multiple containers match \"" + ref + "\": give more of the id", kExitGeneric);
    throw Error("No such container: " + ref, kExitGeneric);
}

ContainerInfo ContainerStore::load(const std::string& id) const {
    auto path = paths(id).state;
    try {
        return container_from_json(nlohmann::json::parse(read_file(path)));
    } catch (const nlohmann::json::exception& e) {
        throw Error("container " + id + ": bad " + path.string() + ": " + e.what(), kExitGeneric);
    } catch (const Error&) {
        throw Error("No such container: " + id, kExitGeneric);
    }
}

std::vector<ContainerInfo> ContainerStore::list() const {
    std::vector<ContainerInfo> all;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(containers_, ec)) {
        try {
            all.push_back(load(entry.path().filename().string()));
        } catch (const Error&) {
            // Being created or removed right now: not a container yet (or any more).
        }
    }
    std::sort(all.begin(), all.end(), [](const ContainerInfo& a, const ContainerInfo& b) {
        return a.state.created_at > b.state.created_at;
    });
    return all;
}

void ContainerStore::save(const ContainerInfo& info, bool durable) const {
    write_file_atomic(paths(info.spec.id).state, container_to_json(info).dump(2) + "\n", durable);
}

void ContainerStore::remove(const ContainerInfo& info) const noexcept {
    // The name goes last: while it exists, nobody else can take it and
    // trip over a half-removed directory.
    remove_tree_quietly(paths(info.spec.id).dir);
    std::error_code ec;
    auto name_link = names_ / info.spec.name;
    if (fs::read_symlink(name_link, ec) == info.spec.id) fs::remove(name_link, ec);
}

} // namespace kubik
