#include "network_sweep.hpp"

#include "subprocess.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

// Only kubik's own names, whatever a corrupt file says: a test root's
// bridge or veth, a test root's table (never the default root's "kubik").
bool is_kubik_link(const std::string& name) {
    return name.size() > 3 && name.size() < 16 && (name.rfind("kb-", 0) == 0 || name.rfind("kv", 0) == 0) &&
           name.find('/') == std::string::npos;
}
bool is_kubik_test_table(const std::string& name) {
    return name.size() > 6 && name.rfind("kubik-", 0) == 0 && name.find_first_of(" \t/") == std::string::npos;
}

std::string find_nft() {
    for (const char* p : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"})
        if (fs::exists(p)) return p;
    return "";
}

// `ip` and `nft` rather than netlink: this is the course tool, which runs
// rarely and only after a killed run; the runtime itself never does this.
ProcessResult run_tool(std::vector<std::string> argv) {
    ProcessOptions options;
    options.argv = std::move(argv);
    options.timeout = std::chrono::seconds(10);
    return run_process(options);
}

} // namespace

fs::path network_names_file(const fs::path& test_binary) {
    return fs::absolute(test_binary).parent_path().parent_path() / "test-network-names";
}

std::uintmax_t network_names_mark(const fs::path& names_file) {
    std::error_code ec;
    const auto size = fs::file_size(names_file, ec);
    return ec ? 0 : size;
}

std::vector<std::string> remove_recorded_networks(const fs::path& names_file, std::uintmax_t mark) {
    std::ifstream in(names_file);
    if (!in) return {};
    in.seekg(static_cast<std::streamoff>(mark));
    std::set<std::string> links, tables;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string kind, name;
        fields >> kind >> name;
        if (kind == "link" && is_kubik_link(name)) links.insert(name);
        if (kind == "table" && is_kubik_test_table(name)) tables.insert(name);
    }
    std::vector<std::string> report;
    for (const auto& name : links) {
        // Asked through netlink, not /sys/class/net: sysfs shows the links
        // of the namespace that mounted it, which may not be ours.
        if (!run_tool({"ip", "link", "show", "dev", name}).succeeded()) continue;
        const auto r = run_tool({"ip", "link", "delete", name});
        if (!r.succeeded()) report.push_back("network link " + name + " left behind, could not be removed: " + r.output);
    }
    const std::string nft = find_nft();
    for (const auto& name : tables) {
        if (nft.empty() || !run_tool({nft, "list", "table", "ip", name}).succeeded()) continue;
        const auto r = run_tool({nft, "delete", "table", "ip", name});
        if (!r.succeeded()) report.push_back("nftables table " + name + " left behind, could not be removed: " + r.output);
    }
    return report;
}

} // namespace kubik::course
