// Lesson 7's parsing tests (split_test, command_form_test, expand_test,
// parser_test): the student's reading functions called directly, in the
// test process, and the parser that src/ builds on them. No kubik binary,
// no state root: text in, values out.
#pragma once

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "dockerfile.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace kubik::test::parse7 {

namespace df = kubik::dockerfile;

/// The stub's message when one of the reading functions is not written
/// yet, "" when all are.
inline std::string stub_message() {
    const std::function<void()> calls[] = {
        [] { (void)df::split_instructions("FROM scratch\n", '\\'); },
        [] { (void)df::parse_command_form("true"); },
        [] { (void)df::command_argv({}, {"/bin/sh", "-c"}); },
        [] { (void)df::expand_word("x", [](std::string_view) { return std::nullopt; }, '\\'); },
    };
    for (const auto& call : calls) {
        try {
            call();
        } catch (const kubik::NotImplemented& e) {
            return e.what();
        } catch (const std::exception&) {
            // Written, if wrongly: the checks say what is wrong.
        }
    }
    return "";
}

/// Fails each test in words while lesson 7's reading functions are stubs.
class ParseFunctions : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string stub = stub_message();
        if (!stub.empty()) FAIL() << "lesson 7 (dockerfile) is not implemented yet, so its tests can't pass: " << stub;
    }
};

/// The message of the kubik::Error `call` throws; "" when it throws none,
/// and a note when it throws something else.
inline std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const kubik::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not a kubik::Error: ") + e.what();
    }
    return "";
}

/// A lookup over a fixed map (a name not in it is unset).
inline df::VariableLookup vars(std::map<std::string, std::string> values) {
    return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        const auto it = values.find(std::string(name));
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

} // namespace kubik::test::parse7
