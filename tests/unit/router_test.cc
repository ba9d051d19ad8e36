#include <gtest/gtest.h>

#include "meridian/server/http.h"

namespace meridian::server {
namespace {

TEST(Router, LiteralSegmentsWinOverParameters) {
  Router r;
  int hit = 0;
  r.Add("GET", "/api/x/{id}", Access::kRead, [&](HttpRequest&) { hit = 1; return HttpResponse(); });
  r.Add("GET", "/api/x/bulk", Access::kRead, [&](HttpRequest&) { hit = 2; return HttpResponse(); });
  std::map<std::string, std::string> params;
  auto m = r.Find("GET", "/api/x/bulk", &params);
  ASSERT_NE(m.handler, nullptr);
  HttpRequest req;
  (*m.handler)(req);
  EXPECT_EQ(hit, 2);
  m = r.Find("GET", "/api/x/abc", &params);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(params["id"], "abc");
  m = r.Find("POST", "/api/x/abc", &params);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_FALSE(r.Find("GET", "/api/y", &params).path_known);
}

TEST(Router, RouteClassComesFromMethodAndPathUnlessNamed) {
  EXPECT_EQ(DefaultRouteClass("GET", "/api/atlas/v2/entity/guid/{guid}"), RouteClass::kCheap);
  EXPECT_EQ(DefaultRouteClass("GET", "/api/atlas/v2/types/typedefs/headers"), RouteClass::kCheap);
  EXPECT_EQ(DefaultRouteClass("POST", "/api/atlas/v2/entity/bulk"), RouteClass::kWrite);
  EXPECT_EQ(DefaultRouteClass("DELETE", "/api/atlas/v2/entity/guid/{guid}"), RouteClass::kWrite);
  EXPECT_EQ(DefaultRouteClass("GET", "/api/atlas/v2/search/dsl"), RouteClass::kHeavy);
  EXPECT_EQ(DefaultRouteClass("POST", "/api/atlas/v2/search/basic"), RouteClass::kHeavy);
  EXPECT_EQ(DefaultRouteClass("POST", "/api/atlas/v2/lineage/{guid}"), RouteClass::kHeavy);
  EXPECT_EQ(DefaultRouteClass("GET", "/api/atlas/v2/entity/{guid}/audit"), RouteClass::kHeavy);

  Router r;
  auto ok = [](HttpRequest&) { return HttpResponse(); };
  r.Add("GET", "/api/atlas/admin/status", Access::kPublic, ok, RouteClass::kImmediate);
  r.Add("GET", "/api/atlas/v2/search/basic", Access::kRead, ok);
  std::map<std::string, std::string> params;
  EXPECT_EQ(r.Find("GET", "/api/atlas/admin/status", &params).route_class, RouteClass::kImmediate);
  EXPECT_EQ(r.Find("GET", "/api/atlas/v2/search/basic", &params).route_class, RouteClass::kHeavy);
  EXPECT_EQ(RouteClassName(RouteClass::kHeavy), "heavy");
}

TEST(Http, PercentDecodingAndErrorMapping) {
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("a%2", false), "a%2");
  HttpResponse r = HttpResponse::Error(Status::NotFound("gone", "ATLAS-404-00-005"));
  EXPECT_EQ(r.status, 404);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["errorCode"], "ATLAS-404-00-005");
  EXPECT_EQ(j["errorMessage"], "gone");
  EXPECT_EQ(HttpResponse::Error(Status::Conflict("x")).status, 409);
}

}  // namespace
}  // namespace meridian::server
