// CSV as Atlas's import templates and search-result downloads use it (RFC 4180).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace meridian::catalog::csv {

// Records of `text`: quoted fields may hold commas, doubled quotes and line
// breaks; fields are trimmed; blank lines are skipped.
std::vector<std::vector<std::string>> Parse(const std::string& text);

// `s` without leading and trailing whitespace.
std::string Trim(const std::string& s);

// The non-empty trimmed items of a '|'-separated list cell.
std::vector<std::string> SplitList(const std::string& value);

// One record, every field quoted; a field starting with = + - or @ (other
// than a plain number such as -2) gets a leading ' so spreadsheets do not
// evaluate it.
std::string Row(const std::vector<std::string>& fields);

}  // namespace meridian::catalog::csv
