// Grading: each submission's student-owned files go into a pristine copy of
// the instructor's course, which is built (student track) and whose lesson
// programs run with a time limit; scoring.hpp turns the results into points.
#pragma once

#include "lesson.hpp"
#include "scoring.hpp"
#include "submission.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kubik::course {

struct FileProblem {
    std::string file;    ///< "exercises/01-chroot/rootfs.cpp"
    std::string problem; ///< "is missing; the starter version was used"
};

struct SubmissionGrade {
    std::string student;
    std::string source;                  ///< the folder (and commit) graded
    std::string error;                   ///< non-empty: nothing could be graded
    std::vector<FileProblem> problems;   ///< files missing or refused (the starter version was used)
    std::vector<std::string> ignored;    ///< files under exercises/ that are not the student's to write
    std::size_t files_owned = 0;         ///< files the student writes
    std::size_t files_changed = 0;       ///< of those, how many differ from the starter code
    bool built = false;
    std::string build_log;               ///< the build's output, paths relative to the course
    std::vector<GradedLesson> lessons;
    double points = 0;
    int max_points = 0;
    double seconds = 0;
};

struct GradeOptions {
    std::filesystem::path course;       ///< the instructor's course: src/, tests/, lessons/, solutions/
    std::filesystem::path work_dir;     ///< where copies are built; empty: a new temporary folder
    bool keep_work = false;             ///< leave the work folder for inspection
    std::chrono::seconds timeout{300};  ///< per lesson's test program
    std::chrono::seconds build_timeout{1800};
    int jobs = 0;                       ///< build parallelism; 0: the number of CPUs
    std::string build_type = "Release"; ///< CMAKE_BUILD_TYPE of the copies
    ReadLimits limits;
    Language language = Language::en;
    std::function<void(const std::string&)> progress; ///< a line of progress (to stderr), or nothing
};

struct GradeSummary {
    std::vector<SubmissionGrade> submissions;
    std::vector<std::string> warnings; ///< for the instructor: course problems, leftovers
    bool interrupted = false;
    std::vector<Lesson> lessons;
};

/// Grades the submissions one after another. The course is copied and built
/// once (with the starter code); each submission then starts from a copy of
/// that build, so only what the student changed is compiled. Needs root, like
/// the lessons' checks. Throws std::runtime_error when the course itself is
/// unusable (no lessons, marker errors, cmake missing).
GradeSummary grade_submissions(const std::vector<SubmissionSpec>& submissions, const GradeOptions& options);

/// The compiler's complaints from a build log: the lines around each
/// "error:" (or the end of the log when there is none), at most `max_lines`.
std::string compiler_errors(const std::string& build_log, std::size_t max_lines = 40);

} // namespace kubik::course
