// Lesson 3 — cgroups: which kind of host is this? Read lessons/03-cgroups/README.md first.
#include "cgroup.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"

#include <sstream>

namespace kubik::cgroups {

CgroupLayout parse_layout(std::string_view mountinfo) {
    // BEGIN SOLUTION parse_layout
    // TODO: for each line of mountinfo, take the mount point (5th field) and,
    // after the " - " separator, the filesystem type and the super options.
    // "cgroup2" → layout.unified; "cgroup" → one entry in layout.v1 per
    // controller named in the super options. Then decide the version.
    CgroupLayout layout;
    std::istringstream lines{std::string(mountinfo)};
    for (std::string line; std::getline(lines, line);) {
        // "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory"
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream head(line.substr(0, dash)), tail(line.substr(dash + 3));
        std::string id, parent, devno, root, mount_point, fstype, source, options;
        head >> id >> parent >> devno >> root >> mount_point;
        tail >> fstype >> source >> options;
        if (fstype == "cgroup2") {
            if (layout.unified.empty()) layout.unified = mount_point;
        } else if (fstype == "cgroup") {
            std::istringstream opts(options);
            for (std::string opt; std::getline(opts, opt, ',');)
                if (opt != "rw" && opt != "ro" && opt.find('=') == std::string::npos &&
                    !layout.v1.count(opt))
                    layout.v1[opt] = mount_point;
        }
    }
    // Where v1 has the controllers kubik limits, v1 it is, whatever else is
    // mounted: a hybrid host's v2 tree can't take controllers v1 already holds.
    bool v1_controllers = layout.v1.count("memory") || layout.v1.count("pids");
    layout.version = v1_controllers ? CgroupVersion::V1 : CgroupVersion::V2;
    layout.hybrid = v1_controllers && !layout.unified.empty();
    return layout;
    // END SOLUTION
}

CgroupLayout detect_layout() {
    auto layout = parse_layout(read_file("/proc/self/mountinfo"));
    if (layout.version == CgroupVersion::V2 && layout.unified.empty())
        throw Error("no cgroup filesystem is mounted (expected cgroup2 on /sys/fs/cgroup)");
    return layout;
}

std::unique_ptr<Cgroup> open_cgroup(const CgroupLayout& layout, const std::filesystem::path& relative) {
    if (layout.version == CgroupVersion::V2) return open_cgroup_v2(layout.unified, relative);
    return open_cgroup_v1(layout.v1, relative);
}

} // namespace kubik::cgroups
