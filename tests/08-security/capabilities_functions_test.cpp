// Lesson 8: drop_capabilities / switch_user called directly, in forked
// children, checked in /proc/self/status (what the kernel holds, not what
// the code says). docker's capability rules, which are src's, are tested in
// tests/store/capability_rules_test.cpp.
#include "kubik_test.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "security.hpp"
#include "security/capabilities.hpp"

#include <gtest/gtest.h>
#include <sys/capability.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace kubik::test {
namespace {

namespace sec = kubik::security;

std::string status_field(const std::string& key) {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(key + ":")) return line.substr(key.size() + 2);
    return "";
}

TEST(Lesson8Functions, DropCapabilitiesLeavesExactlyTheSets) {
    const std::string out = in_child([](std::ostream& o) {
        try {
            sec::drop_capabilities(sec::capabilities_for(sec::default_capabilities(), 0));
        } catch (const NotImplemented& e) {
            o << "stub " << e.what();
            return;
        }
        for (const char* k : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) o << k << "=" << status_field(k) << "\n";
    });
    if (out.starts_with("stub ")) FAIL() << out;
    EXPECT_EQ(out, "CapInh=0000000000000000\nCapPrm=00000000a80425fb\nCapEff=00000000a80425fb\n"
                   "CapBnd=00000000a80425fb\nCapAmb=0000000000000000\n");
}

TEST(Lesson8Functions, SwitchUserChangesEveryId) {
    const std::string out = in_child([](std::ostream& o) {
        try {
            sec::switch_user(sec::ExecUser{1000, 1001, {1002}, "/"});
        } catch (const NotImplemented& e) {
            o << "stub " << e.what();
            return;
        }
        o << status_field("Uid") << "|" << status_field("Gid") << "|" << status_field("Groups");
    });
    if (out.starts_with("stub ")) FAIL() << out;
    EXPECT_EQ(out, "1000\t1000\t1000\t1000|1001\t1001\t1001\t1001|1002 ");
}

} // namespace
} // namespace kubik::test
