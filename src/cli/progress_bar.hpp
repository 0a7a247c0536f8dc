// A progress line for long work (load, save, import), as docker draws it:
//
//   Loading layer [=========>            ]  12.3MB/45.6MB  8.1MB/s
//
// Drawn on stderr only when stderr is a terminal; a pipe or a file gets
// nothing, so scripts and tests see the same output as before.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace kubik::cli {

/// One updating line on stderr, redrawn at most ten times a second.
class ProgressBar {
public:
    /// A bar labelled `label` ("Loading layer"); drawn only when stderr is
    /// a terminal and `enabled`.
    explicit ProgressBar(std::string label, bool enabled = true);
    /// Ends the line if anything was drawn.
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    /// `done` bytes of `total` (0: unknown, then no bar, only bytes and rate).
    void update(std::uint64_t done, std::uint64_t total);
    /// Draws the final state and ends the line.
    void finish();
    /// Whether anything is drawn at all.
    bool active() const { return active_; }

private:
    void draw(std::uint64_t done, std::uint64_t total);

    std::string label_;
    bool active_ = false;
    bool drawn_ = false;
    std::uint64_t last_done_ = 0, last_total_ = 0;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

} // namespace kubik::cli
