#include "lesson8.hpp"

#include "core/not_implemented.hpp"
#include "security.hpp"

#include <unistd.h>

#include <functional>

namespace kubik::test::security8 {

namespace sec = kubik::security;

std::string stub_message() {
    // build_seccomp_filter builds, never loads: safe in the test process.
    try {
        sec::SeccompProfile allow_all;
        (void)sec::build_seccomp_filter(allow_all);
    } catch (const kubik::NotImplemented& e) {
        return e.what();
    } catch (const std::exception&) {
        // Written, if wrongly: the checks say what is wrong.
    }
    // The others change the calling process: in a child that ends at once.
    const std::string report = in_child([](std::ostream& out) {
        const std::function<void()> calls[] = {
            [] { sec::mask_paths({}); },
            [] { sec::make_paths_read_only({}); },
            [] { sec::switch_user(sec::ExecUser{::getuid(), ::getgid(), {}, "/"}); },
            [] {
                sec::Capabilities all;
                for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) all.bounding.push_back(cap);
                all.effective = all.bounding;
                sec::drop_capabilities(all);
            },
        };
        for (const auto& call : calls) {
            try {
                call();
            } catch (const kubik::NotImplemented& e) {
                out << e.what();
                return;
            } catch (const std::exception&) {
            }
        }
    });
    return report.find("not implemented yet") != std::string::npos ? report : "";
}

void Lesson8Test::SetUp() {
    LessonTest::SetUp();
    if (HasFatalFailure()) return;
    const std::string stub = stub_message();
    if (!stub.empty()) FAIL() << "lesson 8 (security) is not implemented yet, so its tests can't pass: " << stub;
}

} // namespace kubik::test::security8
