#include "core/user_namespace.hpp"

#include <fstream>

namespace kubik {

bool in_initial_user_namespace() {
    std::ifstream map("/proc/self/uid_map");
    unsigned long inside = 0, outside = 0, count = 0;
    if (!(map >> inside >> outside >> count)) return true;
    return inside == 0 && outside == 0 && count == 4294967295UL;
}

} // namespace kubik
