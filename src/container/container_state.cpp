#include "container/container_state.hpp"

#include "core/files.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <ctime>
#include <sstream>
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

} // namespace

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
          {"Tty", s.tty},
          {"OpenStdin", s.interactive}}},
        {"HostConfig",
         {{"AutoRemove", s.remove},
          {"Memory", opt(s.limits.memory)},
          {"MemorySwap", opt(s.limits.memory_swap)},
          {"Cpus", opt(s.limits.cpus)},
          {"PidsLimit", opt(s.limits.pids)},
          {"CgroupParent", s.cgroup_parent},
          {"Isolation", s.isolation == Isolation::Chroot ? "chroot" : "default"}}},
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
