#include "cli/progress_bar.hpp"

#include "cli/units.hpp"

#include <unistd.h>

#include <algorithm>

namespace kubik::cli {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), active_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
    if (drawn_) (void)!::write(STDERR_FILENO, "\n", 1);
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
    if (!active_) return;
    last_done_ = done;
    last_total_ = total;
    // Each redraw is a write(2) to a terminal; a layer read in 64 KiB
    // blocks would otherwise cost thousands of them.
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(done, total);
}

void ProgressBar::finish() {
    if (!active_) return;
    if (drawn_) draw(last_total_ ? last_total_ : last_done_, last_total_);
    if (drawn_) (void)!::write(STDERR_FILENO, "\n", 1);
    drawn_ = false;
    active_ = false;
}

void ProgressBar::draw(std::uint64_t done, std::uint64_t total) {
    std::string line = "\r" + label_ + " ";
    if (total > 0) {
        constexpr int width = 50;
        int filled = static_cast<int>(width * std::min<double>(1.0, static_cast<double>(done) / static_cast<double>(total)));
        std::string bar(static_cast<size_t>(width), ' ');
        std::fill_n(bar.begin(), filled, '=');
        if (filled < width) bar[static_cast<size_t>(filled)] = '>';
        line += "[" + bar + "]  " + human_size(static_cast<double>(done)) + "/" + human_size(static_cast<double>(total));
    } else {
        line += " " + human_size(static_cast<double>(done));
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (seconds > 0.05) line += "  " + human_size(static_cast<double>(done) / seconds) + "/s";
    line += "\x1b[K"; // the rest of a longer line drawn before
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    drawn_ = true;
}

} // namespace kubik::cli
