// One stage of a build: its FROM, then each instruction in turn, each either
// served from the layer cache or run (RUN in a container, COPY/ADD into an
// overlay of the stage so far, the rest as changes to the config).
//
// Every step has a cache key (step_cache_key: the key before it, its
// instruction as history shows it with the variables expanded, the build args
// in scope, and for COPY/ADD the digest of what it copies). A key found in
// ROOT/build-cache gives the state the step left last time, layers and
// config, "created" times included: a rebuild with nothing changed makes the
// very same image ID, and runs nothing.
#include "build/build_session.hpp"

#include "build/add_source.hpp"
#include "build/copy_step.hpp"
#include "build/instruction_config.hpp"
#include "build/run_step.hpp"
#include "build/step_mount.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/not_implemented.hpp"
#include "dockerfile.hpp"


#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace kubik::build {

namespace fs = std::filesystem;
using dockerfile::Instruction;
using nlohmann::json;

namespace {

const std::vector<std::string> kDefaultShell = {"/bin/sh", "-c"};
const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string join(const std::vector<std::string>& words, const std::string& sep = " ") {
    std::string out;
    for (size_t i = 0; i < words.size(); ++i) out += (i ? sep : "") + words[i];
    return out;
}

std::string seconds(std::chrono::steady_clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", std::chrono::duration<double>(d).count());
    return buf;
}

// The flags as written, for history lines and cache keys ("--chown=1:1 ").
std::string flags_text(const Instruction& in, const std::vector<std::string>& skip = {}) {
    std::string out;
    for (const auto& f : in.flags) {
        if (std::find(skip.begin(), skip.end(), f.name) != skip.end()) continue;
        out += "--" + f.name + (f.value.empty() ? "" : "=" + f.value) + " ";
    }
    return out;
}

// A directory `path` (absolute) is in the image: looked for from the top layer
// down; the first layer that has the name (a directory, a file, a whiteout)
// decides.
bool dir_in_layers(const BuildState& state, const std::string& path) {
    std::string rel = path.substr(path.find_first_not_of('/') == std::string::npos ? path.size()
                                                                                   : path.find_first_not_of('/'));
    if (rel.empty()) return true;
    for (auto it = state.layers.rbegin(); it != state.layers.rend(); ++it) {
        struct stat st{};
        if (::lstat((it->layer.dir / rel).c_str(), &st) == 0) return S_ISDIR(st.st_mode);
    }
    return false;
}

class StageBuilder {
public:
    StageBuilder(BuildSession& s, int index) : s_(s), stage_(s.file.stages[static_cast<size_t>(index)]) {}

    void run() {
        s_.vars.start_stage();
        from();
        // Steps as BuildKit counts them in "[2/5]": FROM is 1.
        total_ = 1 + static_cast<int>(stage_.instructions.size()) + static_cast<int>(triggers_.size());
        done_ = 1;
        for (const auto& in : triggers_) step(in);
        for (const auto& in : stage_.instructions) step(in);
        s_.built[stage_.index] = state_;
    }

private:
    // --- variables ----------------------------------------------------------

    dockerfile::VariableLookup lookup() const {
        return [this](std::string_view name) {
            return s_.vars.lookup(std::string(name), state_.config().env);
        };
    }
    std::string expand(const std::string& word) const {
        return dockerfile::expand_word(word, lookup(), s_.file.directives.escape);
    }
    std::vector<std::string> expand_all(const std::vector<std::string>& words) const {
        std::vector<std::string> out;
        for (const auto& w : words) out.push_back(expand(w));
        return out;
    }
    std::vector<std::string> shell() const {
        auto sh = state_.config().shell;
        return sh.empty() ? kDefaultShell : sh;
    }

    // --- progress -----------------------------------------------------------

    std::string label() const {
        std::string name = s_.file.stages.size() > 1
                               ? (stage_.name.empty() ? "stage-" + std::to_string(stage_.index) : stage_.name) + " "
                               : "";
        return "[" + name + std::to_string(done_) + "/" + std::to_string(total_) + "]";
    }

    // --- FROM ---------------------------------------------------------------

