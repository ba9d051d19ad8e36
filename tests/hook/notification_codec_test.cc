// The notification envelope codec and the hook payload decoding, without Kafka or a server.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "meridian/hook/hook_message.h"
#include "meridian/hook/notification_codec.h"

namespace meridian::hook {
namespace {

using nlohmann::json;

json TutorialRecords() {
  std::ifstream in(std::string(MERIDIAN_FIXTURES_DIR) + "/hook/atlas_emr_messages.json");
  return json::parse(in);
}

json Payload(const std::string& type) { return {{"type", type}, {"user", "etl"}}; }

std::vector<catalog::HookPart> Parts(const std::vector<std::string>& records) {
  std::vector<catalog::HookPart> out;
  for (const auto& r : records) {
    auto d = DecodeRecord(r);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_TRUE(d->is_part);
    out.push_back(d->part);
  }
  return out;
}

TEST(NotificationCodec, PlainEnvelope) {
  json env = MakeEnvelope(Payload("ENTITY_DELETE_V2"), "hive", 1767225600000);
  auto d = DecodeRecord(env.dump());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->is_part);
  EXPECT_EQ(d->payload["type"], "ENTITY_DELETE_V2");
  EXPECT_EQ(d->created_by, "hive");
  EXPECT_EQ(d->creation_time, 1767225600000);
}

TEST(NotificationCodec, LegacyRecordWithoutVersionIsThePayload) {
  auto d = DecodeRecord(Payload("ENTITY_CREATE").dump());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->payload["type"], "ENTITY_CREATE");
}

TEST(NotificationCodec, VersionsUpTo100AreReadNewerAreRefused) {
  for (const char* v : {"1", "1.0", "1.0.0", "0.9"}) {
    json env = MakeEnvelope(Payload("ENTITY_CREATE_V2"), "", 0);
    env["version"]["version"] = v;
    EXPECT_TRUE(DecodeRecord(env.dump()).ok()) << v;
  }
  for (const char* v : {"1.0.1", "2.0.0", "1.1"}) {
    json env = MakeEnvelope(Payload("ENTITY_CREATE_V2"), "", 0);
    env["version"]["version"] = v;
    auto d = DecodeRecord(env.dump());
    ASSERT_FALSE(d.ok()) << v;
    EXPECT_NE(d.status().message().find("incompatible message version"), std::string::npos);
  }
}

TEST(NotificationCodec, GzipRecordWrittenByPython) {
  // The tutorial's CTAS record was compressed with Python's gzip and base64.
  const std::string record = TutorialRecords()["create"].back();
  ASSERT_NE(record.find("\"GZIP\""), std::string::npos);
  auto d = DecodeRecord(record);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->payload["type"], "ENTITY_CREATE_V2");
  EXPECT_EQ(d->created_by, "hive");
  EXPECT_EQ(d->payload["entities"]["entities"].size(), 14u);  // ddl, process, execution, 11 column lineages
}

TEST(NotificationCodec, SplitRecordsWrittenByPythonJoinInAnyOrder) {
  const json create = TutorialRecords()["create"];
  std::vector<std::string> records{create[1], create[2], create[3]};  // parts 2, 0, 1
  auto parts = Parts(records);
  EXPECT_EQ(parts[0].index, 2);
  EXPECT_EQ(parts[0].count, 3);
  auto joined = JoinParts(parts);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(joined->payload["entities"]["entities"][0]["attributes"]["qualifiedName"],
            "atlas_emr.trip_details@primary");
  parts.pop_back();
  EXPECT_FALSE(JoinParts(parts).ok());
}

