// docker's capability rules (src/security/capabilities): the default set,
// --cap-add/--cap-drop/ALL, names as docker writes them back, the sets of a
// non-root user. Pure functions of src, no kernel state: they pass whatever
// the lessons' state, so they are not one of lesson 8's checks.
#include "kubik_test.hpp"

#include "core/error.hpp"
#include "security/capabilities.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>

#include <algorithm>
#include <vector>

namespace kubik::test {
namespace {

namespace sec = kubik::security;

TEST(CapabilityRules, DefaultSetIsDockersMask) {
    EXPECT_EQ(sec::capability_mask(sec::default_capabilities()), 0xa80425fbULL);
    EXPECT_EQ(sec::capability_mask(sec::bounding_capabilities({})), 0xa80425fbULL);
}

TEST(CapabilityRules, DropAllAddOne) {
    SecurityOptions o;
    o.cap_drop = {"ALL"};
    o.cap_add = {"net_bind_service"};
    EXPECT_EQ(sec::bounding_capabilities(o), std::vector<int>{CAP_NET_BIND_SERVICE});
}

TEST(CapabilityRules, AddWinsOverDropAndAllInAdd) {
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

TEST(CapabilityRules, UnknownNameIsDockersError) {
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

TEST(CapabilityRules, EffectiveEmptyForNonRoot) {
    EXPECT_TRUE(sec::capabilities_for(sec::default_capabilities(), 1000).effective.empty());
    EXPECT_EQ(sec::capabilities_for(sec::default_capabilities(), 0).effective, sec::default_capabilities());
}

} // namespace
} // namespace kubik::test
