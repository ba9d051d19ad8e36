#include "meridian/catalog/csv.h"

#include <cstdlib>

namespace meridian::catalog::csv {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return {};
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

std::vector<std::vector<std::string>> Parse(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field.push_back(ch);
      }
      continue;
    }
    if (ch == '"') {
      quoted = any = true;
    } else if (ch == ',') {
      row.push_back(Trim(field));
      field.clear();
      any = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !Trim(field).empty()) {
        row.push_back(Trim(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field.push_back(ch);
    }
  }
  if (any || !Trim(field).empty()) {
    row.push_back(Trim(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t bar = value.find('|', start);
    if (bar == std::string::npos) bar = value.size();
    std::string item = Trim(value.substr(start, bar - start));
    if (!item.empty()) out.push_back(item);
    start = bar + 1;
  }
  return out;
}

namespace {

// A field a spreadsheet would evaluate: starts with = + - or @ and is not a plain number.
bool Formula(const std::string& f) {
  if (f.empty() || (f[0] != '=' && f[0] != '+' && f[0] != '-' && f[0] != '@')) return false;
  char* end = nullptr;
  std::strtod(f.c_str(), &end);
  return f[0] == '=' || f[0] == '@' || end != f.c_str() + f.size();
}

}  // namespace

std::string Row(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    const std::string& f = fields[i];
    out.push_back('"');
    if (Formula(f)) out.push_back('\'');
    for (char c : f) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.append("\r\n");
  return out;
}

}  // namespace meridian::catalog::csv
