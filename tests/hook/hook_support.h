// Shared by the hook suites: the tutorial's hook records and lineage helpers.
#pragma once

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_server.h"

namespace meridian::hook::testing {

using nlohmann::json;
using meridian::testing::TestServer;
using meridian::testing::UrlEncode;

// tests/fixtures/hook/atlas_emr_messages.json: {"create": [...], "rename": [...], "drop": [...]}.
inline json TutorialRecords() {
  std::ifstream in(std::string(MERIDIAN_FIXTURES_DIR) + "/hook/atlas_emr_messages.json");
  return json::parse(in);
}

inline json HookStats(const TestServer& server) {
  return server.Get("/api/meridian/v1/admin/hook/failures?limit=1000").Json();
}

// Waits until the server has no hook record left to apply (at most 30 s); returns its failures answer.
inline json WaitApplied(const TestServer& server, uint64_t at_least_processed = 0) {
  json stats;
  for (int i = 0; i < 600; ++i) {
    stats = HookStats(server);
    const json& s = stats["stats"];
    if (s.is_object() && s["pending"] == 0 &&
        s["applied"].get<uint64_t>() + s["failed"].get<uint64_t>() >= at_least_processed)
      return stats;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "hook records still pending: " << stats.dump();
  return stats;
}

// The entity with that qualifiedName, or null.
inline json Entity(const TestServer& server, const std::string& type, const std::string& qn) {
  auto r = server.Get("/api/atlas/v2/entity/uniqueAttribute/type/" + type + "?attr:qualifiedName=" + UrlEncode(qn));
  return r.status == 200 ? r.Json()["entity"] : json();
}

// Lineage as dataset-to-dataset edges "type qn -> type qn" (processes collapsed).
inline std::set<std::string> DatasetEdges(const json& lineage) {
  std::set<std::string> edges;
  const json& nodes = lineage["guidEntityMap"];
  auto name = [&](const std::string& guid) {
    const json& e = nodes.at(guid);
    return e["typeName"].get<std::string>() + " " + e["attributes"]["qualifiedName"].get<std::string>();
  };
  auto is_process = [&](const std::string& guid) {
    const std::string t = nodes.at(guid).at("typeName");
    return t.find("process") != std::string::npos || t == "hive_column_lineage";
  };
  for (const json& in : lineage["relations"]) {
    const std::string p = in["toEntityId"];
    if (!is_process(p)) continue;
    for (const json& o : lineage["relations"])
      if (o["fromEntityId"] == p) edges.emplace(name(in["fromEntityId"]) + " -> " + name(o["toEntityId"]));
  }
  return edges;
}

}  // namespace meridian::hook::testing
