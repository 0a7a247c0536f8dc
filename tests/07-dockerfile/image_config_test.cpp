// The image config's docker fields (User, ExposedPorts, Volumes, Labels,
// StopSignal, Shell, OnBuild, Healthcheck): written with docker's names and
// shapes, read back exactly, read from docker's own blobs, and kept by the
// image store (what `kubik build` writes is what `kubik run` reads).
#include "config_fixture.hpp"

#include "image/image_config.hpp"
#include "image/image_store.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace kubik::test::config7 {
namespace {

using nlohmann::json;

// Every field set, as a Dockerfile with every instruction would leave it.
ImageConfig full_config() {
    ImageConfig c;
    c.env = {"PATH=/usr/bin:/bin", "APP=web"};
    c.entrypoint = {"/bin/sh", "-c"};
    c.cmd = {"exec httpd -f"};
    c.working_dir = "/srv";
    c.user = "1000:1000";
    c.exposed_ports = {"443/tcp", "53/udp", "80/tcp"};
    c.volumes = {"/data", "/var/log"};
    c.labels = {{"org.opencontainers.image.title", "web"}, {"empty", ""}};
    c.stop_signal = "SIGQUIT";
    c.shell = {"/bin/ash", "-eo", "pipefail", "-c"};
    c.on_build = {"RUN echo child", "COPY . /src"};
    ImageConfig::Healthcheck h;
    h.test = {"CMD-SHELL", "wget -qO- http://localhost/ || exit 1"};
    h.interval = 30'000'000'000;
    h.timeout = 5'000'000'000;
    h.start_period = 1'000'000'000;
    h.start_interval = 500'000'000;
    h.retries = 4;
    c.healthcheck = h;
    return c;
}

// Through text, as the store keeps it.
ImageConfig through_text(const ImageConfig& c) {
    return image_config_from_json(json::parse(image_config_to_json(c).dump()));
}

TEST_F(ConfigFunctions, EveryFieldSurvivesTheRoundTrip) {
    const ImageConfig c = full_config();
    const ImageConfig back = through_text(c);
    EXPECT_EQ(back.user, c.user);
    EXPECT_EQ(back.exposed_ports, c.exposed_ports);
    EXPECT_EQ(back.volumes, c.volumes);
    EXPECT_EQ(back.labels, c.labels);
    EXPECT_EQ(back.stop_signal, c.stop_signal);
    EXPECT_EQ(back.shell, c.shell);
    EXPECT_EQ(back.on_build, c.on_build);
    ASSERT_TRUE(back.healthcheck.has_value());
    EXPECT_EQ(back.healthcheck->test, c.healthcheck->test);
    EXPECT_EQ(back.healthcheck->interval, c.healthcheck->interval);
    EXPECT_EQ(back.healthcheck->retries, 4);
    EXPECT_TRUE(back == c) << image_config_to_json(back).dump(2);
}

TEST_F(ConfigFunctions, WrittenWithDockersNamesAndShapes) {
    const json run = image_config_to_json(full_config()).at("config");
    EXPECT_EQ(run.at("User"), "1000:1000");
    // Go's map[string]struct{}: a set written as an object of empty objects.
    EXPECT_EQ(run.at("ExposedPorts"),
              (json{{"80/tcp", json::object()}, {"443/tcp", json::object()}, {"53/udp", json::object()}}));
    EXPECT_EQ(run.at("Volumes"), (json{{"/data", json::object()}, {"/var/log", json::object()}}));
    EXPECT_EQ(run.at("Labels"), (json{{"org.opencontainers.image.title", "web"}, {"empty", ""}}));
    EXPECT_EQ(run.at("StopSignal"), "SIGQUIT");
    EXPECT_EQ(run.at("Shell"), (json{"/bin/ash", "-eo", "pipefail", "-c"}));
    EXPECT_EQ(run.at("OnBuild"), (json{"RUN echo child", "COPY . /src"}));
    // Durations in nanoseconds, docker's (Go's time.Duration) unit.
    EXPECT_EQ(run.at("Healthcheck"), (json{{"Test", {"CMD-SHELL", "wget -qO- http://localhost/ || exit 1"}},
                                           {"Interval", 30'000'000'000},
                                           {"Timeout", 5'000'000'000},
                                           {"StartPeriod", 1'000'000'000},
                                           {"StartInterval", 500'000'000},
                                           {"Retries", 4}}));
    EXPECT_EQ(run.at("WorkingDir"), "/srv");
    EXPECT_EQ(run.at("Entrypoint"), (json{"/bin/sh", "-c"}));
}

TEST_F(ConfigFunctions, EmptyFieldsAreWrittenAsDockerWritesThem) {
    const json run = image_config_to_json(ImageConfig{}).at("config");
    EXPECT_EQ(run.at("User"), "");
    // No omitempty in moby for these three: null.
    EXPECT_TRUE(run.at("Volumes").is_null()) << run.dump();
    EXPECT_TRUE(run.at("OnBuild").is_null()) << run.dump();
    EXPECT_TRUE(run.at("Labels").is_null()) << run.dump();
    // omitempty: absent.
    for (const char* key : {"ExposedPorts", "StopSignal", "Shell", "Healthcheck"})
        EXPECT_FALSE(run.contains(key)) << key << " in " << run.dump();
    EXPECT_TRUE(through_text(ImageConfig{}) == ImageConfig{});
}

TEST_F(ConfigFunctions, ReadsDockersOwnBlob) {
    // The config of an image docker 24 built (EXPOSE 80, VOLUME, LABEL,
    // STOPSIGNAL, HEALTHCHECK, USER, ONBUILD), trimmed to the fields kubik reads.
    const json doc = json::parse(R"({
      "architecture": "amd64", "os": "linux",
      "config": {
        "Hostname": "", "User": "www-data", "AttachStdin": false,
        "ExposedPorts": {"80/tcp": {}, "8443/tcp": {}},
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Cmd": ["nginx", "-g", "daemon off;"],
        "Healthcheck": {"Test": ["CMD", "curl", "-f", "http://localhost/"], "Interval": 10000000000, "Retries": 2},
        "ArgsEscaped": true, "Image": "", "Volumes": {"/var/cache/nginx": {}},
        "WorkingDir": "/", "Entrypoint": ["/docker-entrypoint.sh"],
        "OnBuild": ["RUN echo hi"],
        "Labels": {"maintainer": "NGINX Docker Maintainers"},
        "StopSignal": "SIGQUIT",
        "Shell": ["/bin/bash", "-c"]
      }})");
    const ImageConfig c = image_config_from_json(doc);
    EXPECT_EQ(c.user, "www-data");
    EXPECT_EQ(c.exposed_ports, (std::vector<std::string>{"80/tcp", "8443/tcp"}));
    EXPECT_EQ(c.volumes, (std::vector<std::string>{"/var/cache/nginx"}));
    EXPECT_EQ(c.labels.at("maintainer"), "NGINX Docker Maintainers");
    EXPECT_EQ(c.stop_signal, "SIGQUIT");
    EXPECT_EQ(c.shell, (std::vector<std::string>{"/bin/bash", "-c"}));
    EXPECT_EQ(c.on_build, (std::vector<std::string>{"RUN echo hi"}));
    ASSERT_TRUE(c.healthcheck.has_value());
    EXPECT_EQ(c.healthcheck->test, (std::vector<std::string>{"CMD", "curl", "-f", "http://localhost/"}));
    EXPECT_EQ(c.healthcheck->interval, 10'000'000'000);
    EXPECT_EQ(c.healthcheck->timeout, 0);
    EXPECT_EQ(c.healthcheck->retries, 2);
    EXPECT_EQ(c.entrypoint, (std::vector<std::string>{"/docker-entrypoint.sh"}));
}

TEST_F(ConfigFunctions, HealthcheckNoneIsKeptAndAbsentIsNotSet) {
    ImageConfig c;
    EXPECT_FALSE(through_text(c).healthcheck.has_value());
    // HEALTHCHECK NONE switches off a base image's check: it must survive.
    c.healthcheck = ImageConfig::Healthcheck{};
    c.healthcheck->test = {"NONE"};
    const ImageConfig back = through_text(c);
    ASSERT_TRUE(back.healthcheck.has_value());
    EXPECT_EQ(back.healthcheck->test, (std::vector<std::string>{"NONE"}));
    EXPECT_EQ(image_config_to_json(c)["config"]["Healthcheck"], (json{{"Test", {"NONE"}}}));
}

TEST_F(ConfigFunctions, FieldsOfAnotherTypeReadAsEmpty) {
    // An image someone else made must not stop `kubik images` from listing
    // the store: a field of the wrong type reads as not set.
    const json doc = json::parse(R"({"config": {
        "User": 7, "ExposedPorts": ["80/tcp"], "Volumes": "/data", "Labels": {"a": "b", "n": 1},
        "StopSignal": null, "Shell": "sh", "OnBuild": null, "Healthcheck": [], "WorkingDir": false,
        "Env": ["A=1", 2]}})");
    ImageConfig c;
    ASSERT_NO_THROW(c = image_config_from_json(doc));
    EXPECT_EQ(c.user, "");
    EXPECT_TRUE(c.exposed_ports.empty());
    EXPECT_TRUE(c.volumes.empty());
    EXPECT_EQ(c.labels, (std::map<std::string, std::string>{{"a", "b"}}));
    EXPECT_EQ(c.stop_signal, "");
    EXPECT_TRUE(c.shell.empty());
    EXPECT_FALSE(c.healthcheck.has_value());
    EXPECT_EQ(c.working_dir, "");
    EXPECT_EQ(c.env, (std::vector<std::string>{"A=1"}));
}

// Through the store, as the builder makes an image: ImageStore::commit with
// a config, then what `find` and `kubik image inspect` give back.
TEST_F(ConfigTest, TheStoreKeepsEveryFieldAndInspectShowsThem) {
    ImageStore store(root_);
    const Image base = store.find("busybox");
    const fs::path tar = root_ / "empty-layer.tar";
    {
        std::ofstream out(tar, std::ios::binary);
        out << std::string(1024, '\0'); // an empty tar: two zero blocks
    }
    ImageConfig config = base.config;
    const ImageConfig want = full_config();
    config.user = want.user;
    config.exposed_ports = want.exposed_ports;
    config.volumes = want.volumes;
    config.labels = want.labels;
    config.stop_signal = want.stop_signal;
    config.shell = want.shell;
    config.on_build = want.on_build;
    config.healthcheck = want.healthcheck;
    const Image made = store.commit(base, tar, config, "kubik test", ImageRef::parse("configured:1"));
    EXPECT_TRUE(store.find("configured:1").config == config);
    EXPECT_EQ(store.find("configured:1").id, made.id);

    auto r = kubik({"image", "inspect", "configured:1"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const json c = json::parse(r.out).at(0).at("Config");
    EXPECT_EQ(c.at("User"), "1000:1000");
    EXPECT_EQ(c.at("ExposedPorts").size(), 3u) << c.dump();
    EXPECT_TRUE(c.at("ExposedPorts").contains("53/udp")) << c.dump();
    EXPECT_TRUE(c.at("Volumes").contains("/var/log")) << c.dump();
    EXPECT_EQ(c.at("Labels").at("org.opencontainers.image.title"), "web");
    EXPECT_EQ(c.at("StopSignal"), "SIGQUIT");
    EXPECT_EQ(c.at("Healthcheck").at("Retries"), 4);
    EXPECT_EQ(c.at("OnBuild").size(), 2u);
    // The base's fields stay: busybox's PATH and its shell command.
    EXPECT_EQ(c.at("Env"), json(base.config.env));
}

} // namespace
} // namespace kubik::test::config7
