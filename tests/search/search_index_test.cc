// SearchIndex read while its writer commits: searches never fail because a commit overtook them.
#include "meridian/index/search_index.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "meridian/types/type_registry.h"

namespace meridian::index {
namespace {

nlohmann::json Database(int i) {
  const std::string name = "sales_db_" + std::to_string(i);
  return {{"guid", "guid-" + std::to_string(i)},
          {"typeName", "hive_db"},
          {"status", "ACTIVE"},
          {"version", 1},
          {"attributes", {{"name", name}, {"qualifiedName", name + "@prod"}, {"description", "sales figures " + name}}}};
}

TEST(SearchIndexTest, SearchesOvertakenByCommitsAreRedoneNotFailed) {
  char tmpl[] = "/tmp/meridian-index-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  auto registry = types::TypeRegistry::Build(types::BuiltinModelDocs());
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  const types::TypeRegistry& reg = **registry;
  auto opened = SearchIndex::Open(dir + "/index", {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SearchIndex& index = **opened;
  constexpr int kDocuments = 20000;
  for (int i = 0; i < kDocuments; ++i) ASSERT_TRUE(index.Upsert(Database(i), reg).ok());
  ASSERT_TRUE(index.Commit().ok());

  // The writer rewrites documents and commits as fast as it can, while two readers rank
  // and count every document each time: each search outlives many commits.
  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      for (int j = 0; j < 20; ++j) ASSERT_TRUE(index.Upsert(Database((i * 20 + j) % kDocuments), reg).ok());
      ASSERT_TRUE(index.Commit().ok());
      ++commits;
    }
  });
  std::atomic<int> searches{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&] {
      while (!stop) {
        SearchRequest request{Query::Text("sales"), SortKey::kRelevance, false, 0, 10, kDocuments, true};
        auto hits = index.Search(request);
        std::lock_guard lock(failures_mu);
        if (!hits.ok()) failures.push_back(hits.status().ToString());
        else if (hits->guids.size() != 10) failures.push_back("only " + std::to_string(hits->guids.size()) + " hits");
        ++searches;
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_GT(commits, 50);
  EXPECT_GT(searches, 20);
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << searches << " searches failed, the first: "
                                << failures.front();
  opened->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace meridian::index
