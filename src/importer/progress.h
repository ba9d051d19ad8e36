// Import progress on stderr: a redrawn bar on a terminal, otherwise a plain
// line at every 10% (and at the end) so that logs stay short.
// Thread-safety: single-threaded.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

namespace meridian::importer {

class Progress {
 public:
  // `unit` names what is counted ("tables", "entities").
  Progress(std::ostream& out, bool terminal, size_t total, std::string unit = "tables");
  // One more item done; `label` names it.
  void Step(const std::string& label) { Advance(1, label); }
  // `n` more items done.
  void Advance(size_t n, const std::string& label);
  // Prints `line` without garbling the bar.
  void Message(const std::string& line);
  // Ends the bar line.
  void Finish();

 private:
  void Draw(const std::string& label);

  std::ostream& out_;
  const bool terminal_;
  const size_t total_;
  const std::string unit_;
  size_t done_ = 0;
  size_t last_decile_ = 0;
  bool bar_shown_ = false;
};

}  // namespace meridian::importer
