#include "i18n.hpp"

#include <clocale>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace kubik::course {

namespace {

std::optional<std::string> environment(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

// "ru", "ru_RU.UTF-8", "ru:en" (LANGUAGE's list): Russian. "C", "en_GB": English.
std::string language_of(const std::string& value) {
    const auto first = value.substr(0, value.find(':'));
    return first.starts_with("ru") ? "ru" : "en";
}

bool g_initialised = false;
std::optional<std::string> g_inherited_language;

} // namespace

std::string choose_language(const std::vector<std::string>& args, const std::optional<std::string>& kubik_lang,
                            const std::optional<std::string>& language, const std::optional<std::string>& lc_all,
                            const std::optional<std::string>& lc_messages, const std::optional<std::string>& lang) {
    // The last --lang wins, as in CLI11; "--" ends the options.
    std::optional<std::string> given;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") break;
        if (args[i] == "--lang" && i + 1 < args.size()) {
            given = args[++i];
        } else if (args[i].starts_with("--lang=")) {
            given = args[i].substr(7);
        }
    }
    if (given) return language_of(*given);
    if (kubik_lang && !kubik_lang->empty()) return language_of(*kubik_lang);
    // glibc's order: LANGUAGE first, then the first of LC_ALL, LC_MESSAGES
    // and LANG that is set.
    for (const auto* value : {&language, &lc_all, &lc_messages, &lang}) {
        if (*value && !(*value)->empty()) return language_of(**value);
    }
    return "en";
}

std::string choose_language(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    return choose_language(args, environment("KUBIK_LANG"), environment("LANGUAGE"), environment("LC_ALL"),
                           environment("LC_MESSAGES"), environment("LANG"));
}

void init_messages(const std::string& language, const std::filesystem::path& locale_dir) {
    g_initialised = true;
    g_inherited_language = environment("LANGUAGE");
    // glibc's gettext ignores LANGUAGE in the "C" locale, which is what a
    // root shell on a fresh Debian often has (no locales generated): C.UTF-8
    // always exists and lets LANGUAGE choose the catalog.
    const char* locale = std::setlocale(LC_ALL, "");
    if (locale == nullptr || std::strcmp(locale, "C") == 0 || std::strcmp(locale, "POSIX") == 0) {
        std::setlocale(LC_ALL, "C.UTF-8");
    }
    // Numbers keep their dots whatever the locale (points "7.5", JSON reports).
    std::setlocale(LC_NUMERIC, "C");
    // The language chosen above wins over the locale's; "en" finds no
    // catalog and so prints the msgids.
    setenv("LANGUAGE", language.c_str(), 1);
    bindtextdomain(kMessageDomain, locale_dir.c_str());
    // Hints and titles from lesson.json are UTF-8; so must our messages be.
    bind_textdomain_codeset(kMessageDomain, "UTF-8");
    textdomain(kMessageDomain);
}

void restore_language_variable(std::vector<std::string>& environment) {
    if (!g_initialised) return;
    std::erase_if(environment, [](const std::string& entry) { return entry.starts_with("LANGUAGE="); });
    if (g_inherited_language) environment.push_back("LANGUAGE=" + *g_inherited_language);
}

std::string formatted(const char* format, ...) {
    va_list args;
    va_start(args, format);
    va_list copy;
    va_copy(copy, args);
    const int size = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    std::string text(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
    if (size > 0) std::vsnprintf(text.data(), text.size() + 1, format, args);
    va_end(args);
    return text;
}

} // namespace kubik::course
