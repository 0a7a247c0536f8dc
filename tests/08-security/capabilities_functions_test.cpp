// Lesson 8: docker's capability rules (pure) and drop_capabilities /
// switch_user called directly, in forked children, checked in
// /proc/self/status (what the kernel holds, not what the code says).
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

TEST(Lesson8Caps, DefaultSetIsDockersMask) {
    EXPECT_EQ(sec::capability_mask(sec::default_capabilities()), 0xa80425fbULL);
    EXPECT_EQ(sec::capability_mask(sec::bounding_capabilities({})), 0xa80425fbULL);
}

TEST(Lesson8Caps, DropAllAddOne) {
    SecurityOptions o;
    o.cap_drop = {"ALL"};
    o.cap_add = {"net_bind_service"};
    EXPECT_EQ(sec::bounding_capabilities(o), std::vector<int>{CAP_NET_BIND_SERVICE});
}

TEST(Lesson8Caps, AddWinsOverDropAndAllInAdd) {
    SecurityOptions o;
    o.cap_drop = {"CAP_CHOWN"};
    o.cap_add = {"chown"};
    EXPECT_EQ(sec::capability_mask(sec::bounding_capabilities(o)), 0xa80425fbULL);
    SecurityOptions all;
    all.cap_add = {"ALL"};
    all.cap_drop = {"SYS_ADMIN"};
    auto caps = sec::bounding_capabilities(all);
    EXPECT_EQ(std::find(caps.begin(), caps.end(), CAP_SYS_ADMIN), caps.end());
    EXPECT_NE(std::find(caps.begin(), caps.end(), CAP_NET_ADMIN), caps.end());
}

TEST(Lesson8Caps, UnknownNameIsDockersError) {
    SecurityOptions o;
    o.cap_add = {"FOO"};
    try {
        (void)sec::bounding_capabilities(o);
        FAIL() << "no error";
    } catch (const kubik::Error& e) {
        EXPECT_STREQ(e.what(), "invalid CapAdd: unknown capability: \"CAP_FOO\"");
        EXPECT_EQ(e.exit_code(), 125);
    }
    EXPECT_EQ(sec::normalize_capability("cap_net_admin", "CapAdd"), "NET_ADMIN");
    EXPECT_EQ(sec::normalize_capability("all", "CapDrop"), "ALL");
}

TEST(Lesson8Caps, EffectiveEmptyForNonRoot) {
    EXPECT_TRUE(sec::capabilities_for(sec::default_capabilities(), 1000).effective.empty());
    EXPECT_EQ(sec::capabilities_for(sec::default_capabilities(), 0).effective, sec::default_capabilities());
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
    if (out.starts_with("stub ")) GTEST_SKIP() << out;
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
    if (out.starts_with("stub ")) GTEST_SKIP() << out;
    EXPECT_EQ(out, "1000\t1000\t1000\t1000|1001\t1001\t1001\t1001|1002 ");
}

} // namespace
} // namespace kubik::test
