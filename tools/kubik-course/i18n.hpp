// kubik-course's own messages in the student's language, with GNU gettext.
// Titles and hints come from lessons/*/lesson.json in both languages; every
// other line the tool prints is an English msgid here and a translation in
// po/ru.po, compiled to BUILD/locale/ru/LC_MESSAGES/kubik-course.mo.
#pragma once

#include <libintl.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

/// A translated message (xgettext's keyword `_`).
#define _(text) ::gettext(text)
/// A message translated later, where it is used (xgettext's keyword `N_`).
#define N_(text) text

namespace kubik::course {

/// The gettext domain, and the .mo file's name.
inline constexpr const char* kMessageDomain = "kubik-course";

/// The language of the messages, "en" or "ru", as the student chose it:
/// `--lang X` or `--lang=X` in `args` (argv without argv[0]), else KUBIK_LANG,
/// else the usual LANGUAGE, LC_ALL, LC_MESSAGES and LANG. Anything but
/// Russian is English. The CLI11 app is built after this, because option
/// help texts are made when options are registered.
std::string choose_language(const std::vector<std::string>& args, const std::optional<std::string>& kubik_lang,
                            const std::optional<std::string>& language, const std::optional<std::string>& lc_all,
                            const std::optional<std::string>& lc_messages, const std::optional<std::string>& lang);

/// choose_language() with the process's argv and environment.
std::string choose_language(int argc, char** argv);

/// Makes gettext() answer in `language` ("en" or "ru") from the catalogs
/// under `locale_dir` (LOCALE/ru/LC_MESSAGES/kubik-course.mo).
void init_messages(const std::string& language, const std::filesystem::path& locale_dir);

/// init_messages() sets LANGUAGE for gettext; the programs we start (the
/// compiler, whose "error:" lines we look for, the lessons' checks) get the
/// student's own value back: this puts it into `environment` (NAME=VALUE
/// strings), or takes LANGUAGE out when it was unset. No-op before
/// init_messages().
void restore_language_variable(std::vector<std::string>& environment);

/// printf into a std::string, for translated messages with values in them
/// (a translation may reorder them: "%2$s ... %1$d").
std::string formatted(const char* format, ...) __attribute__((format(printf, 1, 2)));

} // namespace kubik::course
