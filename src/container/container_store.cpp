#include "container/container_store.hpp"

#include "core/error.hpp"
#include "core/files.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace fs = std::filesystem;

namespace kubik {

ContainerStore::ContainerStore(fs::path root)
    : containers_(root / "containers"), names_(root / "names") {}

ContainerRecord ContainerStore::create(const ContainerSpec& spec) {
    std::error_code ec;
    fs::create_directories(containers_, ec);
    fs::create_directories(names_, ec);
    if (ec) throw Error("create state directories under " + containers_.parent_path().string() + ": " + ec.message());

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

    ContainerPaths paths;
    paths.dir = containers_ / spec.id;
    paths.upper = paths.dir / "upper";
    paths.work = paths.dir / "work";
    paths.rootfs = paths.dir / "rootfs";
    ContainerRecord record(name_link, paths); // from here on, failures clean up
    for (const auto* dir : {&paths.dir, &paths.upper, &paths.work, &paths.rootfs})
        if (::mkdir(dir->c_str(), 0700) != 0) throw_errno("mkdir " + dir->string());
    return record;
}

ContainerRecord::ContainerRecord(ContainerRecord&& other) noexcept
    : name_link_(std::move(other.name_link_)), paths_(std::move(other.paths_)), keep_(other.keep_) {
    other.moved_ = true;
}

ContainerRecord::~ContainerRecord() {
    if (moved_ || keep_) return;
    remove_tree_quietly(paths_.dir);
    ::unlink(name_link_.c_str());
}

void ContainerRecord::write_state(const ContainerSpec& spec, const std::string& status, pid_t pid,
                                  std::optional<int> exit_code, bool durable) const {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    nlohmann::json doc = {
        {"Id", spec.id},
        {"Name", spec.name},
        {"Image", spec.image},
        {"Config",
         {{"Cmd", spec.argv},
          {"Env", spec.env},
          {"WorkingDir", spec.working_dir},
          {"Hostname", spec.hostname},
          {"Tty", spec.tty},
          {"OpenStdin", spec.interactive}}},
        {"HostConfig", {{"AutoRemove", spec.remove}}},
        {"State",
         {{"Status", status},
          {"Pid", pid},
          {"ExitCode", exit_code ? nlohmann::json(*exit_code) : nlohmann::json(nullptr)},
          {"UpdatedUnixNano", std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()}}},
    };
    write_file_atomic(paths_.dir / "container.json", doc.dump(2) + "\n", durable);
}

} // namespace kubik
