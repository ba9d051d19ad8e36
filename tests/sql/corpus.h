// Loads the HiveQL lineage corpus (tests/sql/corpus): table schemas and cases
// of a script with its expected lineage. Format: see corpus/README.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meridian/sql/hive_lineage.h"

namespace meridian::sql::testing {

struct ExpectedColumn {
  std::string name;
  std::string dependency_type;
  std::vector<std::string> sources;  // db.table.column
  std::string expression;
};

struct ExpectedOutput {
  std::string table;  // db.table
  std::string write_type;
  std::vector<ExpectedColumn> columns;
};

struct ExpectedStatement {
  int line = 0;
  std::string operation;
  std::vector<std::string> inputs;  // db.table, sorted
  std::vector<ExpectedOutput> outputs;
};

struct ExpectedIssue {
  int line = 0;
  bool skipped = false;
  std::string reason_substring;
};

struct CorpusCase {
  std::string name;
  std::string file;
  int file_line = 0;
  std::string default_db = "default";
  std::string sql;
  std::vector<ExpectedStatement> statements;
  std::vector<ExpectedIssue> issues;
};

// Table schemas keyed by lower-case db.table (LoadCorpus fills them from schemas.txt).
class CorpusSchemas : public SchemaProvider {
 public:
  std::optional<std::vector<std::string>> Columns(const TableName& table) const override;
  std::map<std::string, std::vector<std::string>> tables;
};

// Reads `dir`/schemas.txt and every `dir`/*.test (sorted by file name).
// Returns false and sets `error` on a malformed file.
bool LoadCorpus(const std::string& dir, CorpusSchemas* schemas, std::vector<CorpusCase>* cases, std::string* error);

}  // namespace meridian::sql::testing
