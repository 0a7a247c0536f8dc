// `kubik build`: which stages the target needs, each built in order, and the
// final image written to the store and tagged. See builder.hpp.
#include "build/builder.hpp"

#include "build/build_session.hpp"
#include "core/error.hpp"
#include "dockerfile.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>
#include <set>

namespace kubik::build {

using dockerfile::Instruction;

void BuildSession::fail(int line, const std::string& message) const {
    throw Error(options.dockerfile_name + ":" + std::to_string(line) + ": " + message, kExitGeneric);
}

int BuildSession::stage_index(const std::string& name, int before) const {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    for (int i = 0; i < before && i < static_cast<int>(file.stages.size()); ++i)
        if (!file.stages[static_cast<size_t>(i)].name.empty() && file.stages[static_cast<size_t>(i)].name == lower)
            return i;
    // `--from=0`: a stage by its number.
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
        int index = std::stoi(name);
        if (index < before) return index;
    }
    return -1;
}

namespace {

// The global ARGs: before the first FROM, visible to FROM lines only.
void declare_global_args(BuildSession& s) {
    for (const auto& in : s.file.global_args)
        for (const auto& word : in.args) {
            auto eq = word.find('=');
            if (eq == std::string::npos) {
                s.vars.declare_global(word, std::nullopt);
                continue;
            }
            std::string value = dockerfile::expand_word(
                word.substr(eq + 1), [&](std::string_view n) { return s.vars.global(std::string(n)); },
                s.file.directives.escape);
            s.vars.declare_global(word.substr(0, eq), value);
        }
}

// The stages `target` depends on (FROM a stage, COPY --from a stage), itself
// included: only these are built, as BuildKit skips the rest.
std::set<int> needed_stages(const BuildSession& s, int target) {
    std::set<int> needed;
    std::function<void(int)> visit = [&](int index) {
        if (!needed.insert(index).second) return;
        const auto& stage = s.file.stages[static_cast<size_t>(index)];
        auto global = [&](std::string_view n) { return s.vars.global(std::string(n)); };
        if (!stage.from.args.empty()) {
            int from = s.stage_index(dockerfile::expand_word(stage.from.args[0], global, s.file.directives.escape), index);
            if (from >= 0) visit(from);
        }
        for (const auto& in : stage.instructions)
            if (auto f = in.flag("from"); f && (in.keyword == "COPY" || in.keyword == "ADD")) {
                int from = s.stage_index(dockerfile::expand_word(*f, global, s.file.directives.escape), index);
                if (from >= 0) visit(from);
            }
    };
    visit(target);
    return needed;
}

int target_stage(const BuildSession& s) {
    if (s.file.stages.empty()) throw Error(s.options.dockerfile_name + ": file with no instructions", kExitGeneric);
    if (s.options.target.empty()) return static_cast<int>(s.file.stages.size()) - 1;
    int index = s.stage_index(s.options.target, static_cast<int>(s.file.stages.size()));
    if (index < 0) throw Error("target stage \"" + s.options.target + "\" could not be found", kExitGeneric);
    return index;
}

} // namespace

Image build_image(const dockerfile::Dockerfile& file, const BuildContext& context, const BuildOptions& options,
                  const BuildOutput& output) {
    auto started = std::chrono::steady_clock::now();
    BuildSession s(file, context, options, output);
    declare_global_args(s);
    int target = target_stage(s);
    for (int index : needed_stages(s, target)) build_stage(s, index);

    BuildState final = s.built.at(target);
    if (!options.labels.empty()) {
        ImageConfig config = final.config();
        for (const auto& [k, v] : options.labels) config.labels[k] = v;
        final.set_config(config);
    }
    std::vector<std::pair<std::string, std::string>> blobs;
    for (const auto& l : final.layers) blobs.emplace_back(l.blob_digest, l.media_type);

    const int n = s.next_step++;
    const std::string tag = "#" + std::to_string(n);
    s.say(tag + " exporting to image");
    Image image;
    {
        ImageStore::Lock lock(s.store);
        image = s.store.add_image(final.doc, blobs, options.tags);
    }
    s.say(tag + " writing image " + image.id + " done");
    for (const auto& t : options.tags) s.say(tag + " naming to " + t.str() + " done");
    char took[32];
    std::snprintf(took, sizeof took, "%.1fs",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    s.say(tag + " DONE " + std::string(took));
    auto unused = s.vars.unused_build_args();
    if (!unused.empty()) {
        std::string names;
        for (const auto& u : unused) names += (names.empty() ? "" : " ") + u;
        s.say("[Warning] One or more build-args [" + names + "] were not consumed");
    }
    return image;
}

} // namespace kubik::build
