#include "container/container_state.hpp"

#include "core/files.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <ctime>
#include <sstream>
#include <utility>
#include <vector>

namespace kubik {

std::string now_rfc3339() {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    ::gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
    return buf;
}

double parse_rfc3339(const std::string& text) {
    struct tm tm {};
    const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return 0;
    double fraction = *rest == '.' ? std::strtod(rest, nullptr) : 0.0;
    return static_cast<double>(::timegm(&tm)) + fraction;
}

namespace {

// Fields 3 and on of /proc/PID/stat, one a string; empty if `pid` is gone.
// The command name (field 2) may contain spaces and ')'; the fields after
// the last ')' are plain words.
std::vector<std::string> stat_fields(pid_t pid) {
    std::string stat;
    try {
        stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    } catch (...) {
        return {};
    }
    auto close = stat.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream in(stat.substr(close + 1));
    std::vector<std::string> fields;
    for (std::string field; fields.size() < 20 && in >> field;) fields.push_back(field);
    return fields;
}

const char* mount_type_name(volumes::MountType type) {
    switch (type) {
    case volumes::MountType::Bind: return "bind";
    case volumes::MountType::Tmpfs: return "tmpfs";
    case volumes::MountType::Volume: break;
    }
    return "volume";
}

volumes::MountType mount_type_of(const std::string& name) {
    if (name == "bind") return volumes::MountType::Bind;
    if (name == "tmpfs") return volumes::MountType::Tmpfs;
    return volumes::MountType::Volume;
}

constexpr std::pair<volumes::Propagation, const char*> kPropagations[] = {
    {volumes::Propagation::Private, "private"}, {volumes::Propagation::RPrivate, "rprivate"},
    {volumes::Propagation::Slave, "slave"},     {volumes::Propagation::RSlave, "rslave"},
    {volumes::Propagation::Shared, "shared"},   {volumes::Propagation::RShared, "rshared"},
};

const char* propagation_name(volumes::Propagation p) {
    for (const auto& [value, name] : kPropagations)
        if (value == p) return name;
    return "rprivate";
}

volumes::Propagation propagation_of(const std::string& text) {
    for (const auto& [value, name] : kPropagations)
        if (text == name) return value;
    return volumes::Propagation::RPrivate;
}

// One mount as HostConfig.Mounts holds it: docker's mount API shape (Type,
// Source, Target, ReadOnly, *Options), plus what kubik decided at `run`
// (HostPath, Anonymous) so that the start and `rm -v` need not decide again.
nlohmann::json mount_to_json(const ContainerMount& cm) {
    const auto& m = cm.mount;
    nlohmann::json doc = {{"Type", mount_type_name(m.type)},
                          {"Source", m.source},
                          {"Target", m.target},
                          {"ReadOnly", m.readonly},
                          {"HostPath", cm.host_path.string()},
                          {"Anonymous", cm.anonymous}};
    switch (m.type) {
    case volumes::MountType::Volume: doc["VolumeOptions"] = {{"NoCopy", m.nocopy}}; break;
    case volumes::MountType::Bind:
        doc["BindOptions"] = {{"Propagation", propagation_name(m.propagation)}, {"CreateMountpoint", m.create_source}};
        break;
    case volumes::MountType::Tmpfs:
        doc["TmpfsOptions"] = {{"SizeBytes", m.tmpfs_size}};
        if (m.tmpfs_mode) doc["TmpfsOptions"]["Mode"] = *m.tmpfs_mode;
        break;
    }
    return doc;
}

ContainerMount mount_from_json(const nlohmann::json& doc) {
    ContainerMount cm;
    auto& m = cm.mount;
    m.type = mount_type_of(doc.value("Type", "volume"));
    m.source = doc.value("Source", "");
    m.target = doc.value("Target", "");
    m.readonly = doc.value("ReadOnly", false);
    cm.host_path = doc.value("HostPath", "");
    cm.anonymous = doc.value("Anonymous", false);
    if (auto it = doc.find("VolumeOptions"); it != doc.end() && it->is_object()) m.nocopy = it->value("NoCopy", false);
    if (auto it = doc.find("BindOptions"); it != doc.end() && it->is_object()) {
        m.propagation = propagation_of(it->value("Propagation", "rprivate"));
        m.create_source = it->value("CreateMountpoint", false);
    }
    if (auto it = doc.find("TmpfsOptions"); it != doc.end() && it->is_object()) {
        m.tmpfs_size = it->value("SizeBytes", std::uint64_t{0});
        if (auto mode = it->find("Mode"); mode != it->end() && mode->is_number()) m.tmpfs_mode = mode->get<mode_t>();
    }
    return cm;
}

// HostConfig.NetworkMode, docker's words: "bridge" or a network's name,
// "none", "host", "container:ID".
std::string network_mode_name(const ContainerSpec& spec) {
    switch (spec.network_mode) {
    case NetworkMode::Bridge: return spec.network.empty() ? "bridge" : spec.network;
    case NetworkMode::None: return "none";
    case NetworkMode::Host: return "host";
    case NetworkMode::Container: return "container:" + spec.network;
    }
    return "none";
}

void set_network_mode(ContainerSpec& spec, const std::string& mode) {
    spec.network.clear();
    if (mode == "none") {
        spec.network_mode = NetworkMode::None;
    } else if (mode == "host") {
        spec.network_mode = NetworkMode::Host;
    } else if (mode.starts_with("container:")) {
        spec.network_mode = NetworkMode::Container;
        spec.network = mode.substr(10);
    } else {
        spec.network_mode = NetworkMode::Bridge;
        spec.network = mode == "default" ? "bridge" : mode;
    }
}

// Docker's set of strings, {"80/tcp": {}} (null when empty), and back.
// docker writes an empty list of HostConfig as null.
nlohmann::json list_or_null(const std::vector<std::string>& values) {
    return values.empty() ? nlohmann::json(nullptr) : nlohmann::json(values);
}

nlohmann::json key_set_json(const std::vector<std::string>& keys) {
    if (keys.empty()) return nullptr;
    auto set = nlohmann::json::object();
    for (const auto& key : keys) set[key] = nlohmann::json::object();
    return set;
}

std::vector<std::string> keys_of(const nlohmann::json& obj, const char* key) {
    std::vector<std::string> keys;
    if (auto it = obj.find(key); it != obj.end() && it->is_object())
        for (const auto& [name, value] : it->items()) keys.push_back(name);
    return keys;
}

std::string port_key(const network::PublishedPort& p) {
    return std::to_string(p.container_port) + (p.protocol == network::Protocol::Udp ? "/udp" : "/tcp");
}

// {"80/tcp": [{"HostIp": IP, "HostPort": "8080"}]}: docker's PortBindings
// (HostIp "" for every address) and NetworkSettings.Ports ("0.0.0.0").
nlohmann::json ports_json(const std::vector<network::PublishedPort>& ports, bool any_as_empty) {
    auto doc = nlohmann::json::object();
    for (const auto& p : ports) {
        std::string ip = p.host_ip.is_any() && any_as_empty ? "" : p.host_ip.str();
        doc[port_key(p)].push_back({{"HostIp", ip}, {"HostPort", std::to_string(p.host_port)}});
    }
    return doc;
}

std::vector<network::PublishedPort> ports_from_json(const nlohmann::json& doc) {
    std::vector<network::PublishedPort> ports;
    if (!doc.is_object()) return ports;
    for (const auto& [key, bindings] : doc.items()) {
        network::PublishedPort p;
        auto slash = key.find('/');
        try {
            p.container_port = static_cast<std::uint16_t>(std::stoul(key.substr(0, slash)));
        } catch (const std::exception&) {
            continue;
        }
        p.protocol = slash != std::string::npos && key.substr(slash + 1) == "udp" ? network::Protocol::Udp
                                                                                 : network::Protocol::Tcp;
        if (!bindings.is_array()) continue;
        for (const auto& b : bindings) {
            auto ip = net::Ipv4Address::parse(b.value("HostIp", ""));
            p.host_ip = ip ? *ip : net::Ipv4Address{};
            try {
                p.host_port = static_cast<std::uint16_t>(std::stoul(b.value("HostPort", "0")));
            } catch (const std::exception&) {
                p.host_port = 0;
            }
            ports.push_back(p);
        }
    }
    return ports;
}

// NetworkSettings in docker's shape; the network's entry also keeps what
// kubik needs to give the lease back (Bridge, HostVeth, MTU).
nlohmann::json network_settings_json(const ContainerSpec& spec) {
    nlohmann::json doc = {{"IPAddress", ""}, {"IPPrefixLen", 0}, {"Gateway", ""}, {"MacAddress", ""},
                          {"Ports", nlohmann::json::object()}, {"Networks", nlohmann::json::object()}};
    switch (spec.network_mode) {
    case NetworkMode::Bridge: {
        const std::string name = spec.network.empty() ? "bridge" : spec.network;
        nlohmann::json entry = {{"Aliases", nullptr}, {"NetworkID", ""}, {"Gateway", ""}, {"IPAddress", ""},
                                {"IPPrefixLen", 0}, {"MacAddress", ""}};
        if (const auto& lease = spec.lease) {
            doc["IPAddress"] = entry["IPAddress"] = lease->address.address.str();
            doc["IPPrefixLen"] = entry["IPPrefixLen"] = lease->address.length;
            doc["Gateway"] = entry["Gateway"] = lease->gateway.str();
            doc["MacAddress"] = entry["MacAddress"] = lease->mac;
            doc["Ports"] = ports_json(spec.ports, /*any_as_empty=*/false);
            entry["NetworkID"] = lease->network_id;
            entry["Bridge"] = lease->bridge;
            entry["HostVeth"] = lease->host_veth;
            entry["MTU"] = lease->mtu;
        }
        // Docker 24: on a user network the container is also known by its short id.
        if (name != "bridge") entry["Aliases"] = {spec.id.substr(0, 12)};
        doc["Networks"][name] = entry;
        break;
    }
    case NetworkMode::None:
    case NetworkMode::Host: {
        const char* name = spec.network_mode == NetworkMode::None ? "none" : "host";
        doc["Networks"][name] = {{"Aliases", nullptr}, {"NetworkID", ""}, {"Gateway", ""},
                                 {"IPAddress", ""},    {"IPPrefixLen", 0}, {"MacAddress", ""}};
        break;
    }
    case NetworkMode::Container: break;
    }
    return doc;
}

std::optional<NetworkLease> lease_from_json(const ContainerSpec& spec, const nlohmann::json& settings) {
    if (spec.network_mode != NetworkMode::Bridge || !settings.is_object()) return std::nullopt;
    auto networks = settings.find("Networks");
    if (networks == settings.end() || !networks->is_object()) return std::nullopt;
    auto entry = networks->find(spec.network);
    if (entry == networks->end() || !entry->is_object()) return std::nullopt;
    auto address = net::Ipv4Address::parse(entry->value("IPAddress", ""));
    auto gateway = net::Ipv4Address::parse(entry->value("Gateway", ""));
    if (!address || !gateway) return std::nullopt;
    NetworkLease lease;
    lease.network = spec.network;
    lease.network_id = entry->value("NetworkID", "");
    lease.bridge = entry->value("Bridge", "");
    lease.address = {*address, entry->value("IPPrefixLen", 32)};
    lease.gateway = *gateway;
    lease.mac = entry->value("MacAddress", "");
    lease.mtu = entry->value("MTU", 1500u);
    lease.host_veth = entry->value("HostVeth", "");
    return lease;
}

} // namespace

nlohmann::json network_settings_inspect_json(const ContainerInfo& info) {
    if (info.running()) return network_settings_json(info.spec);
    // Docker shows a stopped container's networks, without addresses.
    ContainerSpec stopped = info.spec;
    stopped.lease.reset();
    return network_settings_json(stopped);
}

nlohmann::json mounts_inspect_json(const ContainerSpec& spec) {
    auto all = nlohmann::json::array();
    for (const auto& cm : spec.mounts) {
        const auto& m = cm.mount;
        nlohmann::json doc = {{"Type", mount_type_name(m.type)}};
        if (m.type == volumes::MountType::Volume) doc["Name"] = m.source;
        doc["Source"] = cm.host_path.string();
        doc["Destination"] = m.target;
        if (m.type == volumes::MountType::Volume) doc["Driver"] = "local";
        doc["Mode"] = m.type == volumes::MountType::Volume ? "z" : "";
        doc["RW"] = !m.readonly;
        doc["Propagation"] = m.type == volumes::MountType::Bind ? propagation_name(m.propagation) : "";
        all.push_back(std::move(doc));
    }
    return all;
}

uint64_t process_start_time(pid_t pid) {
    auto fields = stat_fields(pid); // fields[0] is field 3, the state
    // A zombie has exited; only its parent hasn't collected it yet.
    if (fields.size() < 20 || fields[0] == "Z" || fields[0] == "X") return 0;
    return std::stoull(fields[19]); // field 22, starttime
}

pid_t process_parent(pid_t pid) {
    auto fields = stat_fields(pid);
    return fields.size() < 2 ? 0 : static_cast<pid_t>(std::stol(fields[1]));
}

bool ContainerInfo::running() const {
    // A start time of 0 was read from a process already gone: it can't match.
    return state.status == "running" && state.pid > 0 && state.pid_start_time != 0 &&
           process_start_time(state.pid) == state.pid_start_time;
}

std::string ContainerInfo::effective_status() const {
    if (!damage.empty()) return "unknown";
    if (state.status == "running" && !running()) return "dead";
    return state.status;
}

nlohmann::json container_to_json(const ContainerInfo& info) {
    const auto& s = info.spec;
    const auto& st = info.state;
    auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    auto layers = nlohmann::json::array();
    for (const auto& l : s.layers) layers.push_back({{"ChainId", l.chain_id}, {"Dir", l.dir.string()}, {"Link", l.link}});
    auto mounts = nlohmann::json::array();
    for (const auto& m : s.mounts) mounts.push_back(mount_to_json(m));
    nlohmann::json doc = {
        {"Id", s.id},
        {"Name", s.name},
        {"Image", s.image},
        {"ImageId", s.image_id},
        {"ImageLayers", layers},
        {"LayerLinks", s.layer_links.string()},
        {"Created", st.created_at},
        {"Config",
         {{"Cmd", s.argv},
          {"Env", s.env},
          {"WorkingDir", s.working_dir},
          {"Hostname", s.hostname},
          {"User", s.user},
          {"Labels", s.labels},
          {"StopSignal", s.stop_signal},
          {"ExposedPorts", key_set_json(s.exposed_ports)},
          {"Volumes", key_set_json(s.volumes)},
          {"Healthcheck", s.healthcheck ? healthcheck_to_json(*s.healthcheck) : nlohmann::json(nullptr)},
          {"Tty", s.tty},
          {"OpenStdin", s.interactive}}},
        {"HostConfig",
         {{"AutoRemove", s.remove},
          {"Memory", opt(s.limits.memory)},
          {"MemorySwap", opt(s.limits.memory_swap)},
          {"Cpus", opt(s.limits.cpus)},
          {"PidsLimit", opt(s.limits.pids)},
          {"CgroupParent", s.cgroup_parent},
          {"Isolation", s.isolation == Isolation::Chroot ? "chroot" : "default"},
          {"Mounts", mounts},
          {"NetworkMode", network_mode_name(s)},
          {"PortBindings", ports_json(s.ports, /*any_as_empty=*/true)},
          {"ExtraHosts", s.extra_hosts.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.extra_hosts)},
          {"CapAdd", list_or_null(s.security.cap_add)},
          {"CapDrop", list_or_null(s.security.cap_drop)},
          {"GroupAdd", list_or_null(s.security.group_add)},
          {"SecurityOpt", list_or_null(s.security.security_opt)},
          {"Privileged", s.security.privileged},
          {"ReadonlyRootfs", s.security.read_only_rootfs}}},
        {"NetworkSettings", network_settings_json(s)},
        {"State",
         {{"Status", st.status},
          {"OOMKilled", st.oom_killed},
          {"Pid", st.pid},
          {"PidStartTime", st.pid_start_time},
          {"MonitorPid", st.monitor_pid},
          {"MonitorStartTime", st.monitor_start_time},
          {"ExitCode", opt(st.exit_code)},
          {"Error", st.error},
          {"StartedAt", st.started_at},
          {"FinishedAt", st.finished_at}}},
    };
    // Only an old record has one; a new one has its layers instead.
    if (!s.image_rootfs.empty()) doc["ImageRootfs"] = s.image_rootfs.string();
    return doc;
}

