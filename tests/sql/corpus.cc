#include "corpus.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace meridian::sql::testing {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) {
    part = Trim(part);
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

bool ParseExpectation(const std::string& line, CorpusCase* c, std::string* error) {
  std::istringstream in(line);
  std::string word;
  in >> word;
  if (word == "db") {
    in >> c->default_db;
  } else if (word == "stmt") {
    ExpectedStatement st;
    in >> st.line >> st.operation;
    c->statements.push_back(st);
  } else if (word == "in") {
    if (c->statements.empty()) return *error = "'in' before 'stmt'", false;
    std::string t;
    while (in >> t) c->statements.back().inputs.push_back(t);
    std::sort(c->statements.back().inputs.begin(), c->statements.back().inputs.end());
  } else if (word == "out") {
    if (c->statements.empty()) return *error = "'out' before 'stmt'", false;
    ExpectedOutput out;
    in >> out.table >> out.write_type;
    c->statements.back().outputs.push_back(out);
  } else if (word == "col") {
    if (c->statements.empty() || c->statements.back().outputs.empty()) return *error = "'col' before 'out'", false;
    ExpectedColumn col;
    std::string sources;
    in >> col.name >> col.dependency_type >> sources;
    if (sources != "-") col.sources = Split(sources, ',');
    std::string rest;
    std::getline(in, rest);
    rest = Trim(rest);
    if (!rest.empty()) {
      if (rest[0] != ':') return *error = "expected ': expression' in: " + line, false;
      col.expression = Trim(rest.substr(1));
    }
    c->statements.back().outputs.back().columns.push_back(col);
  } else if (word == "issue" || word == "skip") {
    ExpectedIssue issue;
    issue.skipped = word == "skip";
    in >> issue.line;
    std::getline(in, issue.reason_substring);
    issue.reason_substring = Trim(issue.reason_substring);
    c->issues.push_back(issue);
  } else {
    return *error = "unknown expectation: " + line, false;
  }
  if (in.fail() && !in.eof()) return *error = "malformed expectation: " + line, false;
  return true;
}

bool LoadCases(const std::filesystem::path& path, std::vector<CorpusCase>* cases, std::string* error) {
  std::ifstream in(path);
  std::string line;
  int line_no = 0;
  enum { kNone, kSql, kExpect } state = kNone;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.starts_with("=== ")) {
      CorpusCase c;
      c.name = Trim(line.substr(4));
      c.file = path.filename().string();
      c.file_line = line_no;
      cases->push_back(std::move(c));
      state = kSql;
      continue;
    }
    if (state == kNone) continue;
    CorpusCase& c = cases->back();
    if (state == kSql) {
      if (Trim(line) == "---") {
        state = kExpect;
        // Keep line numbers of the script 1-based from its first line.
        while (!c.sql.empty() && c.sql.back() == '\n') c.sql.pop_back();
        continue;
      }
      c.sql += line + "\n";
      continue;
    }
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (!ParseExpectation(t, &c, error)) {
      *error = path.string() + ":" + std::to_string(line_no) + ": " + *error;
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> CorpusSchemas::Columns(const TableName& table) const {
  auto it = tables.find(table.db + "." + table.table);
  if (it == tables.end()) return std::nullopt;
  return it->second;
}

bool LoadCorpus(const std::string& dir, CorpusSchemas* schemas, std::vector<CorpusCase>* cases, std::string* error) {
  std::ifstream schema_file(std::filesystem::path(dir) / "schemas.txt");
  if (!schema_file) return *error = "cannot read " + dir + "/schemas.txt", false;
  std::string line;
  while (std::getline(schema_file, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    size_t colon = t.find(':');
    if (colon == std::string::npos) return *error = "bad schema line: " + t, false;
    schemas->tables[Trim(t.substr(0, colon))] = Split(t.substr(colon + 1), ',');
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    if (!LoadCases(f, cases, error)) return false;
  }
  return true;
}

}  // namespace meridian::sql::testing
