// The fixture of lesson 3's gate tests (cgroups_test.cpp, lifecycle_test.cpp):
// the lesson gate with a memory limit, starting detached containers, reading
// `kubik inspect`, and finding a container's cgroup on the host.
#pragma once

#include "kubik_test.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace kubik::test {

inline std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

/// A bit mask line of /proc/PID/status ("SigIgn", "SigCgt"); 0 if unreadable.
inline uint64_t status_mask(pid_t pid, const std::string& key) {
    for (const auto& line : lines_of(read_text("/proc/" + std::to_string(pid) + "/status").value_or("")))
        if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1), nullptr, 16);
    return 0;
}

/// VmRSS of a process in KiB; -1 if unreadable.
inline long rss_kib(pid_t pid) {
    for (const auto& line : lines_of(read_text("/proc/" + std::to_string(pid) + "/status").value_or("")))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

/// Lesson 3's gate: a container must start with a memory limit. While the
/// lesson is a stub, kubik skips the cgroup of a plain `run` with a notice,
/// but refuses `--memory` with the stub's message, so every test of the
/// lesson (life cycle included) fails with "not implemented yet: lesson 3".
class Cgroups : public LessonTest {
protected:
    Cgroups() : LessonTest(3, "cgroups") {}

    std::vector<std::string> gate_args() const override {
        return {"run", "--rm", "--memory", "64m", "busybox", "true"};
    }

    void SetUp() override {
        LessonTest::SetUp();
        host_ = cgroup_host();
    }

    /// A test that failed half-way may leave its containers running: remove
    /// them first, so that the report shows the failure, not its echo
    /// ("process left running", "cgroup left behind"). A test that passed
    /// removed its containers itself, and anything left is kubik's leak.
    void TearDown() override {
        if (HasFailure() && !root_.empty()) {
            auto r = KubikTest::kubik({"ps", "-a", "-q"});
            std::vector<std::string> args{"rm", "-f"};
            for (const auto& id : lines_of(r.out)) args.push_back(id);
            if (args.size() > 2) KubikTest::kubik(args);
        }
        LessonTest::TearDown();
    }

    RunResult krun(std::vector<std::string> args, const RunOptions& options = {}) {
        args.insert(args.begin(), "run");
        return kubik(args, options);
    }

    /// `kubik run -d ARGS...`: the new container's id, or "" after recording
    /// a failure (kubik didn't exit 0 or didn't print a 64-digit id).
    std::string start(std::vector<std::string> args) {
        args.insert(args.begin(), {"run", "-d"});
        auto r = kubik(args);
        std::string id = trimmed(r.out);
        bool ok = r.exit_code == 0 && id.size() == 64 &&
                  id.find_first_not_of("0123456789abcdef") == std::string::npos;
        if (!ok) {
            ADD_FAILURE() << "`kubik run -d` must print the new container's id (64 hex digits) and exit 0\n"
                          << r.describe();
            return "";
        }
        return id;
    }

    /// `kubik inspect REF`: the container's object; an empty object after
    /// recording a failure.
    nlohmann::json inspect(const std::string& ref) {
        auto r = kubik({"inspect", ref});
        auto doc = nlohmann::json::parse(r.out, nullptr, false);
        if (r.exit_code != 0 || doc.is_discarded() || !doc.is_array() || doc.size() != 1 || !doc[0].is_object()) {
            ADD_FAILURE() << "`kubik inspect " << ref << "` must print a JSON array of one object\n" << r.describe();
            return nlohmann::json::object();
        }
        return doc[0];
    }

    /// The pid of the container's init (State.Pid); 0 after a failure.
    pid_t init_pid(const std::string& ref) {
        auto state = inspect(ref).value("State", nlohmann::json::object());
        pid_t pid = state.value("Pid", 0);
        if (pid <= 0) ADD_FAILURE() << "inspect " << ref << ": State.Pid is not a pid: " << state.dump();
        return pid;
    }

    /// Polls until the container has exited (State.Status "exited") and its
    /// monitor has finished recording that (the process is gone), so that the
    /// container's cgroup is removed too. False after `timeout`.
    bool wait_until_exited(const std::string& ref, std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        do {
            reap_zombie_children();
            auto r = KubikTest::kubik({"inspect", ref});
            auto doc = nlohmann::json::parse(r.out, nullptr, false);
            if (!doc.is_discarded() && doc.is_array() && doc.size() == 1) {
                const auto& state = doc[0]["State"];
                ProcInfo monitor;
                monitor.pid = state.value("MonitorPid", 0);
                monitor.start_time = state.value("MonitorStartTime", 0ULL);
                if (state.value("Status", "") == "exited" && (monitor.pid <= 0 || !is_alive(monitor))) return true;
            }
            std::this_thread::sleep_for(50ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }

    /// PARENT/ID: the container's cgroup below the root of each hierarchy.
    fs::path relative_cgroup(const std::string& id) const { return fs::path(cgroup_parent()) / id; }
    /// "/PARENT/ID", as /proc/PID/cgroup names it.
    std::string cgroup_path(const std::string& id) const { return "/" + relative_cgroup(id).string(); }
    fs::path cgroup_dir(const std::string& controller, const std::string& id) const {
        return host_.dir(controller, relative_cgroup(id));
    }
    /// A file of the container's cgroup without its trailing newline; "" (and
    /// a failure) when it can't be read.
    std::string cgroup_file(const std::string& controller, const std::string& id, const std::string& file) {
        fs::path path = cgroup_dir(controller, id) / file;
        auto text = read_text(path);
        if (!text) {
            ADD_FAILURE() << "cannot read " << path << " (" << host_.describe() << ")";
            return "";
        }
        return trimmed(*text);
    }

    /// Every directory of the container's cgroup that still exists.
    std::vector<fs::path> existing_cgroup_dirs(const std::string& id) const {
        std::vector<fs::path> out;
        std::error_code ec;
        for (const auto& d : host_.dirs(relative_cgroup(id)))
            if (fs::exists(d, ec)) out.push_back(d);
        return out;
    }

    /// The container's init and its descendants, as the host sees them.
    std::vector<ProcInfo> container_processes(pid_t init) {
        std::vector<ProcInfo> out;
        if (auto p = process_info(init)) out.push_back(*p);
        for (const auto& p : descendants_of(init))
            if (p.state != 'Z') out.push_back(p);
        return out;
    }

    CgroupHost host_;
};

}  // namespace kubik::test
