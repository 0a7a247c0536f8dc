// The language choice, and kubik-course itself in Russian and English.
#include "i18n.hpp"
#include "subprocess.hpp"

#include <gtest/gtest.h>

namespace kubik::course {
namespace {

const std::optional<std::string> unset;

TEST(Language, CommandLineThenKubikLangThenTheLocale) {
    EXPECT_EQ(choose_language({"list"}, unset, unset, unset, unset, unset), "en");
    EXPECT_EQ(choose_language({"--lang", "ru", "list"}, unset, unset, unset, unset, unset), "ru");
    EXPECT_EQ(choose_language({"list", "--lang=ru"}, std::string("en"), unset, unset, unset, unset), "ru");
    EXPECT_EQ(choose_language({"--lang", "en"}, std::string("ru"), std::string("ru"), unset, unset, unset), "en");
    EXPECT_EQ(choose_language({}, std::string("ru"), unset, unset, unset, std::string("en_US.UTF-8")), "ru");
    EXPECT_EQ(choose_language({}, unset, std::string("ru:en"), std::string("C"), unset, unset), "ru");
    EXPECT_EQ(choose_language({}, unset, unset, std::string("ru_RU.UTF-8"), unset, std::string("C")), "ru");
    EXPECT_EQ(choose_language({}, unset, unset, unset, std::string("ru_RU.UTF-8"), unset), "ru");
    EXPECT_EQ(choose_language({}, unset, unset, unset, unset, std::string("ru_RU.UTF-8")), "ru");
    EXPECT_EQ(choose_language({}, unset, unset, unset, unset, std::string("C.UTF-8")), "en");
    // After "--" nothing is an option.
    EXPECT_EQ(choose_language({"--", "--lang", "ru"}, unset, unset, unset, unset, unset), "en");
}

// kubik-course run as the student runs it, with a clean locale environment
// (a root shell on Debian: LANG unset or C).
ProcessResult course(std::vector<std::string> args, std::vector<std::string> environment = {}) {
    ProcessOptions options;
    options.argv = {KUBIK_COURSE_BIN, "--source-dir", KUBIK_COURSE_SOURCE_DIR};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.environment = {"LANGUAGE=", "LC_ALL=C", "LC_MESSAGES=", "LANG=C", "KUBIK_LANG="};
    options.environment.insert(options.environment.end(), environment.begin(), environment.end());
    return run_process(options);
}

TEST(Messages, EnglishIsTheDefault) {
    const auto list = course({"list"});
    ASSERT_TRUE(list.succeeded()) << list.output;
    EXPECT_NE(list.output.find(" points)"), std::string::npos) << list.output;
    const auto help = course({"--help"});
    EXPECT_NE(help.output.find("Subcommands:"), std::string::npos) << help.output;
    EXPECT_NE(help.output.find("Run the lessons' checks in order"), std::string::npos) << help.output;
}

TEST(Messages, LangRuPrintsRussian) {
    const auto list = course({"--lang", "ru", "list"});
    ASSERT_TRUE(list.succeeded()) << list.output;
    EXPECT_EQ(list.output.find(" points)"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find(" баллов)"), std::string::npos) << list.output;
    const auto help = course({"--lang=ru", "--help"});
    EXPECT_NE(help.output.find("Подкоманды:"), std::string::npos) << help.output;
    EXPECT_EQ(help.output.find("Run the lessons' checks in order"), std::string::npos) << help.output;
    const auto check_help = course({"check", "--help", "--lang", "ru"});
    EXPECT_NE(check_help.output.find("Использование:"), std::string::npos) << check_help.output;
}

TEST(Messages, KubikLangAndTheLocaleChooseRussianToo) {
    EXPECT_NE(course({"list"}, {"KUBIK_LANG=ru"}).output.find(" баллов)"), std::string::npos);
    EXPECT_NE(course({"list"}, {"LC_ALL=", "LANG=ru_RU.UTF-8"}).output.find(" баллов)"), std::string::npos);
    // The command line wins over the environment.
    EXPECT_NE(course({"--lang", "en", "list"}, {"KUBIK_LANG=ru"}).output.find(" points)"), std::string::npos);
}

} // namespace
} // namespace kubik::course
