#include "rootless/id_ranges.hpp"

#include "core/error.hpp"

#include <fstream>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace kubik::rootless {
namespace {

std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, ':');) out.push_back(field);
    return out;
}

bool parse_number(const std::string& text, unsigned long& value) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
    try {
        value = std::stoul(text);
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

} // namespace

std::string user_name(uid_t uid, const fs::path& passwd) {
    std::ifstream in(passwd);
    for (std::string line; std::getline(in, line);) {
        auto f = fields(line);
        unsigned long id = 0;
        if (f.size() >= 3 && parse_number(f[2], id) && id == uid) return f[0];
    }
    return "";
}

IdRange subordinate_range(const fs::path& file, const std::string& name, unsigned long id) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        auto f = fields(line);
        IdRange range;
        if (f.size() != 3 || !parse_number(f[1], range.first) || !parse_number(f[2], range.count) || range.count == 0)
            continue;
        unsigned long owner = 0;
        if ((!name.empty() && f[0] == name) || (parse_number(f[0], owner) && owner == id)) return range;
    }
    const std::string who = name.empty() ? std::to_string(id) : name;
    const std::string flag = file.filename() == "subgid" ? "--add-subgids" : "--add-subuids";
    throw Error("rootless: " + file.string() + " gives user " + who +
                " no ids to map into a user namespace: as root, run `usermod " + flag + " 100000-165535 " + who +
                "` (a range no other user has)");
}

} // namespace kubik::rootless
