// Reading a student's submission safely: only the files the student owns,
// never through a symbolic link, never anything but a regular file, never
// more than a size limit, never from outside the submission.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubik::course {

/// One submission to grade, as found on the command line.
struct SubmissionSpec {
    std::string student;            ///< its name in reports: the folder's name
    std::filesystem::path path;     ///< the folder (or git repository) holding exercises/
    bool git = false;               ///< read from commit `rev` of a git repository, not from files
    std::string rev = "HEAD";
    std::string problem;            ///< non-empty: nothing can be graded (no exercises/ found)
};

/// Resolves the command line's paths into submissions. A path is one
/// submission when it holds exercises/ (or is a bare git repository, or a
/// repository with `rev` given); a folder holding a single folder that is a
/// submission (an unpacked archive) is that submission; any other folder is
/// a folder of submissions, one per subfolder. `rev` (may be empty) selects
/// a commit to grade instead of the working tree. Throws
/// std::invalid_argument for a path that doesn't exist.
std::vector<SubmissionSpec> find_submissions(const std::vector<std::filesystem::path>& paths, const std::string& rev);

enum class FileState {
    ok,      ///< read; `content` holds it
    missing, ///< not in the submission
    refused, ///< there, but not acceptable; `problem` says why
};

struct SubmittedFile {
    std::filesystem::path relative; ///< relative to exercises/
    FileState state = FileState::missing;
    std::string content;
    std::string problem;
};

struct SubmissionContents {
    std::vector<SubmittedFile> files;   ///< one per owned file, in the same order
    std::vector<std::string> ignored;   ///< other files under exercises/ (not graded), "exercises/..."
    std::string error;                  ///< non-empty: the submission couldn't be read at all
};

struct ReadLimits {
    std::size_t max_file_size = 1 << 20;
    std::size_t max_ignored_listed = 50;
};

/// Reads the owned files (`owned`, relative to exercises/) of a submission.
/// Every file is also checked with source_problem().
SubmissionContents read_submission(const SubmissionSpec& spec, const std::vector<std::filesystem::path>& owned,
                                   const ReadLimits& limits);

/// What is wrong with the content of a student's source file, or nothing.
/// Only C and C++ sources and headers are checked: they must be text (no NUL
/// or control bytes) and must not include files by an absolute path, by a
/// path with "..", or by a macro, nor embed one with `.incbin` — the compiler
/// would read them from outside the submission.
std::optional<std::string> source_problem(const std::filesystem::path& relative, std::string_view content);

} // namespace kubik::course
