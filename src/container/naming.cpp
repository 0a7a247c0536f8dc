#include "container/naming.hpp"

#include "core/error.hpp"

#include <sys/random.h>

#include <array>
#include <cstdint>

namespace kubik {
namespace {

// A name is the file ROOT/names/NAME, and a file name holds at most NAME_MAX
// (255) bytes; the allowed characters are ASCII, one byte each.
constexpr size_t kMaxContainerNameLength = 255;

template <size_t N>
void random_bytes(std::array<uint8_t, N>& out) {
    size_t done = 0;
    while (done < N) {
        ssize_t n = ::getrandom(out.data() + done, N - done, 0);
        if (n < 0) throw_errno("getrandom");
        done += static_cast<size_t>(n);
    }
}

} // namespace

std::string generate_container_id() {
    std::array<uint8_t, 32> bytes{};
    random_bytes(bytes);
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (uint8_t b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 15];
    }
    return id;
}

std::string generate_container_name() {
    static const char* adjectives[] = {"brave", "calm", "clever", "eager", "gentle", "happy",
                                       "jolly", "keen", "lucid", "merry", "nimble", "proud",
                                       "quiet", "sharp", "sturdy", "witty"};
    static const char* scientists[] = {"curie", "dijkstra", "euler", "hopper", "kovalevskaya",
                                       "lamarr", "lovelace", "lyapunov", "markov", "noether",
                                       "ritchie", "thompson", "torvalds", "turing", "yershov",
                                       "kolmogorov"};
    std::array<uint8_t, 3> r{};
    random_bytes(r);
    // A random number suffix keeps collisions rare; a collision is still
    // caught by the atomic name claim in ContainerStore.
    return std::string(adjectives[r[0] % 16]) + "_" + scientists[r[1] % 16] + "_" +
           std::to_string(r[2]);
}

void validate_container_name(const std::string& name) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    bool ok = name.size() >= 2 && alnum(name[0]);
    for (char c : name)
        ok = ok && (alnum(c) || c == '_' || c == '.' || c == '-');
    if (!ok)
        throw Error("Invalid container name (" + name +
                    "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    // The name is a file name, ROOT/names/NAME: longer than NAME_MAX, the
    // claim would fail with a bare "File name too long".
    if (name.size() > kMaxContainerNameLength)
        throw Error("Invalid container name (" + name + "), it is " + std::to_string(name.size()) +
                    " characters long; at most " + std::to_string(kMaxContainerNameLength) + " are allowed");
}

} // namespace kubik
