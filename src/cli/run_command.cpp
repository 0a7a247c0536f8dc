// `kubik run`: parse → resolve the image → build the ContainerSpec → start it.
#include "cli/commands.hpp"

#include "cli/env_flags.hpp"
#include "cli/host_ports.hpp"
#include "cli/mount_flags.hpp"
#include "container/container_store.hpp"
#include "container/naming.hpp"
#include "core/error.hpp"
#include "image/image_store.hpp"
#include "process.hpp"
#include "rootless/rootless_cgroup.hpp"
#include "rootless/rootless_mode.hpp"
#include "cli/units.hpp"
#include "runtime/container_network.hpp"
#include "runtime/container_user.hpp"
#include "cli/security_flags.hpp"
#include "runtime/launch.hpp"
#include "runtime/lesson_step.hpp"
#include "volume/volume_store.hpp"
#include "volumes.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>

namespace kubik::cli {
namespace {

struct RunOptions {
    bool remove = false, interactive = false, tty = false, detach = false;
    std::string memory, memory_swap, cpus, pids_limit, cgroup_parent = "kubik";
    std::string name, hostname, workdir, isolation = "default";
    std::vector<std::string> env;
    std::vector<std::string> volumes, mounts, tmpfs; // -v, --mount, --tmpfs
    std::string network;                             // --network, --net: "" when not given
    std::vector<std::string> publish, add_hosts;     // -p, --add-host
    bool publish_all = false;                        // -P
    std::vector<std::string> expose;                 // --expose
    std::optional<std::string> entrypoint;           // --entrypoint ("" clears the image's)
    std::string user, stop_signal;                   // -u, --stop-signal
    std::vector<std::string> cap_add, cap_drop, security_opt, group_add; // lesson 8
    bool privileged = false, read_only = false;     // --privileged, --read-only
    std::vector<std::string> labels;                 // -l, --label
    std::string image;
    std::vector<std::string> command;
};

// Docker's rules for the resource flags, checked before anything is created.
cgroups::CgroupLimits parse_limits(const RunOptions& opts) {
    cgroups::CgroupLimits limits;
    auto flag_error = [](const std::string& flag, const std::string& value, const std::string& why) {
        return Error("invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + why);
    };
    if (!opts.memory.empty()) {
        try {
            limits.memory = parse_ram_bytes(opts.memory);
        } catch (const Error& e) {
            throw flag_error("-m, --memory", opts.memory, e.what());
        }
        // Below this the container's own processes can't even start.
        if (*limits.memory < 6 * 1024 * 1024) throw Error("Minimum memory limit allowed is 6MB");
    }
    // Docker takes --memory-swap 0 as "not given".
    if (!opts.memory_swap.empty() && opts.memory_swap != "0") {
        if (opts.memory_swap == "-1") {
            limits.memory_swap = -1;
        } else {
            try {
                limits.memory_swap = parse_ram_bytes(opts.memory_swap);
            } catch (const Error& e) {
                throw flag_error("--memory-swap", opts.memory_swap, e.what());
            }
        }
        if (!limits.memory)
            throw Error("You should always set the Memory limit when using Memoryswap limit, see usage");
        if (*limits.memory_swap >= 0 && *limits.memory_swap < *limits.memory)
            throw Error("Minimum memoryswap limit should be larger than memory limit, see usage");
    }
    if (!opts.cpus.empty()) {
        double value = 0;
        size_t used = 0;
        try {
            value = std::stod(opts.cpus, &used);
        } catch (const std::exception&) {
        }
        if (used != opts.cpus.size())
            throw flag_error("--cpus", opts.cpus, "failed to parse " + opts.cpus + " as a rational number");
        long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
        if (value < 0.01 || value > static_cast<double>(cpus))
            throw Error("Range of CPUs is from 0.01 to " + std::to_string(cpus) + ".00, as there are only " +
                        std::to_string(cpus) + " CPUs available");
        limits.cpus = value;
    }
    if (!opts.pids_limit.empty()) {
        size_t used = 0;
        int64_t value = 0;
        try {
            value = std::stoll(opts.pids_limit, &used);
        } catch (const std::exception&) {
        }
        if (used != opts.pids_limit.size() || used == 0)
            throw flag_error("--pids-limit", opts.pids_limit, "strconv.ParseInt: parsing \"" + opts.pids_limit +
                                                                  "\": invalid syntax");
        limits.pids = value;
    }
    return limits;
}

// -v, --mount and --tmpfs, parsed and checked: nothing is made yet.
std::vector<volumes::MountSpec> parse_mounts(const RunOptions& opts) {
    std::vector<volumes::MountSpec> mounts;
    for (const auto& value : opts.volumes)
        // Lesson 5's parser: while it is a stub, -v is an error naming the flag.
        lesson_step([&] { mounts.push_back(volumes::parse_volume_flag(value)); }, "-v");
    for (const auto& value : opts.mounts) mounts.push_back(parse_mount_flag(value));
    for (const auto& value : opts.tmpfs) mounts.push_back(parse_tmpfs_flag(value));
    check_mounts(mounts);
    return mounts;
}

// What `run` made for a container's mounts: the volumes it created and the
// host directories -v created. Unless the container started, they go again
// when this object does, so a failed run leaves nothing. A volume another
// container took up meanwhile stays (remove_if_unused).
class MadeForRun {
public:
    explicit MadeForRun(const VolumeStore& volumes) : volumes_(volumes) {}
    MadeForRun(const MadeForRun&) = delete;
    MadeForRun& operator=(const MadeForRun&) = delete;
    ~MadeForRun() {
        if (keep_) return;
        for (const auto& name : made_volumes_) volumes_.remove_if_unused(name);
        // Deepest first; rmdir leaves a directory someone wrote to.
        for (auto it = made_dirs_.rbegin(); it != made_dirs_.rend(); ++it) ::rmdir(it->c_str());
    }
    void volume(const std::string& name) { made_volumes_.push_back(name); }
    void directory(const std::filesystem::path& dir) { made_dirs_.push_back(dir); }
    void keep() { keep_ = true; }

private:
    const VolumeStore& volumes_;
    std::vector<std::string> made_volumes_;
    std::vector<std::filesystem::path> made_dirs_;
    bool keep_ = false;
};

// mkdir -p with mode 0755, remembering each directory it made.
void make_host_directory(const std::filesystem::path& dir, MadeForRun& made) {
    std::filesystem::path path;
    for (const auto& part : dir) {
        path /= part;
        if (::mkdir(path.c_str(), 0755) == 0) made.directory(path);
        else if (errno != EEXIST) throw_errno("create mount source path " + path.string());
    }
}

// Gives every mount what it is on the host: a volume (made when missing,
// named when anonymous) or a bind source with its symlinks followed. Call
// with the volume store locked (shared), so that no `volume rm` runs between
// this and the container's record.
std::vector<ContainerMount> prepare_mounts(const std::vector<volumes::MountSpec>& specs, const VolumeStore& volumes,
                                           MadeForRun& made) {
    std::vector<ContainerMount> mounts;
    for (const auto& spec : specs) {
        ContainerMount cm{spec, {}, false};
        switch (spec.type) {
        case volumes::MountType::Volume: {
            cm.anonymous = spec.source.empty();
            if (cm.anonymous) cm.mount.source = VolumeStore::anonymous_name();
            bool created = false;
            Volume volume = volumes.create(cm.mount.source, {}, cm.anonymous, &created);
            if (created) made.volume(volume.name);
            cm.host_path = volume.data();
            break;
        }
        case volumes::MountType::Bind: {
            if (spec.create_source) make_host_directory(spec.source, made);
            std::error_code ec;
            cm.host_path = std::filesystem::canonical(spec.source, ec);
            if (ec)
                throw Error("invalid mount config for type \"bind\": bind source path does not exist: " + spec.source);
            break;
        }
        case volumes::MountType::Tmpfs: break;
        }
        mounts.push_back(std::move(cm));
    }
    return mounts;
}

// The host ports of -p, chosen and checked against the host's sockets and
// every kubik table (cli/host_ports.hpp), once the container is known to
// publish them: before anything is made.
std::vector<network::PublishedPort> resolve_ports(const RunOptions& opts) {
    if (opts.publish.empty()) return {};
    return resolve_publish_flags(opts.publish);
}

// --add-host NAME:IP (docker's checks; "host-gateway" is the network's gateway).
void validate_add_hosts(const std::vector<std::string>& values) {
    for (const auto& value : values) {
        auto colon = value.find(':');
        if (colon == std::string::npos || colon == 0)
            throw Error("invalid argument \"" + value + "\" for \"--add-host\" flag: bad format for add-host: \"" +
                        value + "\"");
        const std::string ip = value.substr(colon + 1);
        unsigned char buf[16];
        if (ip != "host-gateway" && ::inet_pton(AF_INET, ip.c_str(), buf) != 1 &&
            ::inet_pton(AF_INET6, ip.c_str(), buf) != 1)
            throw Error("invalid argument \"" + value + "\" for \"--add-host\" flag: invalid IP address in add-host: \"" +
                        ip + "\"");
    }
}

// "/data/", "/a/../data" → "/data": how check_mounts() writes a target, so
// that an image's VOLUME and a -v on the same place are seen to be one.
std::string clean_target(const std::string& target) {
    std::string clean = std::filesystem::path(target).lexically_normal().string();
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    return clean;
}

// Docker gives every VOLUME of the image an anonymous volume, unless the
// user mounted something on that very path (then theirs wins). A new
// anonymous volume is empty, so it gets the image's files there
// (volume_mounts.cpp): the image's /data shows through, as in docker.
void add_image_volumes(std::vector<volumes::MountSpec>& mounts, const std::vector<std::string>& image_volumes) {
    std::set<std::string> taken;
    for (const auto& m : mounts) taken.insert(clean_target(m.target));
    for (const auto& target : image_volumes) {
        if (!taken.insert(clean_target(target)).second) continue;
        volumes::MountSpec spec;
        spec.type = volumes::MountType::Volume;
        spec.target = target;
        mounts.push_back(spec);
    }
}

// "80" → "80/tcp", "53/UDP" → "53/udp", "8000-8002" → three ports: the
// keys of exposed ports as docker writes them. Throws kubik::Error (125)
// for what is not a port ("--expose abc") or not a range.
std::vector<std::string> port_keys(const std::string& value, const char* flag) {
    auto slash = value.find('/');
    const std::string ports = value.substr(0, slash);
    std::string proto = slash == std::string::npos ? "tcp" : value.substr(slash + 1);
    std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
    auto bad = [&](const std::string& why) {
        return Error(std::string("invalid argument \"") + value + "\" for \"" + flag + "\" flag: " + why);
    };
    auto number = [&](const std::string& text) {
        unsigned long n = 0;
        size_t used = 0;
        try {
            n = std::stoul(text, &used);
        } catch (const std::exception&) {
        }
        if (used == 0 || used != text.size() || text.front() == '-' || text.front() == '+' || n == 0 || n > 65535)
            throw bad("invalid port: " + ports);
        return n;
    };
    if (proto != "tcp" && proto != "udp" && proto != "sctp") throw bad("invalid proto: " + proto);
    const auto dash = ports.find('-');
    const unsigned long first = number(ports.substr(0, dash));
    const unsigned long last = dash == std::string::npos ? first : number(ports.substr(dash + 1));
    if (last < first) throw bad("invalid range: " + ports);
    std::vector<std::string> keys;
    for (unsigned long p = first; p <= last; ++p) keys.push_back(std::to_string(p) + "/" + proto);
    return keys;
}

// "80/tcp": the container side of a -p, as ExposedPorts names it.
std::string port_key(const PortRequest& request) {
    return std::to_string(request.port.container_port) +
           (request.port.protocol == network::Protocol::Udp ? "/udp" : "/tcp");
}

// Config.ExposedPorts of the container: the image's, --expose's and every
// -p's container port (docker adds those too), sorted and unique.
std::vector<std::string> exposed_ports(const RunOptions& opts, const std::vector<PortRequest>& publish,
                                       const ImageConfig& image) {
    std::set<std::string> ports(image.exposed_ports.begin(), image.exposed_ports.end());
    for (const auto& value : opts.expose)
        for (const auto& key : port_keys(value, "--expose")) ports.insert(key);
    for (const auto& request : publish) ports.insert(port_key(request));
    return {ports.begin(), ports.end()};
}

// -P: each exposed port that no -p publishes already goes on a host port the
// kernel picks, on every address, as `-p PORT/PROTO` would. Kubik publishes
// tcp and udp only, so an exposed sctp port is left out, with a warning.
std::vector<std::string> publish_all(const RunOptions& opts, const std::vector<PortRequest>& publish,
                                     const std::vector<std::string>& exposed) {
    std::vector<std::string> flags = opts.publish;
    std::set<std::string> published;
    for (const auto& request : publish) published.insert(port_key(request));
    for (const auto& key : exposed) {
        if (published.count(key)) continue;
        if (key.ends_with("/sctp")) {
            std::cerr << "WARNING: -P: port " << key << " not published: kubik publishes tcp and udp only\n";
            continue;
        }
        flags.push_back(key);
    }
    return flags;
}

// --label KEY=VALUE, or KEY alone for an empty value (docker's rule), on top
// of the image's labels.
std::map<std::string, std::string> container_labels(const RunOptions& opts, const ImageConfig& image) {
    std::map<std::string, std::string> labels = image.labels;
    for (const auto& value : opts.labels) {
        auto eq = value.find('=');
        std::string key = value.substr(0, eq);
        if (key.empty()) throw Error("invalid argument \"" + value + "\" for \"-l, --label\" flag: invalid label format");
        labels[key] = eq == std::string::npos ? "" : value.substr(eq + 1);
    }
    return labels;
}

// HOME given by the image or by -e (a bare "-e HOME" passes kubik's own).
bool home_given(const RunOptions& opts, const ImageConfig& image) {
    auto is_home = [](const std::string& e) { return e == "HOME" || e.starts_with("HOME="); };
    return std::any_of(image.env.begin(), image.env.end(), is_home) ||
           std::any_of(opts.env.begin(), opts.env.end(), is_home);
}

ContainerSpec make_spec(const RunOptions& opts, const Image& image, const std::string& image_name,
                        const std::filesystem::path& layer_links, NetworkChoice network) {
    ContainerSpec spec;
    spec.id = generate_container_id();
    spec.name = opts.name.empty() ? generate_container_name() : opts.name;
    spec.image = image_name;
    spec.image_id = image.id;
    for (const auto& layer : image.layers) spec.layers.push_back({layer.chain_id, layer.dir, layer.link});
    spec.layer_links = layer_links;

    // Docker's rules: the image's ENTRYPOINT stays and a command given to
    // `run` replaces its CMD. --entrypoint replaces the ENTRYPOINT and drops
    // the image's CMD too (a CMD was written as arguments for the old one);
    // --entrypoint "" only clears the ENTRYPOINT, so the CMD runs alone.
    const bool new_entrypoint = opts.entrypoint && !opts.entrypoint->empty();
    spec.argv = !opts.entrypoint   ? image.config.entrypoint
                : new_entrypoint ? std::vector<std::string>{*opts.entrypoint}
                                 : std::vector<std::string>{};
    const auto& cmd = !opts.command.empty() || new_entrypoint ? opts.command : image.config.cmd;
    spec.argv.insert(spec.argv.end(), cmd.begin(), cmd.end());
    if (spec.argv.empty())
        throw Error("no command specified (the image has no CMD; give one after the image name)");

    spec.working_dir = !opts.workdir.empty()               ? opts.workdir
                       : !image.config.working_dir.empty() ? image.config.working_dir
                                                           : "/";
    // Docker's default hostname: the short form of the container id; the
    // host's with --network host, the other's with container:NAME.
    spec.hostname = !opts.hostname.empty()        ? opts.hostname
                    : !network.hostname.empty() ? network.hostname
                                                : spec.id.substr(0, 12);
    spec.hostname_given = !opts.hostname.empty();
    spec.interactive = opts.interactive;
    spec.tty = opts.tty;
    spec.remove = opts.remove;
    spec.detach = opts.detach;
    spec.limits = parse_limits(opts);
    // A rootless kubik's groups go below the user's delegated subtree, or
    // nowhere (rootless_cgroup.hpp).
    spec.cgroup_parent = rootless::inside() ? rootless::cgroup_parent_for(opts.cgroup_parent) : opts.cgroup_parent;
    spec.isolation = opts.isolation == "chroot" ? Isolation::Chroot : Isolation::PivotRoot;
    spec.network_mode = network.mode;
    spec.network = std::move(network.network);
    spec.ports = std::move(network.ports);
    spec.extra_hosts = opts.add_hosts;
    spec.env = process::build_environment(image.config.env, opts.env, spec.hostname, spec.tty,
                                          [](const char* key) { return std::getenv(key); });
    spec.user = !opts.user.empty() ? opts.user : image.config.user;
    // Another user's HOME is its passwd entry's, found in the container
    // just before exec: the default HOME=/root goes, unless someone set it.
    if (!spec.user.empty() && !home_given(opts, image.config))
        std::erase(spec.env, std::string("HOME=/root"));
    spec.labels = container_labels(opts, image.config);
    spec.stop_signal = !opts.stop_signal.empty() ? opts.stop_signal : image.config.stop_signal;
    spec.volumes = image.config.volumes;
    spec.healthcheck = image.config.healthcheck;
    return spec;
}

int run(const GlobalOptions& global, RunOptions opts) {
    // Check what the user typed before touching any state.
    if (!opts.name.empty()) validate_container_name(opts.name);
    if (!opts.workdir.empty() && opts.workdir.front() != '/')
        throw Error("the working directory '" + opts.workdir + "' is invalid, it needs to be an absolute path");
    if (opts.hostname.size() > 64)
        throw Error("invalid hostname \"" + opts.hostname + "\": longer than 64 characters");
    validate_env_flags(opts.env);
    validate_add_hosts(opts.add_hosts);
    if (!opts.user.empty()) check_user_spec(opts.user);
    // Lesson 8's flags, checked before any state (an unknown name is 125).
    const SecurityOptions security = parse_security_flags(
        {.privileged = opts.privileged, .read_only = opts.read_only, .cap_add = opts.cap_add,
         .cap_drop = opts.cap_drop, .security_opt = opts.security_opt, .group_add = opts.group_add});
    if (!opts.stop_signal.empty()) parse_signal(opts.stop_signal);
    for (const auto& value : opts.expose) port_keys(value, "--expose");
    // -p/--publish, syntax only (cli/port_flags.hpp): a bad flag is refused
    // whatever the network (while lesson 6 is a stub, -p is its error).
    std::vector<PortRequest> publish;
    if (!opts.publish.empty() && network_lesson_written()) publish = parse_publish_flags(opts.publish);
    auto mount_specs = parse_mounts(opts);

    // Like docker, "/foo" means foo at the top of the hierarchy, which is what
    // a relative parent means already. Left absolute, path(mount) / "/foo"
    // would drop the mount and make /foo on the host's root filesystem.
    const std::string given_parent = opts.cgroup_parent;
    opts.cgroup_parent.erase(0, opts.cgroup_parent.find_first_not_of('/'));
    if (opts.cgroup_parent.empty() || opts.cgroup_parent.find("..") != std::string::npos)
        throw Error("invalid --cgroup-parent \"" + given_parent + "\"");

    const auto root = global.root_path();
    ImageStore images(root);
    Image image = images.find(opts.image);
    if (!image.config.volumes.empty()) {
        add_image_volumes(mount_specs, image.config.volumes);
        check_mounts(mount_specs);
    }
    // -P publishes what the image (and --expose, and -p) exposes.
    const auto exposed = exposed_ports(opts, publish, image.config);
    if (opts.publish_all) opts.publish = publish_all(opts, publish, exposed);
    // Nothing is made for the network yet: the lease is taken at the start.
    NetworkChoice network =
        decide_network(root, opts.network, !opts.publish.empty(), !opts.hostname.empty(), !opts.add_hosts.empty());
    if (network.mode == NetworkMode::Bridge) network.ports = resolve_ports(opts);
    for (const auto& warning : network.warnings) std::cerr << "WARNING: " << warning << "\n";
    // Docker records the image as the user named it ("busybox", an ID prefix).
    ContainerSpec spec = make_spec(opts, image, opts.image, images.dir() / "l", std::move(network));
    spec.security = security;
    spec.exposed_ports = exposed;

    ContainerStore store(root);
    VolumeStore volumes(root);
    // Declared before the record and the lock, so that it cleans up after
    // both are gone: a failed container's record must not count as a user of
    // its volumes, and removing a volume takes the lock exclusively.
    MadeForRun made(volumes);
    std::optional<ContainerRecord> created;
    {
        std::optional<VolumeStore::Lock> volume_lock;
        if (!mount_specs.empty()) {
            volume_lock.emplace(volumes, /*exclusive=*/false);
            spec.mounts = prepare_mounts(mount_specs, volumes, made);
        }
        for (int attempt = 1; !created; ++attempt) {
            try {
                created.emplace(store, store.create(spec));
            } catch (const NameInUse&) {
                // A generated name may collide with an existing one; try another.
                if (!opts.name.empty() || attempt == 5) throw;
                spec.name = generate_container_name();
            }
        }
        // Its record names its volumes now: `volume rm` sees it use them.
    }
    ContainerRecord& record = *created;
    // Until run_* keeps it, a failure removes the container again.
    int code = spec.detach ? run_detached(store, record) : run_foreground(store, record);
    if (record.started()) made.keep();
    return code;
}

} // namespace

void add_run_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto opts = std::make_shared<RunOptions>();
    auto* run_cmd = app.add_subcommand("run", "Create and run a new container from an image");
    // Docker uses -h for --hostname, so help is --help only.
    run_cmd->set_help_flag("--help", "Print usage");
    use_docker_style_help(*run_cmd, "kubik run [OPTIONS] IMAGE [COMMAND] [ARG...]");

