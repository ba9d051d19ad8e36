// Parse-and-analyse rate of AnalyzeScript over the lineage corpus.
// Usage: sql_bench [corpus_dir] [seconds]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "corpus.h"
#include "meridian/sql/hive_lineage.h"

int main(int argc, char** argv) {
  using meridian::sql::testing::CorpusCase;
  std::string dir = argc > 1 && argv[1][0] != '\0' ? argv[1] : MERIDIAN_SQL_CORPUS_DIR;
  double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  meridian::sql::testing::CorpusSchemas schemas;
  std::vector<CorpusCase> cases;
  std::string error;
  if (!meridian::sql::testing::LoadCorpus(dir, &schemas, &cases, &error)) {
    std::fprintf(stderr, "sql_bench: %s\n", error.c_str());
    return 1;
  }
  size_t statements_per_round = 0;
  size_t bytes_per_round = 0;
  for (const auto& c : cases) {
    auto r = meridian::sql::AnalyzeScript(c.sql, c.default_db, schemas);
    statements_per_round += r.statements.size() + r.issues.size();
    bytes_per_round += c.sql.size();
  }
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  size_t rounds = 0;
  size_t sink = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const auto& c : cases) sink += meridian::sql::AnalyzeScript(c.sql, c.default_db, schemas).statements.size();
    ++rounds;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  double statements = static_cast<double>(rounds * statements_per_round);
  std::printf("cases=%zu statements/round=%zu rounds=%zu seconds=%.2f\n", cases.size(), statements_per_round, rounds,
              elapsed);
  std::printf("statements/s=%.0f  MB/s=%.2f  (sink %zu)\n", statements / elapsed,
              static_cast<double>(rounds * bytes_per_round) / elapsed / 1e6, sink);
  return 0;
}