ContainerInfo container_from_json(const nlohmann::json& doc) {
    ContainerInfo info;
    auto& s = info.spec;
    auto& st = info.state;
    s.id = doc.at("Id");
    s.name = doc.at("Name");
    s.image = doc.value("Image", "");
    s.image_id = doc.value("ImageId", "");
    if (auto it = doc.find("ImageLayers"); it != doc.end() && it->is_array())
        for (const auto& l : *it)
            s.layers.push_back({l.value("ChainId", ""), l.value("Dir", ""), l.value("Link", "")});
    s.layer_links = doc.value("LayerLinks", "");
    // Written by a kubik from before layered images.
    s.image_rootfs = doc.value("ImageRootfs", "");
    st.created_at = doc.value("Created", "");
    const auto& c = doc.at("Config");
    s.argv = c.value("Cmd", std::vector<std::string>{});
    s.env = c.value("Env", std::vector<std::string>{});
    s.working_dir = c.value("WorkingDir", "/");
    s.hostname = c.value("Hostname", "");
    // A record from before lesson 7 has none of these: root, SIGTERM, no labels.
    s.user = c.value("User", "");
    if (auto it = c.find("Labels"); it != c.end() && it->is_object())
        s.labels = it->get<std::map<std::string, std::string>>();
    s.stop_signal = c.value("StopSignal", "");
    s.exposed_ports = keys_of(c, "ExposedPorts");
    s.volumes = keys_of(c, "Volumes");
    if (auto it = c.find("Healthcheck"); it != c.end()) s.healthcheck = healthcheck_from_json(*it);
    s.tty = c.value("Tty", false);
    s.interactive = c.value("OpenStdin", false);
    const auto& h = doc.at("HostConfig");
    s.remove = h.value("AutoRemove", false);
    auto get_opt = [](const nlohmann::json& obj, const char* key, auto& out) {
        if (auto it = obj.find(key); it != obj.end() && !it->is_null()) out = it->get<typename std::remove_reference_t<decltype(out)>::value_type>();
    };
    get_opt(h, "Memory", s.limits.memory);
    get_opt(h, "MemorySwap", s.limits.memory_swap);
    get_opt(h, "Cpus", s.limits.cpus);
    get_opt(h, "PidsLimit", s.limits.pids);
    s.cgroup_parent = h.value("CgroupParent", "kubik");
    s.isolation = h.value("Isolation", "default") == "chroot" ? Isolation::Chroot : Isolation::PivotRoot;
    // A record from before lesson 5 has none.
    if (auto it = h.find("Mounts"); it != h.end() && it->is_array())
        for (const auto& m : *it) s.mounts.push_back(mount_from_json(m));
    // A record from before lesson 6 ran with lo only: "none" is what it had.
    set_network_mode(s, h.value("NetworkMode", "none"));
    if (auto it = h.find("PortBindings"); it != h.end()) s.ports = ports_from_json(*it);
    if (auto it = h.find("ExtraHosts"); it != h.end() && it->is_array())
        s.extra_hosts = it->get<std::vector<std::string>>();
    // A record from before lesson 8 has none: docker's defaults.
    auto strings = [&h](const char* key) {
        auto it = h.find(key);
        return it != h.end() && it->is_array() ? it->get<std::vector<std::string>>() : std::vector<std::string>{};
    };
    s.security.cap_add = strings("CapAdd");
    s.security.cap_drop = strings("CapDrop");
    s.security.group_add = strings("GroupAdd");
    s.security.security_opt = strings("SecurityOpt");
    s.security.privileged = h.value("Privileged", false);
    s.security.read_only_rootfs = h.value("ReadonlyRootfs", false);
    derive_security_opts(s.security);
    if (auto it = doc.find("NetworkSettings"); it != doc.end()) s.lease = lease_from_json(s, *it);
    const auto& j = doc.at("State");
    st.status = j.value("Status", "created");
    st.oom_killed = j.value("OOMKilled", false);
    st.pid = j.value("Pid", 0);
    st.pid_start_time = j.value("PidStartTime", uint64_t{0});
    st.monitor_pid = j.value("MonitorPid", 0);
    st.monitor_start_time = j.value("MonitorStartTime", uint64_t{0});
    get_opt(j, "ExitCode", st.exit_code);
    st.error = j.value("Error", "");
    st.started_at = j.value("StartedAt", "");
    st.finished_at = j.value("FinishedAt", "");
    return info;
}

} // namespace kubik
