// The course note's example end to end (issue 14, §4): examples/my-python-app
// built and run exactly as lessons/07-dockerfile/README.md shows it —
//
//   kubik build -t my-python-app .
//   kubik run -d -p 5000:5000 --name web my-python-app
//   curl http://localhost:5000          (here: a socket to 127.0.0.1)
//   kubik ps                            (web, with its port)
//   kubik stop web && kubik rm web
//
// — on the Debian base with python3 and Flask that
// scripts/make-debian-image.sh --python makes from Debian's packages
// (BUILD/images/debian-bookworm-python.tar, made once and reused). Where
// mmdebstrap or the mirror is missing the test is skipped with the script's
// reason, never passed. The host port is 5000 when it is free, else one the
// kernel picks: tests run side by side, and 5000 may be taken on the host.
// ctest label "debian" (the tarball takes minutes the first time).
#include "kubik_test.hpp"
#include "debian_image.hpp"
#include "tools.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#ifndef KUBIK_SOURCE_DIR
#error "KUBIK_SOURCE_DIR must be defined by tests/CMakeLists.txt"
#endif
#ifndef KUBIK_BUILD_DIR
#error "KUBIK_BUILD_DIR must be defined by tests/CMakeLists.txt"
#endif

namespace kubik::test {
namespace {

using namespace std::chrono_literals;

const std::string kExample = std::string(KUBIK_SOURCE_DIR) + "/examples/my-python-app";

// A port nobody on the host listens on: 5000 when it is free.
std::uint16_t free_port() {
    for (std::uint16_t wanted : {std::uint16_t{5000}, std::uint16_t{0}}) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return 0;
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(wanted);
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        socklen_t len = sizeof a;
        const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
        ::close(fd);
        if (ok) return ntohs(a.sin_port);
    }
    return 0;
}

// GET / from 127.0.0.1:PORT, HTTP/1.0: the whole answer, or "" when nothing
// answered (each try bounded by a short receive timeout).
std::string http_get(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        const std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
        if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
            char buf[4096];
            for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return answer;
}

class PythonApp : public KubikTest {
protected:
    void SetUp() override {
        const auto& made = debian_tarball(/*python=*/true);
        if (!made.skip.empty()) GTEST_SKIP() << made.skip;
        base_set_up_ = true;
        KubikTest::SetUp();
        if (HasFatalFailure()) return;
        ASSERT_TRUE(made.failure.empty()) << "scripts/make-debian-image.sh --python failed:\n" << made.failure;
        auto r = import_debian_image(root_, /*python=*/true);
        ASSERT_EQ(r.exit_code, 0) << "importing debian:bookworm-python failed\n" << r.describe();
    }
    void TearDown() override {
        if (!base_set_up_) return;
        kubik({"rm", "-f", "web"});  // after a failed check; no-op when it is gone
        KubikTest::TearDown();
    }
    bool base_set_up_ = false;
};

TEST_F(PythonApp, BuildRunFetchPsStopRm) {
    RunOptions slow;
    slow.timeout = std::chrono::minutes(3);
    auto r = kubik({"build", "-t", "my-python-app", kExample}, slow);
    ASSERT_EQ(r.exit_code, 0) << "kubik build -t my-python-app " << kExample << "\n" << r.describe();
    // The RUN that checks requirements.txt ran and found Flask in the base image.
    EXPECT_NE((r.out + r.err).find("flask "), std::string::npos) << "no 'flask VERSION' from the RUN step\n"
                                                                  << r.describe();

    // The image is what the Dockerfile says: its config, and no README in /app (.dockerignore).
    r = kubik({"image", "inspect", "my-python-app"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto config = image_inspect(r)["Config"];
    EXPECT_EQ(config.value("WorkingDir", ""), "/app") << config.dump(2);
    EXPECT_EQ(config["Cmd"], nlohmann::json::parse(R"(["python3", "app.py"])")) << config.dump(2);
    EXPECT_TRUE(config.contains("ExposedPorts") && config["ExposedPorts"].contains("5000/tcp")) << config.dump(2);
    r = kubik({"run", "--rm", "my-python-app", "ls", "-a", "/app"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(has_line(r.out, "app.py")) << r.describe();
    EXPECT_FALSE(has_line(r.out, "README.md")) << ".dockerignore's README*.md was copied\n" << r.describe();
    EXPECT_FALSE(has_line(r.out, "Dockerfile")) << ".dockerignore's Dockerfile was copied\n" << r.describe();

    const std::uint16_t port = free_port();
    ASSERT_NE(port, 0) << "no free port on the host";
    const std::string publish = std::to_string(port) + ":5000";
    r = kubik({"run", "-d", "-p", publish, "--name", "web", "my-python-app"});
    ASSERT_EQ(r.exit_code, 0) << "kubik run -d -p " << publish << " --name web my-python-app\n" << r.describe();

    std::string page;
    const auto deadline = std::chrono::steady_clock::now() + 30s;  // python3 and Flask start in ~1 s
    while (page.find("Hello from my-python-app") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        page = http_get(port);
        if (page.empty()) std::this_thread::sleep_for(200ms);
    }
    EXPECT_NE(page.find("200 OK"), std::string::npos) << "http://localhost:" << port << " answered:\n" << page;
    EXPECT_NE(page.find("Hello from my-python-app"), std::string::npos)
        << "http://localhost:" << port << " answered:\n" << page << "\nlogs:\n" << kubik({"logs", "web"}).describe();

    r = kubik({"ps"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    bool listed = false;
    for (const auto& line : lines_of(r.out))
        listed = listed || (line.find(" web") != std::string::npos && line.find("my-python-app") != std::string::npos &&
                            line.find("0.0.0.0:" + publish.substr(0, publish.find(':')) + "->5000/tcp") !=
                                std::string::npos);
    EXPECT_TRUE(listed) << "kubik ps doesn't list web with 0.0.0.0:" << port << "->5000/tcp\n" << r.describe();

    r = kubik({"stop", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(http_get(port).empty()) << "the port still answers after kubik stop";
    r = kubik({"rm", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    r = kubik({"ps", "-a", "-q"});
    EXPECT_EQ(r.out, "") << "a container is left after kubik rm web\n" << r.describe();
}

}  // namespace
}  // namespace kubik::test