    void from() {
        const Instruction& in = stage_.from;
        if (in.args.empty()) s_.fail(in.line, "FROM requires an argument");
        // FROM lines see the global ARGs only.
        std::string base = dockerfile::expand_word(
            in.args[0], [this](std::string_view n) { return s_.vars.global(std::string(n)); },
            s_.file.directives.escape);
        int number = s_.next_step++;
        s_.say("#" + std::to_string(number) + " [" +
               (s_.file.stages.size() > 1
                    ? (stage_.name.empty() ? "stage-" + std::to_string(stage_.index) : stage_.name) + " "
                    : "") +
               "1/" + std::to_string(1 + stage_.instructions.size()) + "] FROM " + base);
        try {
            int from_stage = s_.stage_index(base, stage_.index);
            if (from_stage >= 0) {
                state_ = s_.built.at(from_stage);
            } else if (base == "scratch") {
                state_ = BuildState::scratch();
            } else {
                Image image = s_.store.find(base);
                state_ = BuildState::from_image(s_.store, image);
                // ONBUILD triggers of the base run first, as if written here.
                auto cfg = image.config_doc.find("config");
                if (cfg != image.config_doc.end() && cfg->contains("OnBuild") && (*cfg)["OnBuild"].is_array())
                    for (const auto& trigger : (*cfg)["OnBuild"]) add_trigger(trigger.get<std::string>(), in.line);
            }
        } catch (const Error& e) {
            s_.fail(in.line, e.what());
        }
        s_.say("#" + std::to_string(number) + " DONE 0.0s");
    }

    void add_trigger(const std::string& text, int line) {
        dockerfile::Dockerfile parsed = dockerfile::parse_dockerfile("FROM scratch\n" + text, "ONBUILD");
        if (parsed.stages.empty()) return;
        for (auto in : parsed.stages[0].instructions) {
            in.line = line;
            triggers_.push_back(std::move(in));
        }
    }

    // --- one step -----------------------------------------------------------

    void step(const Instruction& in) {
        ++done_;
        if (in.keyword == "ARG") {
            // Scope only: nothing changes in the image, so no step.
            for (const auto& word : in.args) {
                auto eq = word.find('=');
                if (eq == std::string::npos) s_.vars.declare(word, std::nullopt);
                else s_.vars.declare(word.substr(0, eq), expand(word.substr(eq + 1)));
            }
            return;
        }
        const int number = s_.next_step++;
        const std::string n = "#" + std::to_string(number);
        s_.say(n + " " + label() + " " + in.original);
        auto started = std::chrono::steady_clock::now();
        bool cached = false;
        try {
            cached = dispatch(in, n);
        } catch (const NotImplemented&) {
            throw;
        } catch (const Error& e) {
            std::string what = e.what();
            if (what.rfind(file_name() + ":", 0) == 0) throw;
            s_.fail(in.line, what);
        }
        s_.say(n + (cached ? " CACHED" : " DONE " + seconds(std::chrono::steady_clock::now() - started)));
    }

    const std::string& file_name() const { return s_.options.dockerfile_name; }

    // The cache: the key of a step from its inputs; on a hit the state is
    // replaced by the cached one.
    std::string key_of(const std::string& instruction, const std::string& sources = "") const {
        dockerfile::StepKeyInput input;
        input.parent = state_.key;
        input.instruction = instruction;
        input.build_args = s_.vars.stage_args();
        input.sources_digest = sources;
        return dockerfile::step_cache_key(input);
    }
    bool from_cache(const std::string& key) {
        if (s_.options.no_cache) return false;
        auto hit = s_.cache.find(s_.store, key);
        if (!hit) return false;
        state_ = std::move(*hit);
        return true;
    }
    void finish(const std::string& key) {
        state_.key = key;
        s_.cache.put(key, state_);
    }

    // A config-only step: `change` edits the config; history says `created_by`.
    template <class Change>
    bool config_step(const std::string& created_by, Change&& change) {
        std::string key = key_of(created_by);
        if (from_cache(key)) return true;
        ImageConfig config = state_.config();
        change(config);
        state_.set_config(config);
        add_empty_step(state_, created_by);
        finish(key);
        return false;
    }

