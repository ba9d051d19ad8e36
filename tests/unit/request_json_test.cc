// ParseRequestJson: the nesting limit and Atlas's 400 for bad input.
#include "meridian/request_json.h"

#include <gtest/gtest.h>

namespace meridian {
namespace {

std::string Arrays(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }
std::string Objects(int levels) {
  std::string s;
  for (int i = 0; i < levels; ++i) s += "{\"a\":";
  return s + "1" + std::string(levels, '}');
}

TEST(RequestJsonTest, NestingUpToTheLimitParses) {
  for (const std::string& text : {Arrays(kMaxRequestJsonDepth), Objects(kMaxRequestJsonDepth)}) {
    auto j = ParseRequestJson(text);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
  }
  auto j = ParseRequestJson(R"({"entities":[{"attributes":{"a":[1,{"b":null}]}}],"x":"[[[[["})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["entities"][0]["attributes"]["a"][1]["b"], nullptr);
}

TEST(RequestJsonTest, DeeperNestingIsRefused) {
  for (const std::string& text : {Arrays(kMaxRequestJsonDepth + 1), Objects(kMaxRequestJsonDepth + 1), Arrays(100000),
                                  "[" + Objects(200000) + "]"}) {
    auto j = ParseRequestJson(text, "request body");
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(j.status().atlas_code(), "ATLAS-400-00-01A");
    EXPECT_EQ(j.status().message(), "request body nests JSON deeper than 64 levels");
  }
}

TEST(RequestJsonTest, EmptyAndMalformedInputAreRefused) {
  for (const std::string& text : {"", "{", "[1,]", "{\"a\":1} trailing", "\"\xff\""}) {
    auto j = ParseRequestJson(text);
    ASSERT_FALSE(j.ok()) << text;
    EXPECT_EQ(j.status().atlas_code(), "ATLAS-400-00-01A");
  }
}

}  // namespace
}  // namespace meridian
