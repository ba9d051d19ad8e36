// The glossary REST API against a real server.
#include <string>

#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

const std::string kBase = "/api/atlas/v2";
const std::string kGlossary = kBase + "/glossary";

class GlossaryApi : public ::testing::Test {
 protected:
  // One server for the suite: every test uses its own glossary names.
  static void SetUpTestSuite() {
    server_ = new TestServer();
    started_ = server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << "server did not start; see " << server_->data_dir(); }

  const TestServer& srv() const { return *server_; }

  // Creates a glossary and returns its guid.
  std::string NewGlossary(const std::string& name) {
    auto r = srv().Post(kGlossary, {{"name", name}, {"shortDescription", "about " + name}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("guid", "");
  }
  std::string NewTerm(const std::string& glossary, const std::string& name, json extra = json::object()) {
    extra["name"] = name;
    extra["anchor"] = {{"glossaryGuid", glossary}};
    auto r = srv().Post(kGlossary + "/term", extra);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("guid", "");
  }
  // Loads tests/fixtures/tutorial_catalog.json and returns the guid of hive_table `qualified_name`.
  std::string LoadTutorialTable(const std::string& qualified_name) {
    auto created = srv().Post(kBase + "/entity/bulk", Fixture("tutorial_catalog.json"));
    EXPECT_EQ(created.status, 200) << created.body;
    auto r =
        srv().Get(kBase + "/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=" + UrlEncode(qualified_name));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["entity"].value("guid", "");
  }
  static void ExpectError(const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json j = r.Json();
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j.value("errorCode", ""), code) << r.body;
    EXPECT_FALSE(j.value("errorMessage", "").empty()) << r.body;
  }

  static TestServer* server_;
  static bool started_;
};

TestServer* GlossaryApi::server_ = nullptr;
bool GlossaryApi::started_ = false;

TEST_F(GlossaryApi, CreateReadUpdateGlossary) {
  std::string g = NewGlossary("Finance");
  ASSERT_FALSE(g.empty());
  auto got = srv().Get(kGlossary + "/" + g);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json()["name"], "Finance");
  EXPECT_EQ(got.Json()["qualifiedName"], "Finance");
  EXPECT_EQ(got.Json()["shortDescription"], "about Finance");

  ExpectError(srv().Post(kGlossary, {{"name", "Finance"}}), 409, "ATLAS-409-00-007");

  auto list = srv().Get(kGlossary + "?limit=-1&offset=0&sort=ASC");
  ASSERT_EQ(list.status, 200);
  bool found = false;
  for (const json& x : list.Json()) found = found || x["guid"] == g;
  EXPECT_TRUE(found) << list.body;

  auto partial = srv().Put(kGlossary + "/" + g + "/partial", {{"longDescription", "all about money"}});
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(partial.Json()["longDescription"], "all about money");
  EXPECT_EQ(partial.Json()["shortDescription"], "about Finance");

  auto full = srv().Put(kGlossary + "/" + g, {{"name", "Finance2"}, {"language", "en"}});
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.Json()["name"], "Finance2");
  EXPECT_EQ(full.Json()["language"], "en");
  EXPECT_FALSE(full.Json().contains("shortDescription")) << "a full update clears what it omits";
  EXPECT_EQ(full.Json()["qualifiedName"], "Finance");
}

