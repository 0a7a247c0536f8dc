#include "lesson5.hpp"

#include "core/not_implemented.hpp"
#include "volumes.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace kubik::test::volumes5 {

std::string stub_message() {
    namespace v = kubik::volumes;
    // Each call either throws NotImplemented (a stub) or fails on its bad
    // descriptor before it could touch anything.
    const std::function<void()> calls[] = {
        [] { (void)v::parse_volume_flag("/kubik-gate"); },
        [] { (void)v::open_mount_target(-1, "/kubik-gate", true); },
        [] { v::bind_mount(-1, -1, false, v::Propagation::Private); },
        [] { v::copy_image_contents(-1, -1); },
    };
    for (const auto& call : calls) {
        try {
            call();
        } catch (const kubik::NotImplemented& e) {
            return e.what();
        } catch (const std::exception&) {
            // Written, if wrongly: the checks say what is wrong.
        }
    }
    return "";
}

void VolumeFunctions::SetUp() {
    const std::string stub = stub_message();
    if (!stub.empty()) FAIL() << "lesson 5 (volumes) is not implemented yet, so its tests can't pass: " << stub;
}

void Lesson5Test::SetUp() {
    BusyboxTest::SetUp();
    if (HasFatalFailure()) return;
    const std::string stub = stub_message();
    if (!stub.empty()) FAIL() << "lesson 5 (volumes) is not implemented yet, so its tests can't pass: " << stub;
    fs::create_directories(root_ / "scratch");
}

RunResult Lesson5Test::kubik(const std::vector<std::string>& args, const RunOptions& options) {
    auto r = KubikTest::kubik(args, options);
    if (r.err.find("not implemented yet: lesson 5 ") != std::string::npos)
        ADD_FAILURE() << "kubik says lesson 5 (volumes) is not implemented yet\n" << r.describe();
    if (r.err.find("kubik: skipped: ") != std::string::npos)
        ADD_FAILURE() << "kubik skipped a lesson's step; lesson 5 builds on all of lessons 0-4\n" << r.describe();
    return r;
}

RunResult Lesson5Test::kubik_in_own_mount_namespace(const std::vector<std::string>& args,
                                                    const std::function<void()>& setup) {
    const auto argv = kubik_argv(args);
    const std::string report = in_child(
        [&](std::ostream& out) {
            if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
                throw std::runtime_error(std::string("setup: a mount namespace of its own: ") + std::strerror(errno));
            setup();
            const RunResult r = run(argv);
            out << r.exit_code << "\n" << r.out << "\n--stderr--\n" << r.err;
        },
        60s);
    RunResult r;
    r.argv = argv;
    const auto newline = report.find('\n');
    const auto marker = report.find("\n--stderr--\n");
    try {
        if (newline == std::string::npos || marker == std::string::npos) throw std::invalid_argument("no report");
        r.exit_code = std::stoi(report.substr(0, newline));
        r.out = report.substr(newline + 1, marker - newline - 1);
        r.err = report.substr(marker + 12);
    } catch (const std::exception&) {
        r.err = "the child that runs kubik in its own mount namespace said: " + report;
    }
    if (r.err.find("not implemented yet: lesson 5 ") != std::string::npos)
        ADD_FAILURE() << "kubik says lesson 5 (volumes) is not implemented yet\n" << r.describe();
    return r;
}

std::string Lesson5Test::in_mount_namespace_of(pid_t pid, const std::function<void()>& body) {
    return in_child([&](std::ostream& out) {
        const std::string ns = "/proc/" + std::to_string(pid) + "/ns/mnt";
        const int fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNS) != 0) {
            out << "setns " << ns << ": " << std::strerror(errno);
            return;
        }
        body();
    });
}

pid_t Lesson5Test::container_pid(const std::string& name) {
    auto r = KubikTest::kubik({"inspect", name});
    try {
        return nlohmann::json::parse(r.out).at(0).at("State").at("Pid").get<pid_t>();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "kubik inspect " << name << ": no State.Pid (" << e.what() << ")\n" << r.describe();
        return 0;
    }
}

void Lesson5Test::remove_containers(const std::vector<std::string>& names) {
    if (names.empty()) return;
    std::vector<std::string> args{"rm", "-f"};
    args.insert(args.end(), names.begin(), names.end());
    auto r = KubikTest::kubik(args, RunOptions{.stdin_data = std::nullopt, .env = {}, .timeout = 60s, .keep_fds = {}});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
}

std::optional<Mount> mount_at(const std::string& pid, const std::string& mount_point) {
    std::optional<Mount> found;
    // The last one: a mount on top of another at the same place hides it.
    for (const auto& m : mounts_of(pid))
        if (m.mount_point == mount_point) found = m;
    return found;
}

bool has_option(const Mount& m, const std::string& option) {
    std::istringstream in(m.options);
    for (std::string word; std::getline(in, word, ',');)
        if (word == option) return true;
    return false;
}

std::string propagation_fields(const Mount& m) {
    std::istringstream in(m.line);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    std::string fields;
    for (std::size_t i = 6; i < f.size() && f[i] != "-"; ++i) fields += (fields.empty() ? "" : " ") + f[i];
    return fields;
}

struct stat stat_of(const fs::path& path, bool follow) {
    struct stat st {};
    if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) st = {};
    return st;
}

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_ino != 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

} // namespace kubik::test::volumes5
