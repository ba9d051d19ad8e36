// Deliveries (a publisher to Kafka's ATLAS_ENTITIES, say) follow the notification
// queue at least once: their marks survive restarts and retention keeps what they
// have not marked. In process, on a real store.
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "meridian/notify/notification_feed.h"

namespace meridian::notify {
namespace {

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-delivery-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Reopen();
  }
  void TearDown() override {
    feed_.reset();
    catalog_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    feed_.reset();
    catalog_.reset();
    store_.reset();
    auto s = store::Store::Open(dir_, {});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    auto c = catalog::Catalog::Open(store_.get(), {});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    FeedOptions options;
    options.max_entries = 1;
    options.max_age_s = 0;
    feed_ = std::make_unique<NotificationFeed>(*catalog_, options);
  }
  void Create(const std::string& qn) {
    json e = json::array({{{"typeName", "DataSet"}, {"attributes", {{"qualifiedName", qn}, {"name", qn}}}}});
    ASSERT_TRUE(catalog_->CreateOrUpdate(e, json(), "admin").ok());
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<NotificationFeed> feed_;
};

TEST_F(DeliveryTest, FollowsTheQueueAndPinsRetention) {
  for (const char* qn : {"a", "b", "c"}) Create(qn);
  auto d = feed_->RegisterDelivery("kafka-atlas-entities");
  ASSERT_TRUE(d.ok());
  auto pending = (*d)->Pending(10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].sequence, 1u);
  EXPECT_EQ((*pending)[0].message["message"]["operationType"], "ENTITY_CREATE");
  EXPECT_EQ((*pending)[2].message["message"]["entity"]["attributes"]["qualifiedName"], "c");

  // Retention (max_entries = 1) keeps everything the delivery has not marked.
  auto removed = feed_->Prune();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0u);
  ASSERT_TRUE((*d)->MarkDelivered(2).ok());
  EXPECT_TRUE((*d)->MarkDelivered(1).ok());  // lower marks are ignored
  EXPECT_EQ((*d)->delivered(), 2u);
  removed = feed_->Prune();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(*catalog_->OldestNotification(), 3u);

  // After a restart the mark and the numbering continue.
  Reopen();
  d = feed_->RegisterDelivery("kafka-atlas-entities");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->delivered(), 2u);
  Create("d");
  pending = (*d)->Pending(10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].sequence, 3u);
  EXPECT_EQ((*pending)[1].sequence, 4u);
  EXPECT_FALSE(feed_->RegisterDelivery("bad name").ok());
}

// A publisher's loop blocks in Next until a change commits.
TEST_F(DeliveryTest, NextWakesOnCommit) {
  auto d = feed_->RegisterDelivery("publisher");
  ASSERT_TRUE(d.ok());
  std::thread writer([&] { Create("late"); });
  auto next = (*d)->Next(10, std::chrono::seconds(60));
  writer.join();
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].message["message"]["entity"]["attributes"]["qualifiedName"], "late");
}

}  // namespace
}  // namespace meridian::notify