TEST_F(GlossaryApi, TermsAndLists) {
  std::string g = NewGlossary("Sales");
  std::string revenue = NewTerm(g, "Revenue", {{"shortDescription", "money in"}, {"abbreviation", "REV"}});
  auto bulk = srv().Post(kGlossary + "/terms", json::array({{{"name", "Cost"}, {"anchor", {{"glossaryGuid", g}}}},
                                                            {{"name", "Margin"}, {"anchor", {{"glossaryGuid", g}}}}}));
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  ASSERT_EQ(bulk.Json().size(), 2u);
  EXPECT_EQ(bulk.Json()[0]["qualifiedName"], "Cost@Sales");

  auto term = srv().Get(kGlossary + "/term/" + revenue);
  ASSERT_EQ(term.status, 200) << term.body;
  json t = term.Json();
  EXPECT_EQ(t["qualifiedName"], "Revenue@Sales");
  EXPECT_EQ(t["abbreviation"], "REV");
  EXPECT_EQ(t["anchor"]["glossaryGuid"], g);
  EXPECT_EQ(t["anchor"]["displayText"], "Sales");
  EXPECT_FALSE(t["anchor"].value("relationGuid", "").empty());

  ExpectError(srv().Post(kGlossary + "/term", {{"name", "Revenue"}, {"anchor", {{"glossaryGuid", g}}}}), 409,
              "ATLAS-409-00-009");

  auto glossary = srv().Get(kGlossary + "/" + g).Json();
  ASSERT_EQ(glossary["terms"].size(), 3u) << glossary;
  EXPECT_FALSE(glossary["terms"][0].value("relationGuid", "").empty());

  auto headers = srv().Get(kGlossary + "/" + g + "/terms/headers?sort=DESC&limit=2");
  ASSERT_EQ(headers.status, 200);
  ASSERT_EQ(headers.Json().size(), 2u);
  EXPECT_EQ(headers.Json()[0]["displayText"], "Revenue");
  EXPECT_EQ(headers.Json()[1]["displayText"], "Margin");
  auto page2 = srv().Get(kGlossary + "/" + g + "/terms?limit=2&offset=2");
  ASSERT_EQ(page2.Json().size(), 1u);
  EXPECT_EQ(page2.Json()[0]["name"], "Revenue");

  // Term relations are visible from both sides.
  std::string turnover = NewTerm(g, "Turnover", {{"synonyms", {{{"termGuid", revenue}}}}});
  auto related = srv().Get(kGlossary + "/terms/" + revenue + "/related");
  ASSERT_EQ(related.status, 200);
  ASSERT_EQ(related.Json()["synonyms"].size(), 1u) << related.body;
  EXPECT_EQ(related.Json()["synonyms"][0]["termGuid"], turnover);

  // Relation headers may carry the relationship's attributes; bad values change nothing.
  ExpectError(srv().Post(kGlossary + "/term", {{"name", "Income"},
                                               {"anchor", {{"glossaryGuid", g}}},
                                               {"seeAlso", {{{"termGuid", revenue}, {"status", "BOGUS"}}}}}),
              400, "ATLAS-400-00-01A");
  EXPECT_EQ(srv().Get(kGlossary + "/" + g + "/terms/headers").Json().size(), 4u);
  std::string income =
      NewTerm(g, "Income", {{"seeAlso", {{{"termGuid", revenue}, {"description", "similar"}, {"status", "ACTIVE"}}}}});
  json see_also = srv().Get(kGlossary + "/terms/" + revenue + "/related").Json()["seeAlso"];
  ASSERT_EQ(see_also.size(), 1u) << see_also;
  EXPECT_EQ(see_also[0]["termGuid"], income);
  EXPECT_EQ(see_also[0]["description"], "similar");
  EXPECT_EQ(see_also[0]["status"], "ACTIVE");
  ASSERT_EQ(srv().Delete(kGlossary + "/term/" + income).status, 204);

  auto renamed = srv().Put(kGlossary + "/term/" + turnover + "/partial", {{"name", "Sales volume"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Json()["qualifiedName"], "Sales volume@Sales");
  EXPECT_EQ(renamed.Json()["synonyms"].size(), 1u);

  auto detailed = srv().Get(kGlossary + "/" + g + "/detailed");
  ASSERT_EQ(detailed.status, 200);
  EXPECT_EQ(detailed.Json()["termInfo"].size(), 4u);
  EXPECT_EQ(detailed.Json()["termInfo"][revenue]["name"], "Revenue");
}

TEST_F(GlossaryApi, AssignTermToTable) {
  std::string g = NewGlossary("Trips");
  std::string term = NewTerm(g, "Trip");
  std::string table = LoadTutorialTable("atlas_emr.trip_details@primary");
  ASSERT_FALSE(table.empty());

  auto assign = srv().Post(kGlossary + "/terms/" + term + "/assignedEntities", json::array({{{"guid", table}}}));
  ASSERT_EQ(assign.status, 204) << assign.body;
  EXPECT_TRUE(assign.body.empty());
  // Assigning again is a no-op.
  EXPECT_EQ(srv().Post(kGlossary + "/terms/" + term + "/assignedEntities", json::array({{{"guid", table}}})).status,
            204);

  auto entity = srv().Get(kBase + "/entity/guid/" + table).Json()["entity"];
  ASSERT_EQ(entity["relationshipAttributes"]["meanings"].size(), 1u) << entity["relationshipAttributes"];
  json meaning = entity["relationshipAttributes"]["meanings"][0];
  EXPECT_EQ(meaning["guid"], term);
  EXPECT_EQ(meaning["relationshipType"], "AtlasGlossarySemanticAssignment");
  EXPECT_EQ(meaning["relationshipStatus"], "ACTIVE");

  json header = srv().Get(kBase + "/entity/guid/" + table + "/header").Json();
  ASSERT_EQ(header["meanings"].size(), 1u) << header;
  EXPECT_EQ(header["meanings"][0]["termGuid"], term);
  EXPECT_EQ(header["meaningNames"], json::array({"Trip"}));
  // A search result's header names the term too; another table's has none.
  auto meanings_in_search = [&](const std::string& guid) {
    json found = srv().Get(kBase + "/search/basic?typeName=hive_table&query=trip").Json();
    for (const json& e : found.value("entities", json::array()))
      if (e["guid"] == guid) return e["meaningNames"];
    return json("not found");
  };
  EXPECT_EQ(meanings_in_search(table), json::array({"Trip"}));
  std::string other = srv().Get(kBase + "/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=" +
                                UrlEncode("atlas_emr.trip_zone_lookup@primary"))
                          .Json()["entity"]
                          .value("guid", "");
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(meanings_in_search(other), json::array());

  auto assigned = srv().Get(kGlossary + "/terms/" + term + "/assignedEntities");
  ASSERT_EQ(assigned.status, 200);
  ASSERT_EQ(assigned.Json().size(), 1u);
  EXPECT_EQ(assigned.Json()[0]["guid"], table);
  EXPECT_EQ(assigned.Json()[0]["typeName"], "hive_table");
  EXPECT_EQ(assigned.Json()[0]["displayText"], "trip_details");
  std::string relationship = assigned.Json()[0]["relationshipGuid"];
  EXPECT_EQ(srv().Get(kGlossary + "/term/" + term).Json()["assignedEntities"].size(), 1u);

  // An assigned term cannot be deleted, nor its glossary.
  ExpectError(srv().Delete(kGlossary + "/term/" + term), 400, "ATLAS-400-00-086");
  ExpectError(srv().Delete(kGlossary + "/" + g), 400, "ATLAS-400-00-086");

  ExpectError(srv().Delete(kGlossary + "/terms/" + term + "/assignedEntities",
                           json::array({{{"guid", table}, {"relationshipGuid", "no-such-relationship"}}}).dump()),
              400, "ATLAS-400-00-080");
  auto unassign = srv().Delete(kGlossary + "/terms/" + term + "/assignedEntities",
                               json::array({{{"guid", table}, {"relationshipGuid", relationship}}}).dump());
  ASSERT_EQ(unassign.status, 204) << unassign.body;
  header = srv().Get(kBase + "/entity/guid/" + table + "/header").Json();
  EXPECT_TRUE(header["meanings"].empty()) << header;
  EXPECT_TRUE(header["meaningNames"].empty());
  EXPECT_EQ(meanings_in_search(table), json::array());
  EXPECT_TRUE(srv().Get(kGlossary + "/terms/" + term + "/assignedEntities").Json().empty());

  // Both changes are audited on the entity, newest first.
  json table_audit = srv().Get(kBase + "/entity/" + table + "/audit").Json();
  ASSERT_GE(table_audit.size(), 2u) << table_audit;
  EXPECT_EQ(table_audit[0]["action"], "TERM_DELETE");
  EXPECT_EQ(table_audit[1]["action"], "TERM_ADD");

  auto deleted = srv().Delete(kGlossary + "/term/" + term);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  ExpectError(srv().Get(kGlossary + "/term/" + term), 404, "ATLAS-404-00-005");
  EXPECT_FALSE(srv().Get(kGlossary + "/" + g).Json().contains("terms"));
  // The deletion is audited like any entity's.
  auto audit = srv().Get(kBase + "/entity/" + term + "/audit");
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.Json()[0]["action"], "ENTITY_DELETE");
}

TEST_F(GlossaryApi, DeleteGlossaryDeletesTermsAndCategories) {
  std::string g = NewGlossary("Temporary");
  std::string t1 = NewTerm(g, "One");
  std::string t2 = NewTerm(g, "Two");
  auto cat = srv().Post(kGlossary + "/category", {{"name", "Numbers"}, {"anchor", {{"glossaryGuid", g}}}});
  ASSERT_EQ(cat.status, 200) << cat.body;
  std::string c = cat.Json()["guid"];

  auto del = srv().Delete(kGlossary + "/" + g);
  ASSERT_EQ(del.status, 204) << del.body;
  ExpectError(srv().Get(kGlossary + "/" + g), 404, "ATLAS-404-00-005");
  ExpectError(srv().Get(kGlossary + "/term/" + t1), 404, "ATLAS-404-00-005");
  ExpectError(srv().Get(kGlossary + "/term/" + t2), 404, "ATLAS-404-00-005");
  ExpectError(srv().Get(kGlossary + "/category/" + c), 404, "ATLAS-404-00-005");
  for (const json& x : srv().Get(kGlossary).Json()) EXPECT_NE(x["guid"], g);
  // The name is free again.
  EXPECT_FALSE(NewGlossary("Temporary").empty());
}

TEST_F(GlossaryApi, CategoryHierarchy) {
  std::string g = NewGlossary("Geo");
  auto region = srv().Post(kGlossary + "/category", {{"name", "Region"}, {"anchor", {{"glossaryGuid", g}}}});
  ASSERT_EQ(region.status, 200) << region.body;
  std::string parent = region.Json()["guid"];
  EXPECT_EQ(region.Json()["qualifiedName"], "Region@Geo");
  auto europe = srv().Post(
      kGlossary + "/category",
      {{"name", "Europe"}, {"anchor", {{"glossaryGuid", g}}}, {"parentCategory", {{"categoryGuid", parent}}}});
  ASSERT_EQ(europe.status, 200) << europe.body;
  std::string child = europe.Json()["guid"];
  EXPECT_EQ(europe.Json()["qualifiedName"], "Europe.Region@Geo");
  EXPECT_EQ(europe.Json()["parentCategory"]["categoryGuid"], parent);

  std::string term = NewTerm(g, "Country", {{"categories", {{{"categoryGuid", child}}}}});
  auto terms = srv().Get(kGlossary + "/category/" + child + "/terms");
  ASSERT_EQ(terms.Json().size(), 1u) << terms.body;
  EXPECT_EQ(terms.Json()[0]["termGuid"], term);

  auto related = srv().Get(kGlossary + "/category/" + parent + "/related").Json();
  ASSERT_EQ(related["children"].size(), 1u) << related;
  EXPECT_EQ(related["children"][0]["categoryGuid"], child);

  auto renamed = srv().Put(kGlossary + "/category/" + parent + "/partial", {{"name", "Regions"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(srv().Get(kGlossary + "/category/" + child).Json()["qualifiedName"], "Europe.Regions@Geo");

  auto headers = srv().Get(kGlossary + "/" + g + "/categories/headers").Json();
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0]["displayText"], "Europe");
  EXPECT_EQ(headers[0]["parentCategoryGuid"], parent);

  ASSERT_EQ(srv().Delete(kGlossary + "/category/" + parent).status, 204);
  auto orphan = srv().Get(kGlossary + "/category/" + child).Json();
  EXPECT_EQ(orphan["qualifiedName"], "Europe@Geo");
  EXPECT_FALSE(orphan.contains("parentCategory"));
}

TEST_F(GlossaryApi, FullUpdatesOfTermsAndCategories) {
  std::string from = NewGlossary("Old");
  std::string to = NewGlossary("New");
  std::string peer = NewTerm(from, "Peer");
  std::string term = NewTerm(from, "Mover", {{"seeAlso", {{{"termGuid", peer}}}}, {"usage", "u"}});

  // A full update replaces attributes and relations; a new anchor moves the term.
  auto moved = srv().Put(kGlossary + "/term/" + term, {{"name", "Mover"},
                                                       {"anchor", {{"glossaryGuid", to}}},
                                                       {"shortDescription", "moved"},
                                                       {"antonyms", {{{"termGuid", peer}}}}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  json t = moved.Json();
  EXPECT_EQ(t["qualifiedName"], "Mover@New");
  EXPECT_EQ(t["anchor"]["glossaryGuid"], to);
  EXPECT_EQ(t["shortDescription"], "moved");
  EXPECT_FALSE(t.contains("usage"));
  EXPECT_FALSE(t.contains("seeAlso"));
  ASSERT_EQ(t["antonyms"].size(), 1u);
  EXPECT_EQ(srv().Get(kGlossary + "/" + from).Json()["terms"].size(), 1u);
  EXPECT_EQ(srv().Get(kGlossary + "/" + to).Json()["terms"].size(), 1u);

  auto cats = srv().Post(kGlossary + "/categories", json::array({{{"name", "A"}, {"anchor", {{"glossaryGuid", to}}}},
                                                                 {{"name", "B"}, {"anchor", {{"glossaryGuid", to}}}}}));
  ASSERT_EQ(cats.status, 200) << cats.body;
  std::string a = cats.Json()[0]["guid"], b = cats.Json()[1]["guid"];
  auto updated = srv().Put(kGlossary + "/category/" + a, {{"name", "A"},
                                                          {"longDescription", "top"},
                                                          {"childrenCategories", {{{"categoryGuid", b}}}},
                                                          {"terms", {{{"termGuid", term}, {"status", "DRAFT"}}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json()["childrenCategories"][0]["categoryGuid"], b);
  EXPECT_EQ(updated.Json()["terms"][0]["status"], "DRAFT");
  EXPECT_EQ(srv().Get(kGlossary + "/category/" + b).Json()["qualifiedName"], "B.A@New");
  EXPECT_EQ(srv().Get(kGlossary + "/term/" + term).Json()["categories"][0]["categoryGuid"], a);
  // A category cannot adopt its own ancestor, nor a category of another glossary.
  ExpectError(srv().Put(kGlossary + "/category/" + b, {{"name", "B"}, {"childrenCategories", {{{"categoryGuid", a}}}}}),
              400, "ATLAS-400-00-01A");
  auto other = srv().Post(kGlossary + "/category", {{"name", "C"}, {"anchor", {{"glossaryGuid", from}}}});
  ASSERT_EQ(other.status, 200);
  ExpectError(srv().Put(kGlossary + "/category/" + a,
                        {{"name", "A"}, {"childrenCategories", {{{"categoryGuid", other.Json()["guid"]}}}}}),
              400, "ATLAS-400-00-07F");

  // Dropping the child makes it a top-level category again.
  ASSERT_EQ(srv().Put(kGlossary + "/category/" + a, {{"name", "A"}}).status, 200);
  EXPECT_EQ(srv().Get(kGlossary + "/category/" + b).Json()["qualifiedName"], "B@New");
}

TEST_F(GlossaryApi, ImportCsv) {
  auto tmpl = srv().Get(kGlossary + "/import/template");
  ASSERT_EQ(tmpl.status, 200);
  EXPECT_EQ(tmpl.body.rfind("GlossaryName,TermName,ShortDescription", 0), 0u) << tmpl.body;

  std::string existing = NewGlossary("Imported");
  const std::string csv =
      "GlossaryName,TermName,ShortDescription,LongDescription,Examples,Abbreviation,Usage,AdditionalAttributes,"
      "TranslationTerms,ValidValuesFor,Synonyms,ReplacedBy,ValidValues,ReplacementTerms,SeeAlso,TranslatedTerms,IsA,"
      "Antonyms,Classifies,PreferredToTerms,PreferredTerms\n"
      "Imported,Customer,\"A buyer, usually\",,one|two,CUST,,owner:crm,,,Client,,,,,,,,,,\n"
      "Imported,Client,Same as customer,,,,,,,,,,,,FreshGlossary:Account,,,,,,\n"
      "FreshGlossary,Account,,,,,,,,,,,,,,,,,,,\n"
      "Imported,Customer,duplicate row,,,,,,,,,,,,,,,,,,\n"
      "Imported,Broken,,,,,,,,,,,,,,,,Nowhere:Nothing,,,\n";
  const std::string boundary = "----meridian-boundary";
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"terms.csv\"\r\n"
                     "Content-Type: text/csv\r\n\r\n" +
                     csv + "\r\n--" + boundary + "--\r\n";
  auto r = Request(srv().port(), "POST", kGlossary + "/import", body, "admin:admin",
                   {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  ASSERT_EQ(r.status, 200) << r.body;
  json result = r.Json();
  EXPECT_EQ(result["successImportInfoList"].size(), 3u) << result;
  ASSERT_EQ(result["failedImportInfoList"].size(), 2u) << result;
  EXPECT_EQ(result["failedImportInfoList"][0]["childObjectName"], "Customer");  // duplicate
  EXPECT_EQ(result["failedImportInfoList"][1]["childObjectName"], "Broken");    // created, relation unresolved

  json terms = srv().Get(kGlossary + "/" + existing + "/terms").Json();
  ASSERT_EQ(terms.size(), 3u) << terms;
  json customer = terms[2];
  EXPECT_EQ(customer["name"], "Customer");
  EXPECT_EQ(customer["shortDescription"], "A buyer, usually");
  EXPECT_EQ(customer["examples"], json::array({"one", "two"}));
  EXPECT_EQ(customer["additionalAttributes"]["owner"], "crm");
  ASSERT_EQ(customer["synonyms"].size(), 1u);
  EXPECT_EQ(customer["synonyms"][0]["displayText"], "Client");
  json client = terms[1];
  ASSERT_EQ(client["seeAlso"].size(), 1u) << client;
  EXPECT_EQ(client["seeAlso"][0]["qualifiedName"], "Account@FreshGlossary");
}

TEST_F(GlossaryApi, BadInputs) {
  std::string g = NewGlossary("Strict");
  std::string term = NewTerm(g, "Valid");
  EXPECT_EQ(Request(srv().port(), "POST", kGlossary, "{not json").status, 400);
  ExpectError(srv().Post(kGlossary, json::object()), 400, "ATLAS-400-00-079");
  ExpectError(srv().Post(kGlossary, {{"name", "a@b"}}), 400, "ATLAS-400-00-083");
  ExpectError(srv().Post(kGlossary + "/term", {{"name", "x.y"}, {"anchor", {{"glossaryGuid", g}}}}), 400,
              "ATLAS-400-00-083");
  ExpectError(srv().Post(kGlossary + "/term", {{"name", "NoAnchor"}}), 400, "ATLAS-400-00-072");
  ExpectError(srv().Post(kGlossary + "/term", {{"name", "Lost"}, {"anchor", {{"glossaryGuid", "no-such-guid"}}}}), 404,
              "ATLAS-404-00-005");
  ExpectError(srv().Post(kGlossary + "/terms", json::array()), 400, "ATLAS-400-00-01A");
  ExpectError(srv().Get(kGlossary + "/no-such-guid"), 404, "ATLAS-404-00-005");
  ExpectError(srv().Get(kGlossary + "/term/" + g), 404, "ATLAS-404-00-005");  // a glossary is not a term
  ExpectError(srv().Put(kGlossary + "/term/" + term + "/partial", {{"owner", "me"}}), 400, "ATLAS-400-00-074");
  ExpectError(srv().Put(kGlossary + "/term/" + term, {{"name", "Valid"}, {"seeAlso", {{{"termGuid", term}}}}}), 400,
              "ATLAS-400-00-07E");
  ExpectError(srv().Post(kGlossary + "/terms/" + term + "/assignedEntities", {{"guid", "x"}}), 400, "ATLAS-400-00-01A");
  ExpectError(srv().Post(kGlossary + "/terms/" + term + "/assignedEntities", json::array({{{"guid", "missing"}}})), 404,
              "ATLAS-404-00-005");
  ExpectError(srv().Post(kGlossary + "/terms/" + term + "/assignedEntities", json::array({{{"guid", g}}})), 400,
              "ATLAS-400-00-01A");  // glossaries have no meanings
  ExpectError(srv().Delete(kGlossary + "/terms/" + term + "/assignedEntities", json::array({json::object()}).dump()),
              400, "ATLAS-400-00-078");
  ExpectError(srv().Post(kGlossary + "/category", {{"anchor", {{"glossaryGuid", g}}}}), 400, "ATLAS-400-00-082");
  EXPECT_EQ(srv().Get(kGlossary, /*auth=*/"").status, 401);
}

}  // namespace
}  // namespace meridian::testing
