// What every kubik-course subcommand shares, and how main() finds the one
// the user chose. Each subcommand lives in its own <name>_command.cpp.
#pragma once

#include "lesson.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace kubik::course {

/// Options given before (or after) the subcommand.
struct GlobalOptions {
    std::filesystem::path source_dir; ///< the course repository: lessons/, exercises/, ...
    /// The student's lesson code the build compiles: the build's
    /// KUBIK_LESSONS_DIR (exercises/, or KUBIK_LESSONS_SOURCE when set).
    std::filesystem::path code_dir;
    std::string language = "en";

    std::filesystem::path lessons_dir() const { return source_dir / "lessons"; }
    /// code_dir as messages show it: "exercises/" inside the course, else the path.
    std::string shown_code_dir() const;
};

/// A registered subcommand: its CLI11 node and what to run when it was chosen.
/// `run` reads the options CLI11 filled in, so call it only after parsing.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

Command add_list_command(CLI::App& parent, const GlobalOptions& global);
Command add_check_command(CLI::App& parent, const GlobalOptions& global);
Command add_status_command(CLI::App& parent, const GlobalOptions& global);
Command add_watch_command(CLI::App& parent, const GlobalOptions& global);
Command add_grade_command(CLI::App& parent, const GlobalOptions& global);
Command add_export_student_command(CLI::App& parent, const GlobalOptions& global);
Command add_report_command(CLI::App& parent, const GlobalOptions& global);

} // namespace kubik::course
