#include "security/seccomp_cache.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"
#include "core/sha256.hpp"
#include "core/unique_fd.hpp"
#include "security.hpp"
#include "security/seccomp_profile.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace fs = std::filesystem;

namespace kubik::security {
namespace {

// What the program depends on (see the header), hashed.
std::string cache_key(const SecurityOptions& security, const std::vector<int>& bounding) {
    Sha256 h;
    struct stat exe {};
    if (::stat("/proc/self/exe", &exe) == 0) {
        const long long binary[] = {static_cast<long long>(exe.st_dev), static_cast<long long>(exe.st_ino),
                                    static_cast<long long>(exe.st_size), exe.st_mtim.tv_sec, exe.st_mtim.tv_nsec};
        h.update(binary, sizeof binary);
    }
    struct utsname uts {};
    ::uname(&uts);
    h.update(uts.release);
    h.update(uts.machine);
    h.update("\0caps:", 6);
    for (int cap : bounding) h.update(&cap, sizeof cap);
    h.update("\0profile:", 9);
    h.update(security.seccomp_profile); // "" is the compiled-in default
    return digest_hex(h.digest());
}

// The file's header: what seccomp_load() would have done besides loading.
struct Header {
    std::uint32_t magic;
    std::uint32_t flags;
    std::uint32_t no_new_privs;
    std::uint32_t reserved;
};
constexpr std::uint32_t kMagic = 0x6b736331; // "ksc1"

std::optional<CompiledSeccomp> read_cached(const fs::path& file) {
    std::string bytes;
    try {
        bytes = read_file(file);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    Header header{};
    if (bytes.size() <= sizeof header || (bytes.size() - sizeof header) % sizeof(sock_filter) != 0)
        return std::nullopt;
    std::memcpy(&header, bytes.data(), sizeof header);
    if (header.magic != kMagic) return std::nullopt;
    CompiledSeccomp filter;
    filter.flags = header.flags;
    filter.sets_no_new_privs = header.no_new_privs != 0;
    filter.program.resize((bytes.size() - sizeof header) / sizeof(sock_filter));
    std::memcpy(filter.program.data(), bytes.data() + sizeof header, bytes.size() - sizeof header);
    return filter;
}

std::string file_bytes(const CompiledSeccomp& filter) {
    const Header header{kMagic, filter.flags, filter.sets_no_new_privs ? 1u : 0u, 0};
    std::string bytes(reinterpret_cast<const char*>(&header), sizeof header);
    bytes.append(reinterpret_cast<const char*>(filter.program.data()), filter.program.size() * sizeof(sock_filter));
    return bytes;
}

// The attributes seccomp_load() acts on (libseccomp's own mapping).
void read_attributes(const SeccompFilter& filter, CompiledSeccomp& out) {
    auto on = [&](enum scmp_filter_attr attr) {
        std::uint32_t value = 0;
        return ::seccomp_attr_get(filter.get(), attr, &value) == 0 && value != 0;
    };
    out.sets_no_new_privs = on(SCMP_FLTATR_CTL_NNP);
    if (on(SCMP_FLTATR_CTL_TSYNC)) out.flags |= SECCOMP_FILTER_FLAG_TSYNC;
    if (on(SCMP_FLTATR_CTL_LOG)) out.flags |= SECCOMP_FILTER_FLAG_LOG;
    if (on(SCMP_FLTATR_CTL_SSB)) out.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
}

// libseccomp writes the program to a descriptor only (seccomp_export_bpf):
// a memfd, read back.
CompiledSeccomp export_program(const SeccompFilter& filter) {
    UniqueFd fd(::memfd_create("kubik-seccomp", MFD_CLOEXEC));
    if (!fd) throw_errno("memfd_create");
    if (const int rc = ::seccomp_export_bpf(filter.get(), fd.get()); rc < 0) throw_errno("seccomp_export_bpf", -rc);
    const off_t size = ::lseek(fd.get(), 0, SEEK_END);
    if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
        throw Error("seccomp_export_bpf wrote " + std::to_string(size) + " bytes");
    CompiledSeccomp out;
    out.program.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (::pread(fd.get(), out.program.data(), static_cast<std::size_t>(size), 0) != size) throw_errno("read the filter");
    return out;
}

// Keeps the directory small: a few profiles per binary, and every rebuild
// of kubik makes new keys.
void prune(const fs::path& dir, std::size_t keep) {
    std::error_code ec;
    std::vector<std::pair<fs::file_time_type, fs::path>> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        files.emplace_back(entry.last_write_time(ec), entry.path());
    if (files.size() <= keep) return;
    std::sort(files.begin(), files.end());
    for (std::size_t i = 0; i + keep < files.size(); ++i) fs::remove(files[i].second, ec);
}

} // namespace

std::optional<CompiledSeccomp> compiled_seccomp_for(const SecurityOptions& security, const std::vector<int>& bounding,
                                                    const fs::path& cache_dir) {
    if (security.privileged || security.seccomp_unconfined) return std::nullopt;
    const fs::path file = cache_dir / (cache_key(security, bounding) + ".bpf");
    if (auto cached = read_cached(file)) return cached;

    const SeccompProfile profile =
        security.seccomp_profile.empty()
            ? default_seccomp_profile(bounding)
            : parse_seccomp_profile(security.seccomp_profile, "--security-opt seccomp", bounding);
    SeccompFilter filter;
    try {
        filter = build_seccomp_filter(profile);
    } catch (const NotImplemented& e) {
        if (!security.seccomp_profile.empty()) throw Error(std::string("--security-opt seccomp: ") + e.what());
        return std::nullopt; // lessons 0-7's containers: no filter, quietly
    }
    CompiledSeccomp compiled = export_program(filter);
    read_attributes(filter, compiled);
    try {
        std::error_code ec;
        fs::create_directories(cache_dir, ec);
        write_file_atomic(file, file_bytes(compiled), /*durable=*/false);
        prune(cache_dir, 16);
    } catch (const std::exception&) {
        // Read-only or full: the next start compiles again.
    }
    return compiled;
}

void load_compiled_seccomp(const CompiledSeccomp& filter) {
    // What seccomp_load() does: no_new_privs first when the context asked
    // for it (SCMP_FLTATR_CTL_NNP, libseccomp's default), then the program
    // with the context's flags.
    if (filter.sets_no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("PR_SET_NO_NEW_PRIVS");
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(filter.program.size());
    prog.filter = const_cast<sock_filter*>(filter.program.data());
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter.flags, &prog) != 0) {
        const int err = errno;
        throw_errno(err == EACCES ? "load the seccomp filter (it needs no_new_privs or CAP_SYS_ADMIN)"
                                  : "load the seccomp filter",
                    err);
    }
}

} // namespace kubik::security
