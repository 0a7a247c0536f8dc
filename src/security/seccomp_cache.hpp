// The container's seccomp filter, compiled once: kubik keeps the BPF
// program libseccomp made for a profile and loads it as it is next time.
//
// Building docker's profile takes libseccomp some milliseconds at every
// start (about 400 rules turned into a decision tree of BPF), while the
// kernel loads a ready program in microseconds. What the program is depends
// only on the profile, the container's bounding capabilities (rules that
// need CAP_SYS_ADMIN and the like), the kernel (rules with minKernel) and
// the code that built it, so those are the cache key; the code is this very
// kubik binary (its inode, size and mtime), so a student's rebuilt lesson 8
// never meets a program its old build made.
//
//   STATE_ROOT/seccomp/KEY.bpf    a 16-byte header (the attributes), then
//                                 the sock_filter array, 8 bytes a rule
//
// The program is made in kubik's own process, before clone: the container
// gets it with its copy of kubik's memory and needs no file of the host's.
#pragma once

#include "container/container_spec.hpp"

#include <linux/filter.h>

#include <filesystem>
#include <optional>
#include <vector>

namespace kubik::security {

/// A seccomp filter as the kernel takes it, with what seccomp_load() would
/// have done around it: the filter context's attributes, read when it was
/// built (a filter left with SCMP_FLTATR_CTL_NNP on sets no_new_privs, as
/// seccomp_load() would).
struct CompiledSeccomp {
    std::vector<sock_filter> program; ///< what seccomp(2) loads
    unsigned flags = 0;               ///< SECCOMP_FILTER_FLAG_* (TSYNC, LOG, SPEC_ALLOW)
    bool sets_no_new_privs = false;   ///< SCMP_FLTATR_CTL_NNP was left on
};

/// The filter for `security` with bounding set `bounding`: none for
/// --privileged and seccomp=unconfined (and, quietly, while lesson 8's
/// build_seccomp_filter() is a stub and the profile is the default). Read
/// from `cache_dir` when this kubik compiled it before, else built with
/// build_seccomp_filter() and stored there (a cache that can't be written
/// is only slower). Throws kubik::Error for a profile libseccomp refuses.
std::optional<CompiledSeccomp> compiled_seccomp_for(const SecurityOptions& security, const std::vector<int>& bounding,
                                                    const std::filesystem::path& cache_dir);

/// STATE_ROOT/seccomp for a container whose directory is `container_dir`
/// (STATE_ROOT/containers/ID).
inline std::filesystem::path seccomp_cache_dir(const std::filesystem::path& container_dir) {
    return container_dir.parent_path().parent_path() / "seccomp";
}

/// Loads `filter` with seccomp(2) (SECCOMP_SET_MODE_FILTER): it needs
/// no_new_privs or CAP_SYS_ADMIN, as seccomp_load() does.
void load_compiled_seccomp(const CompiledSeccomp& filter);

} // namespace kubik::security
