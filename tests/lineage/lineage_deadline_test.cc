// Deadlines of the lineage walk, its rendering, the wait for the graph and the
// propagation walk, over a real store and catalog holding the tutorial lineage.
#include <filesystem>

#include <gtest/gtest.h>

#include "meridian/lineage/lineage_service.h"
#include "meridian/lineage/propagation_worker.h"
#include "meridian/server/http.h"
#include "test_server.h"

namespace meridian::lineage {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class LineageDeadlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-lineage-deadline-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto st = store::Store::Open(dir_, {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto cat = catalog::Catalog::Open(store_.get(), {});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(*cat);
    auto tag = catalog_->CreateTypes({{"classificationDefs", {{{"name", "PII"}, {"superTypes", json::array()},
                                                              {"attributeDefs", json::array()}}}}},
                                     "admin");
    ASSERT_TRUE(tag.ok()) << tag.status().ToString();
    for (const char* f : {"tutorial_catalog.json", "tutorial_lineage.json"}) {
      auto m = catalog_->CreateOrUpdate(meridian::testing::Fixture(f)["entities"], json(), "admin");
      ASSERT_TRUE(m.ok()) << m.status().ToString();
    }
    details_ = *catalog_->FindByUniqueAttribute("hive_table", "qualifiedName", "atlas_emr.trip_details@primary");
    service_ = std::make_unique<LineageService>(*catalog_, LineageOptions{});
  }

  void TearDown() override {
    service_.reset();
    catalog_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // What the server answers for `s`: status and Atlas error code.
  static void ExpectGatewayTimeout(const Status& s) {
    EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
    server::HttpResponse r = server::HttpResponse::Error(s);
    EXPECT_EQ(r.status, 504);
    EXPECT_EQ(json::parse(r.body).value("errorCode", ""), "ATLAS-504-00-001");
  }

  static Deadline Cancelled() {
    Deadline d;
    d.Cancel();
    return d;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<LineageService> service_;
  std::string details_;
};

TEST_F(LineageDeadlineTest, LineageStopsAtAnExpiredOrCancelledDeadline) {
  ASSERT_TRUE(service_->Attach().ok());
  LineageRequest ok;
  auto full = service_->Lineage(details_, ok);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_GT(json::parse(*full)["guidEntityMap"].size(), 1u);

  for (const Deadline& d : {Deadline::After(0ms), Cancelled()}) {
    LineageRequest req;
    req.deadline = d;
    auto r = service_->Lineage(details_, req);
    ASSERT_FALSE(r.ok());
    ExpectGatewayTimeout(r.status());
  }
  LineageRequest cancelled;
  cancelled.deadline = Cancelled();
  EXPECT_NE(service_->Lineage(details_, cancelled).status().message().find("cancelled"), std::string::npos);
}

TEST_F(LineageDeadlineTest, WalkerReportsTheDeadline) {
  ASSERT_TRUE(service_->Attach().ok());
  WalkOptions opts;
  opts.deadline = Cancelled();
  WalkResult walk = Walk(service_->graph(), details_, false, opts);
  ExpectGatewayTimeout(walk.status);
  EXPECT_TRUE(walk.relations.empty());

  StoreAdjacency adjacency(*catalog_);
  opts.deadline = Deadline::After(0ms);
  ExpectGatewayTimeout(Walk(adjacency, details_, false, opts).status);
}

TEST_F(LineageDeadlineTest, WaitForTheGraphEndsAtTheDeadline) {
  // Never attached: the graph is "still loading"; the request gives up at its deadline, not after 60 s.
  LineageRequest req;
  req.deadline = Deadline::After(50ms);
  auto r = service_->Lineage(details_, req);
  ASSERT_FALSE(r.ok());
  ExpectGatewayTimeout(r.status());
}

TEST_F(LineageDeadlineTest, PropagationWalkStopsAtTheDeadline) {
  ASSERT_TRUE(service_->Attach().ok());
  ASSERT_TRUE(catalog_->AddClassifications(details_, {{{"typeName", "PII"}}}, "admin").ok());
  PropagationWorker worker(*catalog_, service_->graph(), PropagationOptions{});
  auto reached = worker.Reachable(details_, "PII");
  ASSERT_TRUE(reached.ok()) << reached.status().ToString();
  EXPECT_FALSE(reached->empty());

  for (const Deadline& d : {Deadline::After(0ms), Cancelled()}) {
    auto r = worker.Reachable(details_, "PII", d);
    ASSERT_FALSE(r.ok());
    ExpectGatewayTimeout(r.status());
  }
}

}  // namespace
}  // namespace meridian::lineage
