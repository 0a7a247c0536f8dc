// kubik-nft: kubik's hands on nftables.
//
//   kubik-nft apply                          an nft script on stdin, as ONE transaction
//   kubik-nft remove-owner TABLE OWNER       delete the rules whose comment is OWNER
//   kubik-nft remove-table-if-empty TABLE    delete the table when no rule is left
//   kubik-nft list [TABLE]                   JSON on stdout; no TABLE: every kubik table
//
// Exit 0 on success; 1 with libnftables's message on stderr otherwise.
//
// Why a separate program: Debian ships libnftables as a shared library only,
// and kubik is linked -static for its start time. This one is dynamic and
// small, and kubik starts it only when there are rules to change.
//
// Why one transaction: libnftables sends every command of one buffer to the
// kernel in a single netlink batch, and the kernel applies a batch whole or
// not at all. A script with a bad fourth rule leaves not even the first
// three behind, so a failed `run -p` never leaves half of its ports open.
//
// It touches nothing but the tables it is named (and, for `list` without a
// table, reads only the names of the other tables to find kubik's).
#include <nftables/libnftables.h>

#include <nlohmann/json.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A failure whose message is already libnftables's own words.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One libnftables context, its output and errors kept in buffers so that
// the messages can be read back (and printed once, on our stderr).
class Context {
public:
    explicit Context(unsigned output_flags = 0) : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
        if (!ctx_) throw Failure("kubik-nft: cannot make a libnftables context");
        nft_ctx_output_set_flags(ctx_, output_flags);
        nft_ctx_buffer_output(ctx_);
        nft_ctx_buffer_error(ctx_);
    }
    ~Context() { nft_ctx_free(ctx_); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // Runs `commands`; returns false when libnftables refused (see error()).
    bool run(const std::string& commands) { return nft_run_cmd_from_buffer(ctx_, commands.c_str()) == 0; }
    // Runs the commands of a file, as one transaction too.
    bool run_file(const std::string& path) { return nft_run_cmd_from_filename(ctx_, path.c_str()) == 0; }
    // Runs `commands`; throws libnftables's message when it refused.
    std::string run_or_throw(const std::string& commands) {
        if (!run(commands)) throw Failure(error());
        return output();
    }
    std::string output() const { return text(nft_ctx_get_output_buffer(ctx_)); }
    // libnftables's message: "Error: …", the command, and a ^^^ line under
    // the part it refused.
    std::string error() const { return text(nft_ctx_get_error_buffer(ctx_)); }

private:
    static std::string text(const char* p) { return p ? p : ""; }
    nft_ctx* ctx_;
};

// Table names come from kubik, but an argument is still checked: it is
// pasted into an nft command, and "x; delete table ip other" must not be.
std::string checked_table(const std::string& name) {
    bool ok = !name.empty() && name.size() < 64;
    for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    if (!ok) throw Failure("kubik-nft: not a table name: " + name);
    return name;
}

bool is_kubik_table(const std::string& name) { return name == "kubik" || name.rfind("kubik-", 0) == 0; }

// The names of the ip tables that exist.
std::vector<std::string> table_names() {
    Context ctx(NFT_CTX_OUTPUT_JSON);
    auto json = nlohmann::json::parse(ctx.run_or_throw("list tables ip"));
    std::vector<std::string> names;
    for (const auto& item : json.value("nftables", nlohmann::json::array()))
        if (item.contains("table")) names.push_back(item["table"].value("name", ""));
    return names;
}

