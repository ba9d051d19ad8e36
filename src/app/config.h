// Server configuration: defaults, then the TOML file, then command-line flags.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "meridian/auth/auth.h"
#include "meridian/notify/notification_feed.h"
#include "meridian/openlineage/openlineage.h"
#include "meridian/exchange/exchange.h"
#include "meridian/ha/node.h"
#include "meridian/server/http_server.h"
#include "meridian/status.h"
#include "meridian/store/store.h"

namespace meridian::app {

struct Config {
  server::ServerOptions server;
  store::StoreOptions store;
  std::string data_dir = "./data";
  std::string ui_dir;      // empty: <binary dir>/ui
  std::string users_file;  // empty: <data_dir>/users.json
  int session_ttl_s = 28800;
  auth::ThrottleOptions login_throttle;
  size_t max_entities_per_request = 10000;
  int lineage_max_nodes = 10000;
  int search_default_limit = 100;
  int search_max_limit = 10000;
  notify::FeedOptions notifications;
  openlineage::Options openlineage;
  // [exchange]: work_dir is <data_dir>/exchange unless set.
  exchange::ExchangeOptions exchange;
  // [kafka]: consume Atlas hook messages when bootstrap_servers is set.
  std::string kafka_bootstrap_servers;
  std::string kafka_group_id = "atlas";
  std::vector<std::string> kafka_hook_topics{"ATLAS_HOOK"};
  std::map<std::string, std::string> kafka_properties;  // [kafka.properties]: librdkafka settings
  // [ha]: a member of a high-availability cluster when zookeeper is set (docs/ha.md).
  ha::HaOptions ha;
};

// Reads `path` over the defaults in `config`. A missing optional file is fine.
Status LoadConfigFile(const std::string& path, bool required, Config* config);

}  // namespace meridian::app
