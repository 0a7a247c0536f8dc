// See instruction_config.hpp.
#include "build/instruction_config.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace kubik::build {

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

int parse_port(const std::string& text, const std::string& word) {
    if (!all_digits(text) || text.size() > 5 || std::stoi(text) < 1 || std::stoi(text) > 65535)
        throw Error("invalid containerPort: " + word, 1);
    return std::stoi(text);
}

} // namespace

void apply_env(ImageConfig& config, const std::vector<std::string>& pairs) {
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
        const std::string entry = pairs[i] + "=" + pairs[i + 1];
        auto same = std::find_if(config.env.begin(), config.env.end(),
                                 [&](const std::string& e) { return e.compare(0, pairs[i].size() + 1, pairs[i] + "=") == 0; });
        if (same != config.env.end()) *same = entry;
        else config.env.push_back(entry);
    }
}

void apply_labels(ImageConfig& config, const std::vector<std::string>& pairs) {
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) config.labels[pairs[i]] = pairs[i + 1];
}

void apply_expose(ImageConfig& config, const std::vector<std::string>& words) {
    std::set<std::string> ports(config.exposed_ports.begin(), config.exposed_ports.end());
    for (const auto& word : words) {
        std::string port = word, proto = "tcp";
        if (auto slash = word.find('/'); slash != std::string::npos) {
            port = word.substr(0, slash);
            proto = word.substr(slash + 1);
            std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
            if (proto != "tcp" && proto != "udp" && proto != "sctp") throw Error("invalid proto: " + proto, 1);
        }
        // A range ("8000-8002") exposes each port, as docker's nat.ParsePortRange.
        int first = 0, last = 0;
        if (auto dash = port.find('-'); dash != std::string::npos) {
            first = parse_port(port.substr(0, dash), word);
            last = parse_port(port.substr(dash + 1), word);
            if (last < first) throw Error("invalid range specified for port: " + word, 1);
        } else {
            first = last = parse_port(port, word);
        }
        for (int p = first; p <= last; ++p) ports.insert(std::to_string(p) + "/" + proto);
    }
    // Docker's ExposedPorts is a JSON object: keys in string order.
    config.exposed_ports.assign(ports.begin(), ports.end());
}

void apply_volumes(ImageConfig& config, const std::vector<std::string>& paths) {
    for (const auto& path : paths) {
        if (path.empty()) throw Error("VOLUME specified can not be an empty string", 1);
        if (std::find(config.volumes.begin(), config.volumes.end(), path) == config.volumes.end())
            config.volumes.push_back(path);
    }
    std::sort(config.volumes.begin(), config.volumes.end());
}

std::string resolve_workdir(const std::string& current, const std::string& path) {
    std::filesystem::path p = path;
    if (!p.is_absolute()) p = std::filesystem::path(current.empty() ? "/" : current) / p;
    std::string clean = p.lexically_normal().string();
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    return clean.empty() ? "/" : clean;
}

std::int64_t parse_go_duration(const std::string& text) {
    static const std::pair<const char*, std::int64_t> units[] = {
        {"ns", 1},           {"us", 1000},           {"µs", 1000},          {"ms", 1000000},
        {"s", 1000000000LL}, {"m", 60000000000LL},   {"h", 3600000000000LL}};
    if (text == "0") return 0;
    std::int64_t total = 0;
    size_t i = 0;
    if (text.empty()) throw Error("time: invalid duration \"\"", 1);
    while (i < text.size()) {
        size_t start = i;
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
        if (start == i) throw Error("time: invalid duration \"" + text + "\"", 1);
        double number = std::stod(text.substr(start, i - start));
        size_t unit_start = i;
        while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
        std::string unit = text.substr(unit_start, i - unit_start);
        bool found = false;
        for (const auto& [name, ns] : units)
            if (unit == name) total += static_cast<std::int64_t>(number * static_cast<double>(ns)), found = true;
        if (!found) throw Error("time: " + (unit.empty() ? "missing unit" : "unknown unit \"" + unit + "\"") +
                                    " in duration \"" + text + "\"", 1);
    }
    return total;
}

ImageConfig::Healthcheck parse_healthcheck(const dockerfile::Instruction& in) {
    ImageConfig::Healthcheck check;
    if (!in.args.empty() && in.args[0] == "NONE") {
        if (!in.flags.empty()) throw Error("HEALTHCHECK NONE takes no flags", 1);
        check.test = {"NONE"};
        return check;
    }
    if (in.command.exec_form) {
        check.test = {"CMD"};
        check.test.insert(check.test.end(), in.command.words.begin(), in.command.words.end());
    } else {
        std::string text = in.command.words.empty() ? "" : in.command.words[0];
        if (text.empty()) throw Error("Missing command after HEALTHCHECK CMD", 1);
        check.test = {"CMD-SHELL", text};
    }
    for (const auto& flag : in.flags) {
        auto duration = [&](std::int64_t& out) {
            out = parse_go_duration(flag.value);
            if (out != 0 && out < 1000000) throw Error("Interval \"" + flag.name + "\" cannot be less than 1ms", 1);
        };
        if (flag.name == "interval") duration(check.interval);
        else if (flag.name == "timeout") duration(check.timeout);
        else if (flag.name == "start-period") duration(check.start_period);
        else if (flag.name == "start-interval") duration(check.start_interval);
        else if (flag.name == "retries") {
            if (!all_digits(flag.value)) throw Error("invalid --retries value: " + flag.value, 1);
            check.retries = std::stoi(flag.value);
        } else {
            throw Error("unknown flag: --" + flag.name, 1);
        }
    }
    return check;
}

std::string history_argv(const std::vector<std::string>& argv) {
    std::string out = "[";
    for (size_t i = 0; i < argv.size(); ++i) out += (i ? " " : "") + nlohmann::json(argv[i]).dump();
    return out + "]";
}

} // namespace kubik::build
