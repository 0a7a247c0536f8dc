#include "security/paths.hpp"

namespace kubik::security {

std::vector<std::string> masked_paths(const SecurityOptions& options) {
    if (options.privileged) return {};
    return {"/proc/asound",     "/proc/acpi",       "/proc/kcore",       "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi",       "/sys/firmware",    "/sys/devices/virtual/powercap"};
}

std::vector<std::string> read_only_paths(const SecurityOptions& options) {
    if (options.privileged) return {};
    return {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

} // namespace kubik::security
