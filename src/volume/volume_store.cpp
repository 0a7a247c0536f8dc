#include "volume/volume_store.hpp"

#include "container/container_state.hpp"
#include "container/container_store.hpp"
#include "container/naming.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

namespace fs = std::filesystem;

namespace kubik {
namespace {

constexpr const char* kMetadata = "volume.json";
constexpr std::string_view kNewPrefix = ".new-";
constexpr std::string_view kGonePrefix = ".gone-";

bool name_char(char c, bool first) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '_' || c == '.' || c == '-'));
}

// A name of its own for a temp entry: pid and random digits, so two
// creators (or a dead one's debris) never meet.
fs::path temp_entry(const fs::path& dir, std::string_view prefix, const std::string& name) {
    return dir / (std::string(prefix) + name + "-" + std::to_string(::getpid()) + "-" +
                  generate_container_id().substr(0, 8));
}

} // namespace

VolumeStore::VolumeStore(fs::path root) : root_(root), dir_(root / "volumes") {}

bool VolumeStore::valid_name(const std::string& name) {
    if (name.size() < 2) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0)) return false;
    return true;
}

void VolumeStore::validate_name(const std::string& name, const std::string& context) {
    if (valid_name(name)) return;
    throw Error((context.empty() ? "" : context + ": ") + "\"" + name +
                "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
                "allowed. If you intended to pass a host directory, use absolute path");
}

std::string VolumeStore::anonymous_name() { return generate_container_id(); }

VolumeStore::Lock::Lock(const VolumeStore& store, bool exclusive) {
    if (::mkdir(store.dir_.c_str(), 0700) != 0 && errno != EEXIST) {
        std::error_code ec;
        fs::create_directories(store.dir_, ec);
        if (ec) throw Error("create " + store.dir_.string() + ": " + ec.message());
    }
    auto path = store.dir_ / ".lock";
    fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_) throw_errno("open " + path.string());
    while (::flock(fd_.get(), exclusive ? LOCK_EX : LOCK_SH) != 0)
        if (errno != EINTR) throw_errno("lock " + path.string());
}

std::optional<Volume> VolumeStore::read(const fs::path& dir) const {
    std::error_code ec;
    if (!fs::is_directory(dir / "_data", ec)) return std::nullopt;
    Volume volume;
    volume.name = dir.filename().string();
    volume.dir = dir;
    try {
        auto doc = nlohmann::json::parse(read_file(dir / kMetadata));
        volume.created_at = doc.value("CreatedAt", "");
        volume.labels = doc.value("Labels", std::map<std::string, std::string>{});
        volume.anonymous = doc.value("Anonymous", false);
    } catch (const std::exception&) {
        // Metadata lost (a hand-made directory, a bad edit): still a volume,
        // as docker's local driver treats any directory with _data.
    }
    return volume;
}

Volume VolumeStore::create(const std::string& name, const std::map<std::string, std::string>& labels, bool anonymous,
                           bool* created) const {
    validate_name(name, "create " + name);
    if (created) *created = false;
    if (auto existing = find(name)) return *existing;

    // Built aside, then renamed into place: the volume appears whole or not at all.
    const fs::path building = temp_entry(dir_, kNewPrefix, name);
    struct Discard {
        const fs::path& path;
        bool armed = true;
        ~Discard() {
            if (armed) remove_tree_quietly(path);
        }
    } discard{building};
    if (::mkdir(building.c_str(), 0701) != 0) throw_errno("create volume " + name);
    // 0755 as docker's local driver makes it; the image's copy (lesson 5)
    // then gives it the mode of the directory it covers.
    if (::mkdir((building / "_data").c_str(), 0755) != 0) throw_errno("create volume " + name);
    // Whole seconds, as docker's CreatedAt.
    Volume volume{name, now_rfc3339().substr(0, 19) + "Z", labels, anonymous, dir_ / name};
    nlohmann::json doc = {{"Name", name},
                          {"CreatedAt", volume.created_at},
                          {"Labels", labels},
                          {"Anonymous", anonymous}};
    write_file(building / kMetadata, doc.dump(2) + "\n", /*durable=*/true);
    if (::rename(building.c_str(), volume.dir.c_str()) != 0) {
        int err = errno;
        // Someone made it meanwhile: theirs is as good as ours.
        if (err == EEXIST || err == ENOTEMPTY) {
            if (auto existing = find(name)) return *existing;
        }
        throw_errno("create volume " + name, err);
    }
    discard.armed = false;
    if (created) *created = true;
    return volume;
}

std::optional<Volume> VolumeStore::find(const std::string& name) const {
    if (!valid_name(name)) return std::nullopt;
    return read(dir_ / name);
}

Volume VolumeStore::get(const std::string& name) const {
    if (auto volume = find(name)) return *volume;
    throw Error("get " + name + ": no such volume", kExitGeneric);
}

std::vector<Volume> VolumeStore::list() const {
    std::vector<Volume> all;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        auto name = entry.path().filename().string();
        if (!valid_name(name)) continue;
        if (auto volume = read(entry.path())) all.push_back(std::move(*volume));
    }
    std::sort(all.begin(), all.end(), [](const Volume& a, const Volume& b) { return a.name < b.name; });
    return all;
}

std::map<std::string, std::vector<std::string>> VolumeStore::users() const {
    std::map<std::string, std::vector<std::string>> users;
    for (const auto& info : ContainerStore(root_).list()) {
        std::set<std::string> seen;
        for (const auto& m : info.spec.mounts)
            if (m.mount.type == volumes::MountType::Volume && !m.mount.source.empty() &&
                seen.insert(m.mount.source).second)
                users[m.mount.source].push_back(info.spec.id);
    }
    return users;
}

void VolumeStore::remove(const std::string& name) const {
    Volume volume = get(name);
    auto all = users();
    if (auto it = all.find(name); it != all.end()) {
        std::string ids;
        for (const auto& id : it->second) ids += (ids.empty() ? "" : ", ") + id;
        throw Error("remove " + name + ": volume is in use - [" + ids + "]", kExitGeneric);
    }
    // Out of the way first, in one step: nobody can find half a volume.
    const fs::path gone = temp_entry(dir_, kGonePrefix, name);
    if (::rename(volume.dir.c_str(), gone.c_str()) != 0) throw_errno("remove " + name);
    remove_tree_quietly(gone);
}

bool VolumeStore::remove_if_unused(const std::string& name) const noexcept {
    try {
        Lock lock(*this, /*exclusive=*/true);
        if (!find(name)) return false;
        remove(name);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void VolumeStore::remove_anonymous(const std::vector<ContainerMount>& mounts) const noexcept {
    for (const auto& m : mounts)
        if (m.anonymous && m.mount.type == volumes::MountType::Volume) remove_if_unused(m.mount.source);
}

std::uint64_t VolumeStore::size_of(const Volume& volume) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(volume.data(), fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        struct stat st;
        if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += static_cast<std::uint64_t>(st.st_size);
    }
    return total;
}

void VolumeStore::sweep() const {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        auto name = entry.path().filename().string();
        if (name.starts_with(kNewPrefix) || name.starts_with(kGonePrefix)) remove_tree_quietly(entry.path());
    }
}

} // namespace kubik
