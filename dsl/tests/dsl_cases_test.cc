// Runs the data-driven DSL cases in cases/*.test against the tutorial catalog, or against
// the fleet catalog for the cases after a `catalog fleet` line.
//
// File format (after DuckDB's sqllogictest files):
//   # comment lines
//   catalog tutorial|fleet   (the catalog of the cases that follow in this file)
//   query [typeName=T] [classification=C] [limit=N] [offset=N] [keep_deleted] [sort]
//   <query text, one or more lines>
//   ----
//   <expected: entity guids one per line; for a select, the column names joined by " | "
//    and then one line per row, cells joined by " | " (non-empty strings raw, other values
//    and "" as JSON)>
//   (blank line ends the case)
//
//   statement error [options]
//   <query text>
//   ----
//   <text that must occur in "<atlas code>: <message>">
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "memory_catalog.h"
#include "meridian/dsl/dsl.h"

namespace meridian::dsl {
namespace {

struct DslCase {
  std::string file;
  int line = 0;
  std::string catalog = "tutorial";
  bool expect_error = false;
  bool sort = false;
  QueryOptions options;
  std::string query;
  std::vector<std::string> expected;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

void ApplyOption(const std::string& option, DslCase& c) {
  const size_t eq = option.find('=');
  const std::string key = option.substr(0, eq);
  const std::string value = eq == std::string::npos ? "" : option.substr(eq + 1);
  if (key == "typeName") {
    c.options.type_name = value;
  } else if (key == "classification") {
    c.options.classification = value;
  } else if (key == "limit") {
    c.options.limit = std::stoi(value);
  } else if (key == "offset") {
    c.options.offset = std::stoi(value);
  } else if (key == "keep_deleted") {
    c.options.exclude_deleted = false;
  } else if (key == "sort") {
    c.sort = true;
  } else {
    ADD_FAILURE() << c.file << ":" << c.line << ": unknown option " << option;
  }
}

std::vector<DslCase> LoadCases() {
  std::vector<DslCase> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(MERIDIAN_DSL_CASES_DIR)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int number = 0;
    DslCase* current = nullptr;
    std::string catalog = "tutorial";
    enum { kNone, kQuery, kExpected } state = kNone;
    while (std::getline(in, line)) {
      ++number;
      if (state == kNone) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> words = Split(line, ' ');
        if (words[0] == "catalog" && words.size() == 2) {
          catalog = words[1];
          continue;
        }
        DslCase c;
        c.file = path.filename().string();
        c.line = number;
        c.catalog = catalog;
        size_t first_option = 1;
        if (words[0] == "statement" && words.size() > 1 && words[1] == "error") {
          c.expect_error = true;
          first_option = 2;
        } else if (words[0] != "query") {
          ADD_FAILURE() << c.file << ":" << number << ": expected 'query' or 'statement error'";
          continue;
        }
        for (size_t i = first_option; i < words.size(); ++i) ApplyOption(words[i], c);
        cases.push_back(std::move(c));
        current = &cases.back();
        state = kQuery;
      } else if (state == kQuery) {
        if (line == "----") {
          state = kExpected;
        } else {
          current->query += (current->query.empty() ? "" : "\n") + line;
        }
      } else if (line.empty()) {
        state = kNone;
      } else {
        current->expected.push_back(line);
      }
    }
  }
  return cases;
}

std::string Render(const nlohmann::json& cell) {
  if (cell.is_string() && !cell.get_ref<const std::string&>().empty())
    return cell.get<std::string>();
  return cell.dump();
}

std::vector<std::string> RenderResult(const QueryResult& r) {
  std::vector<std::string> lines;
  if (!r.is_select) return r.entity_guids;
  std::string header;
  for (const auto& name : r.column_names) header += (header.empty() ? "" : " | ") + name;
  lines.push_back(header);
  for (const auto& row : r.rows) {
    std::string text;
    for (size_t i = 0; i < row.size(); ++i) text += (i == 0 ? "" : " | ") + Render(row[i]);
    lines.push_back(text);
  }
  return lines;
}

class DslCaseTest : public ::testing::TestWithParam<DslCase> {
 protected:
  static void SetUpTestSuite() {
    tutorial_ = testing::BuildTutorialCatalog().release();
    fleet_ = testing::BuildFleetCatalog().release();
  }
  static void TearDownTestSuite() {
    delete tutorial_;
    delete fleet_;
    tutorial_ = fleet_ = nullptr;
  }
  static testing::MemoryCatalog* tutorial_;
  static testing::MemoryCatalog* fleet_;
};

testing::MemoryCatalog* DslCaseTest::tutorial_ = nullptr;
testing::MemoryCatalog* DslCaseTest::fleet_ = nullptr;

TEST_P(DslCaseTest, Run) {
  const DslCase& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": " + c.query);
  ASSERT_TRUE(c.catalog == "tutorial" || c.catalog == "fleet") << "unknown catalog " << c.catalog;
  const testing::MemoryCatalog& catalog = c.catalog == "fleet" ? *fleet_ : *tutorial_;
  Result<QueryResult> result = ExecuteQuery(catalog, c.query, c.options);
  if (c.expect_error) {
    ASSERT_FALSE(result.ok()) << "expected an error";
    const std::string text = result.status().ToString();
    ASSERT_EQ(c.expected.size(), 1u);
    EXPECT_NE(text.find(c.expected[0]), std::string::npos)
        << "error: " << text << "\nexpected to contain: " << c.expected[0];
    return;
  }
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::vector<std::string> actual = RenderResult(*result);
  std::vector<std::string> expected = c.expected;
  if (c.sort) {
    const size_t skip = result->is_select ? 1 : 0;
    std::sort(actual.begin() + static_cast<std::ptrdiff_t>(std::min(skip, actual.size())),
              actual.end());
    std::sort(expected.begin() + static_cast<std::ptrdiff_t>(std::min(skip, expected.size())),
              expected.end());
  }
  EXPECT_EQ(actual, expected);
}

std::string CaseName(const ::testing::TestParamInfo<DslCase>& info) {
  std::string name =
      info.param.file.substr(0, info.param.file.find('.')) + "_L" + std::to_string(info.param.line);
  std::replace_if(
      name.begin(), name.end(), [](char ch) { return !std::isalnum(ch); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, DslCaseTest, ::testing::ValuesIn(LoadCases()), CaseName);

}  // namespace
}  // namespace meridian::dsl