// One context serves every listing of a run: making one costs more than
// listing a small table.
Context& listing_context() {
    static Context ctx(NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
    return ctx;
}

nlohmann::json list_table(const std::string& table) {
    Context& ctx = listing_context();
    if (!ctx.run("list table ip " + table)) {
        // ENOENT is the kernel's "no such table". (Asking `list tables`
        // instead would cost as much as the failed listing again: both
        // read every table of the host.)
        const std::string error = ctx.error();
        if (error.find("No such file or directory") != std::string::npos) return nlohmann::json();
        throw Failure(error);
    }
    return nlohmann::json::parse(ctx.output());
}

// libnftables 1.0.6 prints the FIRST line of a buffer under every error,
// whichever command failed; for a file it prints the right line. So the
// script goes to a memfd and is run as a file, and the "PATH:LINE:COL: "
// prefix is taken off the message: what is left names the refused rule.
std::string without_location(const std::string& message, const std::string& path) {
    std::string out;
    std::size_t at = 0;
    for (;;) {
        std::size_t found = message.find(path + ":", at);
        if (found == std::string::npos) return out + message.substr(at);
        out += message.substr(at, found - at);
        std::size_t end = message.find(": ", found + path.size() + 1);
        at = end == std::string::npos ? found + path.size() + 1 : end + 2;
    }
}

// Runs `script` as one transaction; throws libnftables's message naming
// the command it refused.
void run_script(const std::string& script) {
    int fd = ::memfd_create("kubik-nft-script", MFD_CLOEXEC);
    if (fd < 0) throw Failure(std::string("kubik-nft: memfd_create: ") + std::strerror(errno));
    for (std::size_t done = 0; done < script.size();) {
        ssize_t n = ::write(fd, script.data() + done, script.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Failure(std::string("kubik-nft: write: ") + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    Context ctx;
    bool ok = ctx.run_file(path); // one transaction, as nft -f
    ::close(fd);
    if (!ok) throw Failure(without_location(ctx.error(), path));
}

int apply() {
    run_script(std::string(std::istreambuf_iterator<char>(std::cin), {}));
    return 0;
}

int remove_owner(const std::string& table, const std::string& owner) {
    auto json = list_table(table);
    if (json.is_null()) return 0; // no table: nothing of anyone's is left
    std::string commands;
    for (const auto& item : json.value("nftables", nlohmann::json::array())) {
        if (!item.contains("rule")) continue;
        const auto& rule = item["rule"];
        if (rule.value("comment", "") != owner) continue;
        commands += "delete rule ip " + table + " " + rule.value("chain", "") + " handle " +
                    std::to_string(rule.value("handle", 0L)) + "\n";
    }
    if (commands.empty()) return 0;
    run_script(commands); // every rule of the owner in one transaction
    return 0;
}

// The caller holds kubik's network lock (/run/kubik/network.lock): nothing
// adds rules between the listing and the delete.
int remove_table_if_empty(const std::string& table) {
    auto json = list_table(table);
    if (json.is_null()) return 0;
    for (const auto& item : json.value("nftables", nlohmann::json::array()))
        if (item.contains("rule")) return 0;
    Context ctx;
    ctx.run_or_throw("delete table ip " + table);
    return 0;
}

int list(const std::vector<std::string>& tables) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& table : tables) {
        auto json = list_table(table);
        if (json.is_null()) {
            if (tables.size() == 1) throw Failure("Error: No such file or directory: table ip " + table);
            continue; // deleted since we listed the names
        }
        for (auto& item : json["nftables"]) all.push_back(std::move(item));
    }
    std::cout << nlohmann::json{{"nftables", all}}.dump() << "\n";
    return 0;
}

int usage() {
    std::fputs("usage: kubik-nft apply < SCRIPT\n"
               "       kubik-nft remove-owner TABLE OWNER\n"
               "       kubik-nft remove-table-if-empty TABLE\n"
               "       kubik-nft list [TABLE]\n",
               stderr);
    return 2;
}

int run(const std::vector<std::string>& args) {
    if (args.empty()) return usage();
    const std::string& cmd = args[0];
    if (cmd == "apply" && args.size() == 1) return apply();
    if (cmd == "remove-owner" && args.size() == 3) return remove_owner(checked_table(args[1]), args[2]);
    if (cmd == "remove-table-if-empty" && args.size() == 2) return remove_table_if_empty(checked_table(args[1]));
    if (cmd == "list" && args.size() == 2) return list({checked_table(args[1])});
    if (cmd == "list" && args.size() == 1) {
        std::vector<std::string> tables;
        for (const auto& name : table_names())
            if (is_kubik_table(name)) tables.push_back(name);
        return list(tables);
    }
    return usage();
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::string message = e.what();
        while (!message.empty() && message.back() == '\n') message.pop_back();
        std::fprintf(stderr, "%s\n", message.c_str());
        return 1;
    }
}