    // Returns whether the step came from the cache.
    bool dispatch(const Instruction& in, const std::string& n) {
        const std::string& k = in.keyword;
        if (k == "RUN") return run(in, n);
        if (k == "COPY" || k == "ADD") return copy(in);
        if (k == "WORKDIR") return workdir(in);
        if (k == "ENV") {
            auto pairs = expand_all(in.args);
            std::string text;
            for (size_t i = 0; i + 1 < pairs.size(); i += 2) text += (i ? " " : "") + pairs[i] + "=" + pairs[i + 1];
            return config_step("ENV " + text, [&](ImageConfig& c) { apply_env(c, pairs); });
        }
        if (k == "LABEL") {
            auto pairs = expand_all(in.args);
            std::string text;
            for (size_t i = 0; i + 1 < pairs.size(); i += 2) text += (i ? " " : "") + pairs[i] + "=" + pairs[i + 1];
            return config_step("LABEL " + text, [&](ImageConfig& c) { apply_labels(c, pairs); });
        }
        if (k == "EXPOSE") {
            auto words = expand_all(in.args);
            ImageConfig probe;
            apply_expose(probe, words); // checks the words before any cache lookup
            std::string text;
            for (const auto& p : probe.exposed_ports) text += (text.empty() ? "" : " ") + p + ":{}";
            return config_step("EXPOSE map[" + text + "]", [&](ImageConfig& c) { apply_expose(c, words); });
        }
        if (k == "VOLUME") {
            auto paths = expand_all(in.args);
            return config_step("VOLUME [" + join(paths) + "]", [&](ImageConfig& c) { apply_volumes(c, paths); });
        }
        if (k == "USER") {
            std::string user = in.args.empty() ? "" : expand(in.args[0]);
            if (user.empty()) s_.fail(in.line, "USER requires an argument");
            return config_step("USER " + user, [&](ImageConfig& c) { c.user = user; });
        }
        if (k == "STOPSIGNAL") {
            std::string sig = in.args.empty() ? "" : expand(in.args[0]);
            if (sig.empty()) s_.fail(in.line, "STOPSIGNAL requires an argument");
            return config_step("STOPSIGNAL " + sig, [&](ImageConfig& c) { c.stop_signal = sig; });
        }
        if (k == "MAINTAINER") {
            std::string who = in.args.empty() ? "" : in.args[0];
            std::string key = key_of("MAINTAINER " + who);
            if (from_cache(key)) return true;
            state_.doc["author"] = who;
            add_empty_step(state_, "MAINTAINER " + who);
            finish(key);
            return false;
        }
        if (k == "CMD") {
            auto argv = dockerfile::command_argv(in.command, shell());
            cmd_set_ = true;
            return config_step("CMD " + history_argv(argv), [&](ImageConfig& c) { c.cmd = argv; });
        }
        if (k == "ENTRYPOINT") {
            auto argv = dockerfile::command_argv(in.command, shell());
            // Docker: a new ENTRYPOINT drops a CMD inherited from the base
            // image (it was written for the old entrypoint), not one set in
            // this stage before it.
            bool reset = !cmd_set_;
            return config_step("ENTRYPOINT " + history_argv(argv), [&](ImageConfig& c) {
                c.entrypoint = argv;
                if (reset) c.cmd.clear();
            });
        }
        if (k == "SHELL") {
            if (in.args.empty()) s_.fail(in.line, "SHELL requires at least one argument");
            return config_step("SHELL " + history_argv(in.args), [&](ImageConfig& c) { c.shell = in.args; });
        }
        if (k == "HEALTHCHECK") {
            auto check = parse_healthcheck(in);
            return config_step("HEALTHCHECK " + flags_text(in) + history_argv(check.test),
                               [&](ImageConfig& c) { c.healthcheck = check; });
        }
        if (k == "ONBUILD") {
            std::string text = in.args.empty() ? "" : in.args[0];
            return config_step("ONBUILD " + text, [&](ImageConfig& c) { c.on_build.push_back(text); });
        }
        s_.fail(in.line, "unknown instruction: " + k);
    }

    // --- RUN ----------------------------------------------------------------

