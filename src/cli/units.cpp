#include "cli/units.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <regex>

namespace kubik::cli {

int64_t parse_ram_bytes(const std::string& text) {
    // The pattern of docker's go-units RAMInBytes.
    static const std::regex re(R"(^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$)");
    std::smatch m;
    if (!std::regex_match(text, m, re)) throw Error("invalid size: '" + text + "'");
    double value = std::stod(m[1].str());
    int shift = 0;
    if (m[2].matched) {
        const std::string units = "kmgtp";
        shift = 10 * (1 + static_cast<int>(units.find(static_cast<char>(std::tolower(m[2].str()[0])))));
    }
    double bytes = value * static_cast<double>(int64_t{1} << shift);
    if (bytes > 9.2e18) throw Error("invalid size: '" + text + "' (too large)");
    return static_cast<int64_t>(bytes);
}

int parse_signal(const std::string& text) {
    if (!text.empty() && std::all_of(text.begin(), text.end(), ::isdigit)) {
        int n = std::stoi(text);
        if (n > 0 && n < NSIG) return n;
        throw Error("invalid signal: " + text);
    }
    std::string name = text;
    std::transform(name.begin(), name.end(), name.begin(), ::toupper);
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int sig = 1; sig < NSIG; ++sig)
        if (const char* abbrev = sigabbrev_np(sig); abbrev && name == abbrev) return sig;
    // The real-time signals by docker's names (moby/sys/signal): RTMIN+3 is
    // what systemd images give as STOPSIGNAL. Counted from glibc's SIGRTMIN
    // (34: glibc keeps the kernel's first two for its threads), as docker's are.
    for (const char* base : {"RTMIN", "RTMAX"}) {
        const std::string b = base;
        if (name == b) return b == "RTMIN" ? SIGRTMIN : SIGRTMAX;
        if (name.size() > b.size() + 1 && name.rfind(b, 0) == 0 &&
            name[b.size()] == (b == "RTMIN" ? '+' : '-') &&
            std::all_of(name.begin() + static_cast<long>(b.size()) + 1, name.end(), ::isdigit) &&
            name.size() - b.size() - 1 <= 2) {
            int n = std::stoi(name.substr(b.size() + 1));
            int sig = b == "RTMIN" ? SIGRTMIN + n : SIGRTMAX - n;
            if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
        }
    }
    throw Error("invalid signal: " + text);
}

std::string human_size(double bytes, int precision) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int unit = 0;
    while (bytes >= 1000 && unit < 6) {
        bytes /= 1000;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g%s", precision, bytes, units[unit]);
    return buf;
}

} // namespace kubik::cli
