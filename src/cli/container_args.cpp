#include "cli/container_args.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace kubik::cli {

int for_each_container_id(const GlobalOptions& global, const std::vector<std::string>& refs,
                          const std::function<void(const ContainerStore&, const std::string& id)>& act,
                          bool echo_refs) {
    ContainerStore store(global.root_path());
    int status = 0;
    for (const auto& ref : refs) {
        try {
            act(store, store.resolve(ref));
            if (echo_refs) std::cout << ref << std::endl;
        } catch (const std::exception& e) {
            std::cerr << "kubik: " << e.what() << "\n";
            status = kExitGeneric;
        }
    }
    return status;
}

int for_each_container(const GlobalOptions& global, const std::vector<std::string>& refs,
                       const std::function<void(const ContainerStore&, const ContainerInfo&)>& act,
                       bool echo_refs) {
    return for_each_container_id(
        global, refs, [&](const ContainerStore& store, const std::string& id) { act(store, store.load(id)); },
        echo_refs);
}

std::string human_duration(double seconds) {
    auto s = static_cast<long>(seconds);
    auto plural = [](long n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); };
    if (s < 1) return "Less than a second";
    if (s < 60) return plural(s, "second");
    long minutes = s / 60;
    if (minutes == 1) return "About a minute";
    if (minutes < 60) return plural(minutes, "minute");
    long hours = std::lround(static_cast<double>(s) / 3600);
    if (hours == 1) return "About an hour";
    if (hours < 48) return plural(hours, "hour");
    if (hours < 24 * 14) return plural(hours / 24, "day");
    if (hours < 24 * 60) return plural(hours / 24 / 7, "week");
    if (hours < 24 * 365 * 2) return plural(hours / 24 / 30, "month");
    return plural(hours / 24 / 365, "year");
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g%s", bytes, units[unit]);
    return buf;
}

Action exit_one_on_error(std::function<int()> body) {
    return [body]() -> int {
        try {
            return body();
        } catch (const Error& e) {
            std::cerr << "kubik: " << e.what() << "\n";
            return kExitGeneric;
        }
    };
}

} // namespace kubik::cli
