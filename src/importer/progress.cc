#include "progress.h"

#include <utility>

namespace meridian::importer {

Progress::Progress(std::ostream& out, bool terminal, size_t total, std::string unit)
    : out_(out), terminal_(terminal), total_(total), unit_(std::move(unit)) {}

void Progress::Draw(const std::string& label) {
  constexpr size_t kWidth = 30;
  const size_t filled = total_ == 0 ? kWidth : done_ * kWidth / total_;
  std::string shown = label.size() > 40 ? label.substr(0, 37) + "..." : label;
  out_ << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] " << done_
       << "/" << total_ << " " << unit_ << " " << shown << "\033[K" << std::flush;
  bar_shown_ = true;
}

void Progress::Advance(size_t n, const std::string& label) {
  done_ += n;
  if (terminal_) {
    Draw(label);
    return;
  }
  const size_t decile = total_ == 0 ? 10 : done_ * 10 / total_;
  if (decile > last_decile_ || done_ == total_) {
    last_decile_ = decile;
    out_ << "progress: " << done_ << "/" << total_ << " " << unit_ << " (last: " << label << ")\n"
         << std::flush;
  }
}

void Progress::Message(const std::string& line) {
  if (terminal_ && bar_shown_) out_ << "\r\033[K";
  out_ << line << "\n";
  if (terminal_ && bar_shown_) Draw("");
  out_ << std::flush;
}

void Progress::Finish() {
  if (terminal_ && bar_shown_) out_ << "\n" << std::flush;
  bar_shown_ = false;
}

}  // namespace meridian::importer
