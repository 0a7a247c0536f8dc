// What an image says about how to run it: the "config" object of an OCI image
// configuration (the same fields `docker inspect` shows under Config).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace kubik {

/// How to run an image: the "config" object of its OCI configuration.
struct ImageConfig {
    std::vector<std::string> env;        ///< "KEY=VALUE", e.g. PATH
    std::vector<std::string> entrypoint; ///< prepended to the command
    std::vector<std::string> cmd;        ///< default command, replaced by `run IMAGE CMD...`
    std::string working_dir;             ///< "" means "/"
};

/// The whole image configuration document (OCI image-spec config.json).
nlohmann::json image_config_to_json(const ImageConfig& config);
/// Reads the "config" object; missing fields are empty.
ImageConfig image_config_from_json(const nlohmann::json& doc);

} // namespace kubik
