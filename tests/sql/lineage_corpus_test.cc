// Runs every case of tests/sql/corpus through AnalyzeScript.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "corpus.h"
#include "meridian/sql/hive_lineage.h"

namespace meridian::sql::testing {
namespace {

struct Corpus {
  CorpusSchemas schemas;
  std::vector<CorpusCase> cases;
  std::string error;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    if (!LoadCorpus(MERIDIAN_SQL_CORPUS_DIR, &c->schemas, &c->cases, &c->error)) c->cases.clear();
    return c;
  }();
  return *corpus;
}

std::string Render(const ExpectedStatement& st) {
  std::string out = "stmt " + std::to_string(st.line) + " " + st.operation + "\nin";
  for (const auto& i : st.inputs) out += " " + i;
  out += "\n";
  for (const auto& o : st.outputs) {
    out += "out " + o.table + " " + o.write_type + "\n";
    for (const auto& c : o.columns) {
      out += "col " + c.name + " " + c.dependency_type + " ";
      std::string srcs;
      for (const auto& s : c.sources) srcs += (srcs.empty() ? "" : ",") + s;
      out += srcs.empty() ? "-" : srcs;
      if (!c.expression.empty()) out += " : " + c.expression;
      out += "\n";
    }
  }
  return out;
}

ExpectedStatement FromActual(const StatementLineage& st) {
  ExpectedStatement e;
  e.line = st.line;
  e.operation = st.operation;
  for (const auto& t : st.inputs) e.inputs.push_back(t.ToString());
  for (const auto& w : st.outputs) {
    ExpectedOutput o;
    o.table = w.table.ToString();
    o.write_type = w.write_type;
    for (const auto& cl : w.column_lineage) {
      ExpectedColumn c;
      c.name = cl.output_column;
      c.dependency_type = cl.dependency_type;
      for (const auto& s : cl.sources) c.sources.push_back(s.table.ToString() + "." + s.column);
      c.expression = cl.expression;
      o.columns.push_back(c);
    }
    e.outputs.push_back(o);
  }
  return e;
}

class LineageCorpus : public ::testing::TestWithParam<size_t> {};

TEST(LineageCorpusFile, LoadsAtLeastFortyStatements) {
  const Corpus& corpus = GetCorpus();
  ASSERT_EQ(corpus.error, "");
  size_t lineage_statements = 0;
  for (const auto& c : corpus.cases) lineage_statements += c.statements.size();
  EXPECT_GE(lineage_statements, 40u);
}

TEST_P(LineageCorpus, MatchesExpectedLineage) {
  const CorpusCase& c = GetCorpus().cases[GetParam()];
  SCOPED_TRACE(c.file + ":" + std::to_string(c.file_line) + " " + c.name);
  ScriptResult result = AnalyzeScript(c.sql, c.default_db, GetCorpus().schemas);

  std::string expected, actual;
  for (const auto& st : c.statements) expected += Render(st);
  for (const auto& st : result.statements) actual += Render(FromActual(st));
  EXPECT_EQ(expected, actual);

  std::string actual_issues;
  for (const auto& i : result.issues) {
    actual_issues += (i.skipped_not_lineage ? "skip " : "issue ") + std::to_string(i.line) + " " + i.reason + "\n";
  }
  ASSERT_EQ(c.issues.size(), result.issues.size()) << actual_issues;
  for (size_t i = 0; i < c.issues.size(); ++i) {
    EXPECT_EQ(c.issues[i].line, result.issues[i].line) << actual_issues;
    EXPECT_EQ(c.issues[i].skipped, result.issues[i].skipped_not_lineage) << actual_issues;
    EXPECT_THAT(result.issues[i].reason, ::testing::HasSubstr(c.issues[i].reason_substring));
  }
}

// Every prefix of every corpus script must yield statements or issues, never
// a crash or a hang.
TEST(LineageCorpusFile, TruncatedScriptsFailCleanly) {
  const Corpus& corpus = GetCorpus();
  size_t analysed = 0;
  for (const auto& c : corpus.cases) {
    for (size_t n = 0; n < c.sql.size(); n += 3) {
      ScriptResult r = AnalyzeScript(std::string_view(c.sql).substr(0, n), c.default_db, corpus.schemas);
      for (const auto& issue : r.issues) EXPECT_FALSE(issue.reason.empty());
      ++analysed;
    }
  }
  EXPECT_GT(analysed, 1000u);
}

// Scripts with random edits (deleted, duplicated or swapped spans) are
// analysed without crashing; seeded, so failures reproduce.
TEST(LineageCorpusFile, MutatedScriptsFailCleanly) {
  const Corpus& corpus = GetCorpus();
  std::mt19937 rng(20240601);
  for (const auto& c : corpus.cases) {
    for (int round = 0; round < 60; ++round) {
      std::string sql = c.sql;
      for (int edit = 0; edit < 3 && !sql.empty(); ++edit) {
        size_t a = rng() % sql.size();
        size_t len = 1 + rng() % std::min<size_t>(12, sql.size() - a);
        switch (rng() % 3) {
          case 0: sql.erase(a, len); break;
          case 1: sql.insert(a, sql.substr(a, len)); break;
          default: {
            size_t b = rng() % sql.size();
            std::swap(sql[a], sql[b]);
          }
        }
      }
      ScriptResult r = AnalyzeScript(sql, c.default_db, corpus.schemas);
      for (const auto& issue : r.issues) EXPECT_FALSE(issue.reason.empty());
    }
  }
}

std::vector<size_t> CaseIndices() {
  std::vector<size_t> out;
  for (size_t i = 0; i < GetCorpus().cases.size(); ++i) out.push_back(i);
  return out;
}

std::string CaseName(const ::testing::TestParamInfo<size_t>& info) {
  std::string name = GetCorpus().cases[info.param].name;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, LineageCorpus, ::testing::ValuesIn(CaseIndices()), CaseName);

}  // namespace
}  // namespace meridian::sql::testing