    run_cmd->add_option("--add-host", opts->add_hosts, "Add a custom host-to-IP mapping (host:ip)")
        ->type_name("list")
        ->allow_extra_args(false);
    run_cmd->add_option("--cgroup-parent", opts->cgroup_parent, "Optional parent cgroup for the container")
        ->type_name("string");
    run_cmd->add_option("--cpus", opts->cpus, "Number of CPUs")->type_name("decimal");
    run_cmd->add_flag("-d,--detach", opts->detach, "Run container in background and print container ID");
    run_cmd->add_option("--entrypoint", opts->entrypoint, "Overwrite the default ENTRYPOINT of the image")
        ->type_name("string")
        ->expected(1);
    run_cmd->add_option("-e,--env", opts->env, "Set environment variables (KEY=VALUE, or KEY to pass kubik's own)")
        ->type_name("list")
        ->allow_extra_args(false);
    run_cmd->add_option("--expose", opts->expose, "Expose a port or a range of ports")
        ->type_name("list")
        ->allow_extra_args(false);
    run_cmd->add_option("-h,--hostname", opts->hostname, "Container host name")->type_name("string");
    run_cmd->add_flag("-i,--interactive", opts->interactive, "Keep STDIN open");
    run_cmd->add_option("--isolation", opts->isolation,
                        "How to enter the root filesystem: default (pivot_root) or chroot (lesson 1 demo; escapable)")
        ->type_name("string")
        ->check(CLI::IsMember({"default", "pivot_root", "chroot"}));
    run_cmd->add_option("-l,--label", opts->labels, "Set meta data on a container")
        ->type_name("list")
        ->allow_extra_args(false);
    run_cmd->add_option("-m,--memory", opts->memory, "Memory limit")->type_name("bytes");
    run_cmd->add_option("--mount", opts->mounts, "Attach a filesystem mount to the container")
        ->type_name("mount")
        ->allow_extra_args(false);
    run_cmd->add_option("--memory-swap", opts->memory_swap,
                        "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
        ->type_name("bytes");
    run_cmd->add_option("--name", opts->name, "Assign a name to the container")->type_name("string");
    run_cmd->add_option("--network,--net", opts->network,
                        "Connect a container to a network: bridge (default), none, host, container:NAME, or a "
                        "network's name")
        ->type_name("network");
    run_cmd->add_option("-p,--publish", opts->publish, "Publish a container's port(s) to the host")
        ->type_name("list")
        ->allow_extra_args(false);
    run_cmd->add_flag("-P,--publish-all", opts->publish_all, "Publish all exposed ports to random ports");
    run_cmd->add_option("--pids-limit", opts->pids_limit, "Tune container pids limit (set -1 for unlimited)")
        ->type_name("int");
    run_cmd->add_option("--cap-add", opts->cap_add, "Add Linux capabilities")->type_name("list")->allow_extra_args(false);
    run_cmd->add_option("--cap-drop", opts->cap_drop, "Drop Linux capabilities")->type_name("list")->allow_extra_args(false);
    run_cmd->add_option("--group-add", opts->group_add, "Add additional groups to join")
        ->type_name("list")
        ->allow_extra_args(false);
    run_cmd->add_flag("--privileged", opts->privileged, "Give extended privileges to this container");
    run_cmd->add_option("--security-opt", opts->security_opt, "Security Options")->type_name("list")->allow_extra_args(false);
    run_cmd->add_flag("--read-only", opts->read_only, "Mount the container's root filesystem as read only");
    run_cmd->add_flag("--rm", opts->remove, "Automatically remove the container when it exits");
    run_cmd->add_option("--stop-signal", opts->stop_signal, "Signal to stop the container")->type_name("string");
    run_cmd->add_flag("-t,--tty", opts->tty, "Allocate a pseudo-TTY");
    run_cmd->add_option("--tmpfs", opts->tmpfs, "Mount a tmpfs directory")->type_name("list")->allow_extra_args(false);
    run_cmd->add_option("-u,--user", opts->user, "Username or UID (format: <name|uid>[:<group|gid>])")
        ->type_name("string");
    run_cmd->add_option("-v,--volume", opts->volumes, "Bind mount a volume")->type_name("list")->allow_extra_args(false);
    run_cmd->add_option("-w,--workdir", opts->workdir, "Working directory inside the container")->type_name("string");

    run_cmd->add_option("IMAGE", opts->image, "Image to run")->required();
    run_cmd->add_option("COMMAND", opts->command, "Command and its arguments");
    // Everything after IMAGE belongs to the command, even what looks like a
    // flag: `kubik run busybox ls -l` must not parse -l as kubik's.
    run_cmd->positionals_at_end(true);

    run_cmd->callback([&global, &action, opts] { action = [&global, opts] { return run(global, *opts); }; });
}

} // namespace kubik::cli
