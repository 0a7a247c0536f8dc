#include "image/image_config.hpp"

#include <nlohmann/json.hpp>

namespace kubik {

nlohmann::json image_config_to_json(const ImageConfig& config) {
    return {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"config",
         {{"Env", config.env},
          {"Entrypoint", config.entrypoint},
          {"Cmd", config.cmd},
          {"WorkingDir", config.working_dir}}},
    };
}

static std::vector<std::string> string_list(const nlohmann::json& obj, const char* key) {
    auto it = obj.find(key);
    // OCI writes null for "not set"; treat it like an empty list.
    if (it == obj.end() || it->is_null()) return {};
    return it->get<std::vector<std::string>>();
}

ImageConfig image_config_from_json(const nlohmann::json& doc) {
    ImageConfig config;
    auto it = doc.find("config");
    if (it == doc.end() || !it->is_object()) return config;
    config.env = string_list(*it, "Env");
    config.entrypoint = string_list(*it, "Entrypoint");
    config.cmd = string_list(*it, "Cmd");
    config.working_dir = it->value("WorkingDir", "");
    return config;
}

} // namespace kubik
