// ZipWriter/ZipReader: archives round-trip, and the reader's limits refuse zip bombs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "meridian/exchange/zip.h"

namespace meridian::exchange {
namespace {

class ZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("meridian-zip-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(ZipTest, WrittenEntriesReadBackByName) {
  auto w = ZipWriter::Create(Path("a.zip"));
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 500; ++i) ASSERT_TRUE((*w)->Add("e" + std::to_string(i) + ".json", std::string(1000 + i, 'x')).ok());
  ASSERT_TRUE((*w)->Add("atlas-export-order.json", "[]").ok());
  ASSERT_TRUE((*w)->Finish().ok());
  EXPECT_FALSE(std::filesystem::exists(Path("a.zip.spool")));
  EXPECT_LT(std::filesystem::file_size(Path("a.zip")), 500u * 1000u / 4);  // deflated

  auto r = ZipReader::OpenFile(Path("a.zip"), ZipLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->entry_count(), 501u);
  auto e = (*r)->Read("e499.json");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, std::string(1499, 'x'));
  EXPECT_EQ((*r)->Read("missing.json").status().code(), StatusCode::kNotFound);
}

TEST_F(ZipTest, AnUnfinishedWriterLeavesNoArchive) {
  {
    auto w = ZipWriter::Create(Path("b.zip"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Add("x.json", "{}").ok());
  }
  EXPECT_FALSE(std::filesystem::exists(Path("b.zip")));
  EXPECT_FALSE(std::filesystem::exists(Path("b.zip.spool")));
}

TEST_F(ZipTest, AnEmptyArchiveOpensWithNoEntries) {
  auto w = ZipWriter::Create(Path("empty.zip"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto r = ZipReader::OpenFile(Path("empty.zip"), ZipLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->entry_count(), 0u);
}

TEST_F(ZipTest, NotAZipIsInvalidArgument) {
  auto r = ZipReader::OpenBuffer("definitely not a zip archive", ZipLimits{});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ZipReader::OpenBuffer("", ZipLimits{}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ZipTest, LimitsRefuseTooManyEntriesAndTooMuchExpandedData) {
  auto w = ZipWriter::Create(Path("bomb.zip"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Add("zeros.json", std::string(8 << 20, '\0')).ok());
  ASSERT_TRUE((*w)->Add("small.json", "{}").ok());
  ASSERT_TRUE((*w)->Finish().ok());
  EXPECT_LT(std::filesystem::file_size(Path("bomb.zip")), 64u << 10);

  ZipLimits few;
  few.max_entries = 1;
  EXPECT_EQ(ZipReader::OpenFile(Path("bomb.zip"), few).status().code(), StatusCode::kResourceExhausted);
  ZipLimits small_total;
  small_total.max_expanded_bytes = 1 << 20;
  EXPECT_EQ(ZipReader::OpenFile(Path("bomb.zip"), small_total).status().code(), StatusCode::kResourceExhausted);
  ZipLimits small_entry;
  small_entry.max_entry_bytes = 1 << 20;
  EXPECT_EQ(ZipReader::OpenFile(Path("bomb.zip"), small_entry).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace meridian::exchange
