#include "cli/empty_values.hpp"

#include <algorithm>

namespace kubik::cli {
namespace {

// Whether `option` takes a value (an option) rather than none (a flag).
bool takes_value(const CLI::Option* option) { return option && option->get_items_expected_max() > 0; }

const CLI::App* subcommand_named(const CLI::App& app, const std::string& name) {
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        if (sub->check_name(name)) return sub;
    return nullptr;
}

} // namespace

std::vector<std::string> split_empty_values(const CLI::App& app, int argc, char** argv) {
    std::vector<std::string> args;
    const CLI::App* current = &app;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string word = argv[i];
        if (word == "--") break;
        if (word.size() > 3 && word.starts_with("--") && word.back() == '=' &&
            takes_value(current->get_option_no_throw(word.substr(0, word.size() - 1)))) {
            args.push_back(word.substr(0, word.size() - 1));
            args.emplace_back();
            continue;
        }
        if (word.size() > 1 && word.front() == '-') {
            args.push_back(word);
            // An option's value is the next word, unless it came with the
            // option ("--name=x", "-ux"): skip it, whatever it looks like.
            const bool attached = word.starts_with("--") ? word.find('=') != std::string::npos : word.size() > 2;
            const std::string name = word.starts_with("--") ? word.substr(0, word.find('=')) : word.substr(0, 2);
            if (!attached && takes_value(current->get_option_no_throw(name)) && i + 1 < argc) args.push_back(argv[++i]);
            continue;
        }
        // A subcommand ("run", "volume create"), or the first positional
        // argument: from there on the words are the command's, or plain values.
        if (const CLI::App* sub = subcommand_named(*current, word)) {
            current = sub;
            args.push_back(word);
            continue;
        }
        break;
    }
    for (; i < argc; ++i) args.emplace_back(argv[i]);
    std::reverse(args.begin(), args.end());
    return args;
}

} // namespace kubik::cli