TEST(NotificationCodec, EncodeKeepsSmallRecordsCompressesThenSplitsLargeOnes) {
  json big = Payload("ENTITY_CREATE_V2");
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i * 7919 % 10007) + ",";
  big["entities"] = {{"entities", json::array({{{"typeName", "hive_db"}, {"attributes", {{"description", text}}}}})}};
  json env = MakeEnvelope(big, "hive", 1);

  auto one = EncodeRecords(env, 10u << 20);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(json::parse(one[0]), env);

  auto compressed = EncodeRecords(env, env.dump().size() - 1);
  ASSERT_EQ(compressed.size(), 1u);
  EXPECT_EQ(json::parse(compressed[0])["msgCompressionKind"], "GZIP");
  auto d = DecodeRecord(compressed[0]);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->payload, big);

  auto split = EncodeRecords(env, 1000);
  ASSERT_GT(split.size(), 2u);
  std::reverse(split.begin(), split.end());
  auto joined = JoinParts(Parts(split));
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(joined->payload, big);
  EXPECT_EQ(joined->created_by, "hive");

  auto uncompressed = EncodeRecords(env, 1000, false);
  EXPECT_EQ(json::parse(uncompressed[0])["msgCompressionKind"], "NONE");
  EXPECT_EQ(JoinParts(Parts(uncompressed))->payload, big);
}

TEST(NotificationCodec, BadRecords) {
  for (const std::string bad : {
           std::string("not json"), std::string("[1,2]"),
           json{{"version", {{"version", "1.0.0"}}}, {"message", "text"}}.dump(),
           json{{"version", {{"version", "1.0.0"}}}, {"msgCompressionKind", "GZIP"}, {"message", "!!!!"}}.dump(),
           json{{"version", {{"version", "1.0.0"}}}, {"msgCompressionKind", "GZIP"},
                {"message", GzipBase64("x").substr(0, 12)}}.dump(),
           json{{"version", {{"version", "1.0.0"}}}, {"msgCompressionKind", "LZ4"}, {"message", json::object()}}.dump(),
           json{{"version", {{"version", "1.0.0"}}}, {"msgSplitCount", 3}, {"msgSplitIdx", 0}, {"message", "a"}}.dump(),
           json{{"version", {{"version", "1.0.0"}}}, {"msgId", "m"}, {"msgSplitCount", 3}, {"msgSplitIdx", 3},
                {"message", "a"}}.dump()}) {
    auto d = DecodeRecord(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) EXPECT_EQ(d.status().atlas_code(), "ATLAS-400-00-01A");
  }
  EXPECT_EQ(*GunzipBase64(GzipBase64("hello")), "hello");
}

TEST(HookMessage, V2Payloads) {
  json create = Payload("ENTITY_FULL_UPDATE_V2");
  create["entities"] = {{"entities", json::array({{{"typeName", "hive_db"}}})}, {"referredEntities", {{"-1", {}}}}};
  auto c = ChangeOf(create, "hive");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, catalog::HookChange::Kind::kUpsert);
  EXPECT_EQ(c->user, "etl");
  EXPECT_EQ(c->referred.size(), 1u);

  json partial = Payload("ENTITY_PARTIAL_UPDATE_V2");
  partial["user"] = "";
  partial["entityId"] = {{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", "a.b@c"}}}};
  partial["entity"] = {{"entity", {{"typeName", "hive_table"}, {"attributes", {{"name", "x"}}}}}};
  c = ChangeOf(partial, "hive");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, catalog::HookChange::Kind::kPartialUpdate);
  EXPECT_EQ(c->user, "hive");  // empty user: msgCreatedBy
  EXPECT_EQ(c->attributes, (json{{"name", "x"}}));

  json del = Payload("ENTITY_DELETE_V2");
  del["entities"] = json::array({partial["entityId"]});
  c = ChangeOf(del, "");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, catalog::HookChange::Kind::kDelete);
  EXPECT_EQ(c->ids.size(), 1u);

  json no_user = Payload("ENTITY_DELETE_V2");
  no_user.erase("user");
  no_user["entities"] = json::array();
  EXPECT_EQ(ChangeOf(no_user, "")->user, "UNKNOWN");

  EXPECT_FALSE(ChangeOf(Payload("ENTITY_CREATE_V2"), "").ok());
  EXPECT_FALSE(ChangeOf(Payload("TYPE_CREATE"), "").ok());
  EXPECT_FALSE(ChangeOf(json::array(), "").ok());
}

