// SearchIndex read while its writer commits: searches never fail because a commit overtook them.
#include "meridian/index/search_index.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
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

// A fresh index in a temporary directory, and the built-in types.
class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-index-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto registry = types::TypeRegistry::Build(types::BuiltinModelDocs());
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(*registry);
    auto opened = SearchIndex::Open(dir_ + "/index", {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    index_ = std::move(*opened);
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::shared_ptr<const types::TypeRegistry> registry_;
  std::unique_ptr<SearchIndex> index_;
};

TEST_F(SearchIndexTest, SearchesOvertakenByCommitsAreRedoneNotFailed) {
  const types::TypeRegistry& reg = *registry_;
  SearchIndex& index = *index_;
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
}

// Clear empties the index at once (a new database replaces the files): searches running
// meanwhile are redone, not failed, and documents added afterwards are found.
TEST_F(SearchIndexTest, ClearEmptiesTheIndexUnderRunningSearches) {
  const types::TypeRegistry& reg = *registry_;
  SearchIndex& index = *index_;
  constexpr int kDocuments = 5000;
  for (int i = 0; i < kDocuments; ++i) ASSERT_TRUE(index.Upsert(Database(i), reg).ok());
  ASSERT_TRUE(index.SetMetadata("marker", "kept until Clear").ok());
  ASSERT_TRUE(index.Commit().ok());
  ASSERT_EQ(index.DocumentCount(), static_cast<uint64_t>(kDocuments));

  std::atomic<bool> stop{false};
  std::atomic<int> searches{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  std::thread reader([&] {
    while (!stop) {
      SearchRequest request{Query::Text("sales"), SortKey::kRelevance, false, 0, 10, kDocuments, true};
      auto hits = index.Search(request);
      std::lock_guard lock(failures_mu);
      if (!hits.ok()) failures.push_back(hits.status().ToString());
      ++searches;
    }
  });
  while (searches < 5) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(index.Clear().ok());
  EXPECT_EQ(index.DocumentCount(), 0u);
  EXPECT_EQ(index.GetMetadata("marker"), "");
  for (int i = kDocuments; i < kDocuments + 3; ++i) ASSERT_TRUE(index.Upsert(Database(i), reg).ok());
  ASSERT_TRUE(index.Commit().ok());
  const int before = searches;
  while (searches < before + 5) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop = true;
  reader.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " searches failed, the first: " << failures.front();

  SearchRequest request{Query::Text("sales"), SortKey::kRelevance, false, 0, 10, kDocuments, true};
  auto hits = index.Search(request);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(hits->guids.size(), 3u);
  for (const std::string& g : hits->guids) EXPECT_GE(std::stoi(g.substr(5)), kDocuments) << g;
}

// A one-word search by relevance answers from the documents where the word is strong
// (5 or more occurrences) when they fill the page: the page, its order, scores and
// count are those of ranking every match.
TEST_F(SearchIndexTest, OneWordSearchesGiveTheSamePageFromStrongDocuments) {
  SearchIndex& index = *index_;
  constexpr int kDocuments = 200;
  std::vector<std::pair<int, int>> by_rank;  // (occurrences of "ember", document number)
  for (int i = 0; i < kDocuments; ++i) {
    const int occurrences = 1 + (i * 7) % 8;  // 1..8: half of the documents hold it 5 or more times
    std::string description = "notes";
    for (int k = 0; k < occurrences; ++k) description += " ember";
    nlohmann::json db = Database(i);
    db["attributes"]["description"] = description;
    db["status"] = i % 10 == 0 ? "DELETED" : "ACTIVE";
    ASSERT_TRUE(index.Upsert(db, *registry_).ok());
    by_rank.emplace_back(occurrences, i);
  }
  ASSERT_TRUE(index.Commit().ok());
  // Most occurrences first, then in the order the documents were added.
  std::stable_sort(by_rank.begin(), by_rank.end(), [](auto& a, auto& b) { return a.first > b.first; });

  auto strong = index.Search({Query::Term("XWember"), SortKey::kDocument, false, 0, 0, kDocuments, false});
  ASSERT_TRUE(strong.ok());
  EXPECT_EQ(strong->estimated, 100u);

  auto search = [&](const Query& q, size_t offset, size_t limit, size_t check_at_least) {
    auto hits = index.Search({q, SortKey::kRelevance, false, offset, limit, check_at_least, false});
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    return hits.ok() ? *hits : SearchHits{};
  };
  const std::vector<Query> queries = {
      Query::Text("ember"), Query::Text("\"ember\""),
      Query::And({Query::Text("ember"), Query::Type("hive_db", true)}),
      Query::And({Query::Status("ACTIVE"), Query::Text("Ember")})};
  for (size_t q = 0; q < queries.size(); ++q) {
    for (auto [offset, limit] : std::vector<std::pair<size_t, size_t>>{{0, 10}, {40, 25}, {85, 20}, {0, 150}}) {
      SCOPED_TRACE("query " + std::to_string(q) + ", offset " + std::to_string(offset) + ", limit " +
                   std::to_string(limit));
      SearchHits page = search(queries[q], offset, limit, offset + limit);
      // Asking for an exact count beyond the page ranks every match: the reference.
      SearchHits every = search(queries[q], offset, limit, kDocuments);
      EXPECT_EQ(page.guids, every.guids);
      EXPECT_EQ(page.scores, every.scores);
      const uint64_t matches = q == 3 ? kDocuments - kDocuments / 10 : kDocuments;
      EXPECT_EQ(page.estimated, matches);
      EXPECT_EQ(every.estimated, matches);
      if (q != 0) continue;
      std::vector<std::string> expected;
      for (size_t r = offset; r < std::min<size_t>(offset + limit, kDocuments); ++r)
        expected.push_back("guid-" + std::to_string(by_rank[r].second));
      EXPECT_EQ(page.guids, expected);
    }
  }
}

}  // namespace
}  // namespace meridian::index
