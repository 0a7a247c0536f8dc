// What an image says about how to run it: the "config" object of an OCI image
// configuration (the same fields `docker inspect` shows under Config).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubik {

/// How to run an image: the "config" object of its OCI configuration.
struct ImageConfig {
    std::vector<std::string> env;        ///< "KEY=VALUE", e.g. PATH
    std::vector<std::string> entrypoint; ///< prepended to the command
    std::vector<std::string> cmd;        ///< default command, replaced by `run IMAGE CMD...`
    std::string working_dir;             ///< "" means "/"
    // Written by `kubik build` (lesson 7); docker's names in the JSON.
    std::string user;                    ///< User: "NAME", "UID", "UID:GID" ("" = root)
    std::vector<std::string> exposed_ports; ///< ExposedPorts keys: "80/tcp", "53/udp" (sorted as strings, unique)
    std::vector<std::string> volumes;    ///< Volumes keys: "/data" (sorted as strings, unique)
    std::map<std::string, std::string> labels; ///< Labels
    std::string stop_signal;             ///< StopSignal: "SIGTERM", "9" ("" = SIGTERM)
    std::vector<std::string> shell;      ///< Shell (SHELL instruction; "" = ["/bin/sh", "-c"])
    std::vector<std::string> on_build;   ///< OnBuild: the trigger instructions' text
    /// Healthcheck: docker's fields (durations in nanoseconds, 0 = default).
    struct Healthcheck {
        std::vector<std::string> test;   ///< ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"]
        std::int64_t interval = 0,       ///< Interval: time between checks
                     timeout = 0,        ///< Timeout: how long one check may run
                     start_period = 0,   ///< StartPeriod: start-up time, when failures don't count
                     start_interval = 0; ///< StartInterval: time between checks during StartPeriod
        int retries = 0;                 ///< Retries: failures in a row that make it unhealthy
        /// Field by field.
        bool operator==(const Healthcheck&) const = default;
    };
    std::optional<Healthcheck> healthcheck; ///< absent = not set (inherit)

    /// Field by field.
    bool operator==(const ImageConfig&) const = default;
};

/// The whole image configuration document (OCI image-spec config.json).
nlohmann::json image_config_to_json(const ImageConfig& config);
/// Reads the "config" object; missing fields are empty, and so are fields
/// of another type than docker's (an image someone else made must still list).
ImageConfig image_config_from_json(const nlohmann::json& doc);

/// Docker's HealthConfig object ({"Test": […], "Interval": ns, …}; zero
/// numbers left out), also in a container's Config.
nlohmann::json healthcheck_to_json(const ImageConfig::Healthcheck& check);
/// Reads a HealthConfig object; nullopt when `doc` is not an object.
std::optional<ImageConfig::Healthcheck> healthcheck_from_json(const nlohmann::json& doc);

} // namespace kubik
