// Lesson 3 — cgroups: which kind of host is this? Read lessons/03-cgroups/README.md first.
#include "cgroup.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"

#include <sstream>

namespace kubik::cgroups {

CgroupLayout parse_layout(std::string_view mountinfo) {
    // TODO: for each line of mountinfo, take the mount point (5th field) and,
    // after the " - " separator, the filesystem type and the super options.
    // "cgroup2" → layout.unified; "cgroup" → one entry in layout.v1 per
    // controller named in the super options. Then decide the version.
    throw kubik::NotImplemented("not implemented yet: lesson 3 (cgroups) — parse_layout(); see lessons/03-cgroups/README.md (по-русски: README.ru.md)");
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