TEST(HookMessage, V1ReferenceablesBecomeEntities) {
  const std::string ref = "org.apache.atlas.typesystem.json.InstanceSerialization$_Reference";
  const std::string id = "org.apache.atlas.typesystem.json.InstanceSerialization$_Id";
  const std::string st = "org.apache.atlas.typesystem.json.InstanceSerialization$_Struct";
  json process = {
      {"jsonClass", ref},
      {"id", {{"jsonClass", id}, {"id", "-100"}, {"version", 0}, {"typeName", "sqoop_process"}, {"state", "ACTIVE"}}},
      {"typeName", "sqoop_process"},
      {"values",
       {{"qualifiedName", "sqoop import orders@cm"},
        {"inputs", json::array({{{"jsonClass", id}, {"id", "-101"}, {"typeName", "sqoop_dbdatastore"}}})},
        {"outputs", json::array({{{"jsonClass", ref},
                                  {"id", {{"jsonClass", id}, {"id", "-102"}, {"typeName", "hive_table"}}},
                                  {"typeName", "hive_table"},
                                  {"values", {{"qualifiedName", "s.orders@cm"}}}}})},
        {"serde", {{"jsonClass", st}, {"typeName", "hive_serde"}, {"values", {{"name", "lazy"}}}}}}},
      {"traitNames", json::array({"PII"})},
      {"traits", {{"PII", {{"jsonClass", st}, {"typeName", "PII"}, {"values", {{"level", "high"}}}}}}}};
  auto c = ChangeOf({{"type", "ENTITY_CREATE"}, {"user", "sqoop"}, {"entities", json::array({process})}}, "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->entities.size(), 1u);
  const json& e = c->entities[0];
  EXPECT_EQ(e["guid"], "-100");
  EXPECT_EQ(e["typeName"], "sqoop_process");
  EXPECT_EQ(e["attributes"]["inputs"][0], (json{{"guid", "-101"}, {"typeName", "sqoop_dbdatastore"}}));
  EXPECT_EQ(e["attributes"]["outputs"][0], (json{{"guid", "-102"}, {"typeName", "hive_table"}}));
  EXPECT_EQ(e["attributes"]["serde"], (json{{"typeName", "hive_serde"}, {"attributes", {{"name", "lazy"}}}}));
  EXPECT_EQ(e["classifications"][0], (json{{"typeName", "PII"}, {"attributes", {{"level", "high"}}}}));
  ASSERT_TRUE(c->referred.contains("-102"));
  EXPECT_EQ(c->referred["-102"]["attributes"]["qualifiedName"], "s.orders@cm");

  auto p = ChangeOf({{"type", "ENTITY_PARTIAL_UPDATE"}, {"typeName", "hive_table"}, {"attribute", "qualifiedName"},
                     {"attributeValue", "s.orders@cm"},
                     {"entity", {{"jsonClass", ref}, {"typeName", "hive_table"}, {"values", {{"description", "d"}}}}}},
                    "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->entity_id, (json{{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", "s.orders@cm"}}}}));
  EXPECT_EQ(p->attributes, (json{{"description", "d"}}));

  auto d = ChangeOf({{"type", "ENTITY_DELETE"}, {"typeName", "hive_table"}, {"attribute", "qualifiedName"},
                     {"attributeValue", "s.orders@cm"}}, "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ids[0]["uniqueAttributes"]["qualifiedName"], "s.orders@cm");
  EXPECT_FALSE(ChangeOf({{"type", "ENTITY_DELETE"}, {"typeName", "hive_table"}}, "").ok());
}

}  // namespace
}  // namespace meridian::hook