    // A `RUN <<EOF` script that starts with "#!": BuildKit runs it with that
    // interpreter, not the shell. The interpreter reads the script on its
    // stdin (sh, bash, python3, perl all do with no script argument); the
    // "#!" line's words are its argv, as the kernel splits them (one
    // optional argument).
    std::optional<std::string> shebang_script(const Instruction& in, std::vector<std::string>& argv) const {
        if (in.command.exec_form || in.heredocs.size() != 1) return std::nullopt;
        const auto& body = in.heredocs[0].body;
        std::string text = in.command.words.empty() ? "" : in.command.words[0];
        text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '"' || c == '\''; }), text.end());
        if ((text != "<<" + in.heredocs[0].name && text != "<<-" + in.heredocs[0].name) || body.rfind("#!", 0) != 0)
            return std::nullopt;
        std::string line = body.substr(2, body.find('\n') - 2);
        line.erase(0, line.find_first_not_of(" \t"));
        auto space = line.find_first_of(" \t");
        argv = {line.substr(0, space)};
        if (space != std::string::npos) {
            std::string arg = line.substr(space + 1);
            arg.erase(0, arg.find_first_not_of(" \t"));
            arg.erase(arg.find_last_not_of(" \t") + 1);
            if (!arg.empty()) argv.push_back(arg);
        }
        return body;
    }

    std::vector<std::string> run_argv(const Instruction& in) const {
        if (in.command.exec_form || in.heredocs.empty()) return dockerfile::command_argv(in.command, shell());
        std::string text = in.command.words.empty() ? "" : in.command.words[0];
        // `RUN <<EOF` alone: the body is the script (BuildKit runs it with
        // the shell). Otherwise the shell reads the heredocs itself, so the
        // bodies follow the line as they stood in the file.
        std::string trimmed = text;
        trimmed.erase(std::remove_if(trimmed.begin(), trimmed.end(), [](char c) { return c == '"' || c == '\''; }),
                      trimmed.end());
        if (in.heredocs.size() == 1 &&
            (trimmed == "<<" + in.heredocs[0].name || trimmed == "<<-" + in.heredocs[0].name)) {
            auto argv = shell();
            argv.push_back(in.heredocs[0].body);
            return argv;
        }
        for (const auto& h : in.heredocs) text += "\n" + h.body + h.name;
        auto argv = shell();
        argv.push_back(text + "\n");
        return argv;
    }

    std::vector<ContainerMount> run_mounts(const Instruction& in) const {
        std::vector<ContainerMount> mounts;
        for (const auto& flag : in.flags) {
            if (flag.name != "mount") continue;
            std::map<std::string, std::string> kv;
            std::stringstream ss(flag.value);
            std::string item;
            while (std::getline(ss, item, ',')) {
                auto eq = item.find('=');
                kv[item.substr(0, eq)] = eq == std::string::npos ? "true" : item.substr(eq + 1);
            }
            std::string type = kv.count("type") ? kv["type"] : "bind";
            std::string target = kv.count("target") ? kv["target"] : kv.count("dst") ? kv["dst"] : kv["destination"];
            if (target.empty()) throw Error("--mount " + flag.value + ": target is required", 1);
            if (target.front() != '/') target = resolve_workdir(state_.config().working_dir, target);
            ContainerMount m;
            m.mount.type = volumes::MountType::Bind;
            m.mount.target = target;
            if (type == "cache") {
                std::string id = kv.count("id") ? kv["id"] : target;
                m.host_path = s_.cache.mount_dir(id);
                fs::create_directories(m.host_path);
                m.mount.readonly = kv.count("ro") || kv.count("readonly");
            } else if (type == "bind") {
                if (kv.count("from")) throw Error("--mount type=bind,from=… is not supported by kubik yet", 1);
                if (kv.count("rw") || kv.count("readwrite"))
                    throw Error("--mount type=bind,rw is not supported by kubik (writes would reach the build context)", 1);
                // Inside the context, however the source is spelled.
                auto sources = s_.context.resolve(kv.count("source") ? kv["source"] : kv.count("src") ? kv["src"] : ".");
                if (sources.size() != 1) throw Error("--mount type=bind: the source must name one path", 1);
                m.host_path = fs::canonical(sources[0].path);
                m.mount.readonly = true;
            } else if (type == "tmpfs") {
                m.mount.type = volumes::MountType::Tmpfs;
            } else {
                throw Error("--mount type=" + type + " is not supported by kubik (bind, cache, tmpfs are)", 1);
            }
            m.mount.source = m.host_path.string();
            mounts.push_back(std::move(m));
        }
        return mounts;
    }

    bool run(const Instruction& in, const std::string& n) {
        std::vector<std::string> argv;
        std::optional<std::string> script = shebang_script(in, argv);
        if (!script) argv = run_argv(in);
        auto args = s_.vars.stage_args();
        std::string created_by = "RUN " + (args.empty() ? "" : "|" + std::to_string(args.size()) + " " + join(args) + " ") +
                                 join(argv) + " # buildkit";
        std::string network = in.flag("network").value_or(s_.options.network);
        // The user is in the key through the USER step before; network and
        // mounts are not in history, so they go in here.
        std::string key = key_of(created_by + "\n" + flags_text(in, {"network"}) + "network=" + network +
                                 (script ? "\nscript:\n" + *script : ""));
        if (from_cache(key)) return true;

        ImageConfig config = state_.config();
        RunStep step;
        step.argv = argv;
        // ENV wins over ARG; both are the command's environment.
        step.env = config.env;
        for (const auto& arg : args) {
            std::string name = arg.substr(0, arg.find('=') + 1);
            if (std::none_of(config.env.begin(), config.env.end(),
                             [&](const std::string& e) { return e.rfind(name, 0) == 0; }))
                step.env.push_back(arg);
        }
        if (std::none_of(step.env.begin(), step.env.end(), [](const std::string& e) { return e.rfind("PATH=", 0) == 0; }))
            step.env.insert(step.env.begin(), kDefaultPath);
        step.working_dir = config.working_dir.empty() ? "/" : config.working_dir;
        step.user = config.user;
        step.network = network;
        step.cgroup_parent = s_.options.cgroup_parent;
        step.mounts = run_mounts(in);
        step.stdin_data = script;
        if (!s_.options.quiet) step.on_output = [this, n](const std::string& line) { s_.say(n + " " + line); };

        auto result = run_step(s_.options.root, state_, step, [&](const fs::path& upper) {
            // The runtime made the mount points the image lacked; BuildKit
            // leaves them out of the layer, and so does kubik (when empty:
            // the mount hid anything written there).
            for (const auto& m : step.mounts)
                if (!dir_in_layers(state_, m.mount.target)) ::rmdir((upper / m.mount.target.substr(1)).c_str());
            add_layer_step(s_.store, state_, upper, created_by);
        });
        if (result.exit_code != 0) {
            // The output is part of the error: with -q nothing else shows it.
            std::string message;
            if (s_.options.quiet && !result.output.empty()) message = result.output + (result.output.back() == '\n' ? "" : "\n");
            s_.fail(in.line, "process \"" + join(argv) + "\" did not complete successfully: exit code: " +
                                 std::to_string(result.exit_code) + (message.empty() ? "" : "\n" + message));
        }
        finish(key);
        return false;
    }

    // --- WORKDIR ------------------------------------------------------------

    bool workdir(const Instruction& in) {
        if (in.args.empty()) s_.fail(in.line, "WORKDIR requires exactly one argument");
        std::string dir = resolve_workdir(state_.config().working_dir, expand(in.args[0]));
        std::string created_by = "WORKDIR " + dir;
        std::string key = key_of(created_by);
        if (from_cache(key)) return true;
        ImageConfig config = state_.config();
        config.working_dir = dir;
        state_.set_config(config);
        if (dir_in_layers(state_, dir)) {
            add_empty_step(state_, created_by);
        } else {
            // Docker makes the directory (root, 0755) as the step's layer.
            // Made through the image's root, so that a symlink on the way
            // ("/var/run -> /run") is followed inside the image and stays a
            // symlink, instead of being shadowed by a new directory.
            StepRoot root(s_.store, state_.store_layers());
            if (!make_directories_in_root(root.fd(), dir)) {
                add_empty_step(state_, created_by);
            } else {
                root.unmount();
                add_layer_step(s_.store, state_, root.upper(), created_by);
            }
        }
        finish(key);
        return false;
    }

    // --- COPY / ADD ---------------------------------------------------------

    std::string dest_path(const std::string& dest) const {
        if (!dest.empty() && dest.front() == '/') return dest;
        std::string wd = state_.config().working_dir.empty() ? "/" : state_.config().working_dir;
        bool slash = dest.empty() || dest.back() == '/' || dest == "." || dest.ends_with("/.");
        std::string out = resolve_workdir(wd, dest);
        return slash && out != "/" ? out + "/" : out;
    }

    bool copy(const Instruction& in) {
        if (in.args.size() < 2) s_.fail(in.line, in.keyword + " requires at least two arguments");
        auto words = expand_all(in.args);
        std::string dest = dest_path(words.back());
        words.pop_back();
        const bool add = in.keyword == "ADD";

        dockerfile::CopyOptions options;
        if (auto chmod = in.flag("chmod")) options.mode = parse_chmod(expand(*chmod));
        std::string chown = in.flag("chown") ? expand(*in.flag("chown")) : "";

        // Where the sources come from, and what of them the cache key covers.
        std::string created_by = in.keyword + " " + flags_text(in, {"from"}) + join(words) + " " + dest + " # buildkit";
        std::vector<ContextSource> context_sources;
        std::vector<const dockerfile::Heredoc*> heredocs;
        std::string digest;
        std::optional<BuildState> from_state;
        if (auto from = in.flag("from")) {
            std::string name = dockerfile::expand_word(
                *from, [this](std::string_view v) { return s_.vars.global(std::string(v)); }, s_.file.directives.escape);
            int index = s_.stage_index(name, stage_.index);
            if (index >= 0) from_state = s_.built.at(index);
            else from_state = BuildState::from_image(s_.store, s_.store.find(name));
            digest = "from:" + from_state->key;
            created_by = in.keyword + " --from=" + name + " " + flags_text(in, {"from"}) + join(words) + " " + dest +
                         " # buildkit";
        } else {
            std::vector<ContextSource> all;
            for (const auto& word : words) {
                if (word.rfind("<<", 0) == 0) {
                    std::string name = word.substr(2);
                    for (const auto& h : in.heredocs)
                        if (h.name == name) heredocs.push_back(&h);
                    continue;
                }
                if (add) refuse_url(word);
                auto found = s_.context.resolve(word);
                all.insert(all.end(), found.begin(), found.end());
            }
            context_sources = all;
            digest = context_sources.empty() ? "" : s_.context.sources_digest(context_sources);
            for (const auto* h : heredocs) digest += "\nheredoc " + h->name + "\n" + h->body;
        }
        std::string key = key_of(created_by, digest);
        if (from_cache(key)) return true;

        StepRoot root(s_.store, state_.store_layers());
        if (!chown.empty()) std::tie(options.uid, options.gid) = resolve_chown(root.fd(), chown);
        if (from_state) {
            // The other stage's root, seen as a context whose symlinks are
            // its own: resolved inside it, with COPY's usual rules.
            StepRoot source(s_.store, from_state->store_layers());
            BuildContext image_root = BuildContext::from_image_root(source.merged());
            std::vector<ContextSource> sources;
            for (const auto& word : words) {
                auto found = image_root.resolve(word);
                sources.insert(sources.end(), found.begin(), found.end());
            }
            copy_sources(image_root, sources, root.fd(), dest, options);
        } else {
            std::vector<ContextSource> plain;
            for (const auto& src : context_sources) {
                struct stat st{};
                if (add && ::lstat(src.path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && is_archive(src.path)) {
                    std::string into = dest;
                    while (into.size() > 1 && into.back() == '/') into.pop_back();
                    extract_archive(src.path, root.fd(), into);
                    continue;
                }
                plain.push_back(src);
            }
            if (!plain.empty()) {
                if (plain.size() + heredocs.size() > 1 && dest.back() != '/')
                    throw Error("When using COPY with more than one source file, the destination must be a directory "
                                "and end with a /", 1);
                copy_sources(s_.context, plain, root.fd(), dest, options);
            }
            if (!heredocs.empty()) {
                fs::path tmp = s_.store.temp_path("heredoc");
                struct Remove {
                    fs::path p;
                    ~Remove() { remove_tree_quietly(p); }
                } remove{tmp};
                fs::create_directories(tmp);
                std::vector<fs::path> files;
                for (const auto* h : heredocs) {
                    fs::path file = tmp / h->name;
                    write_file(file, h->body);
                    ::chmod(file.c_str(), 0644);
                    files.push_back(file);
                }
                if (files.size() + plain.size() > 1 && dest.back() != '/')
                    throw Error("When using COPY with more than one source file, the destination must be a directory "
                                "and end with a /", 1);
                copy_host_paths(files, root.fd(), dest, options);
            }
        }
        root.unmount();
        add_layer_step(s_.store, state_, root.upper(), created_by);
        finish(key);
        return false;
    }

    BuildSession& s_;
    const dockerfile::Stage& stage_;
    BuildState state_;
    std::vector<Instruction> triggers_;
    bool cmd_set_ = false;
    int total_ = 1, done_ = 1;
};

} // namespace

void build_stage(BuildSession& session, int index) { StageBuilder(session, index).run(); }

} // namespace kubik::build
