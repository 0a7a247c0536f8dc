#include "core/process_title.hpp"

#include <sys/prctl.h>

#include <cstring>

namespace kubik {
namespace {
char* args_begin = nullptr;
char* args_end = nullptr;
} // namespace

void remember_process_args(int argc, char** argv) {
    if (argc <= 0) return;
    args_begin = argv[0];
    // The strings lie back to back; the area ends after the last one's NUL.
    args_end = argv[argc - 1] + std::strlen(argv[argc - 1]) + 1;
}

void set_process_title(const char* title) {
    ::prctl(PR_SET_NAME, title);
    if (!args_begin) return;
    size_t room = static_cast<size_t>(args_end - args_begin);
    std::memset(args_begin, 0, room);
    std::strncpy(args_begin, title, room - 1);
}

} // namespace kubik
