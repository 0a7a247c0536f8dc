// The "config" object of an image's configuration, in docker's field names
// (moby's container.Config, which the OCI image spec's config copies).
//
// Docker's own blobs are the model for what is written when a field is
// empty: User is always there (""), Volumes, OnBuild and Labels are null
// (they have no `omitempty` in moby), and ExposedPorts, StopSignal, Shell
// and Healthcheck are left out. Reading is lenient the other way round: a
// field that is missing, null or of another type than expected reads as
// empty, because the config of an image someone else made (`kubik load`)
// must never stop `kubik images` from listing the store.
#include "image/image_config.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace kubik {
namespace {

using nlohmann::json;

// {"80/tcp": {}, "53/udp": {}}: docker's way of writing a set (a Go
// map[string]struct{}); null when empty.
json key_set(const std::vector<std::string>& keys) {
    if (keys.empty()) return nullptr;
    json set = json::object();
    for (const auto& key : keys) set[key] = json::object();
    return set;
}

json null_if_empty(const std::vector<std::string>& list) {
    return list.empty() ? json(nullptr) : json(list);
}

std::vector<std::string> string_list(const json& obj, const char* key) {
    auto it = obj.find(key);
    // OCI writes null for "not set"; treat it like an empty list.
    if (it == obj.end() || !it->is_array()) return {};
    std::vector<std::string> out;
    for (const auto& item : *it)
        if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

std::string string_field(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The keys of a docker set, sorted as strings (the order nlohmann::json
// keeps an object's keys in, so that a round trip gives the same list).
std::vector<std::string> key_list(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_object()) return {};
    std::set<std::string> keys;
    for (const auto& [name, value] : it->items()) keys.insert(name);
    return {keys.begin(), keys.end()};
}

std::map<std::string, std::string> string_map(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_object()) return {};
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : it->items())
        if (value.is_string()) out[name] = value.get<std::string>();
    return out;
}

std::int64_t number_field(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

} // namespace

nlohmann::json healthcheck_to_json(const ImageConfig::Healthcheck& h) {
    json doc = {{"Test", h.test}};
    // moby's HealthConfig: every number is `omitempty`, 0 meaning "inherit
    // the default" (30 s, 30 s, 0 s, 5 s, 3 retries).
    if (h.interval) doc["Interval"] = h.interval;
    if (h.timeout) doc["Timeout"] = h.timeout;
    if (h.start_period) doc["StartPeriod"] = h.start_period;
    if (h.start_interval) doc["StartInterval"] = h.start_interval;
    if (h.retries) doc["Retries"] = h.retries;
    return doc;
}

std::optional<ImageConfig::Healthcheck> healthcheck_from_json(const nlohmann::json& doc) {
    if (!doc.is_object()) return std::nullopt;
    ImageConfig::Healthcheck h;
    h.test = string_list(doc, "Test");
    h.interval = number_field(doc, "Interval");
    h.timeout = number_field(doc, "Timeout");
    h.start_period = number_field(doc, "StartPeriod");
    h.start_interval = number_field(doc, "StartInterval");
    h.retries = static_cast<int>(number_field(doc, "Retries"));
    return h;
}

nlohmann::json image_config_to_json(const ImageConfig& config) {
    json run = {{"Env", config.env},
                {"Entrypoint", config.entrypoint},
                {"Cmd", config.cmd},
                {"WorkingDir", config.working_dir},
                {"User", config.user},
                {"Volumes", key_set(config.volumes)},
                {"OnBuild", null_if_empty(config.on_build)},
                {"Labels", config.labels.empty() ? json(nullptr) : json(config.labels)}};
    if (!config.exposed_ports.empty()) run["ExposedPorts"] = key_set(config.exposed_ports);
    if (!config.stop_signal.empty()) run["StopSignal"] = config.stop_signal;
    if (!config.shell.empty()) run["Shell"] = config.shell;
    if (config.healthcheck) run["Healthcheck"] = healthcheck_to_json(*config.healthcheck);
    return {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"config", run},
    };
}

ImageConfig image_config_from_json(const nlohmann::json& doc) {
    ImageConfig config;
    auto it = doc.find("config");
    if (it == doc.end() || !it->is_object()) return config;
    const json& c = *it;
    config.env = string_list(c, "Env");
    config.entrypoint = string_list(c, "Entrypoint");
    config.cmd = string_list(c, "Cmd");
    config.working_dir = string_field(c, "WorkingDir");
    config.user = string_field(c, "User");
    config.exposed_ports = key_list(c, "ExposedPorts");
    config.volumes = key_list(c, "Volumes");
    config.labels = string_map(c, "Labels");
    config.stop_signal = string_field(c, "StopSignal");
    config.shell = string_list(c, "Shell");
    config.on_build = string_list(c, "OnBuild");
    if (auto h = c.find("Healthcheck"); h != c.end()) config.healthcheck = healthcheck_from_json(*h);
    return config;
}

} // namespace kubik
