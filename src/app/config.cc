#include "config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <toml++/toml.h>

namespace meridian::app {

namespace {

// [server] workers, heavy_workers, write_workers, max_connections, max_connections_per_address,
// tls_cert, tls_key; [server.deadlines] cheap_ms/write_ms/heavy_ms; [server.queues] cheap/write/heavy.
Status ServerOptionsFromToml(toml::table& t, Config* c) {
  server::ServerOptions& o = c->server;
  auto get = [](toml::node_view<toml::node> n, int def) { return static_cast<int>(n.value_or<int64_t>(def)); };
  auto s = t["server"];
  o.workers = get(s["workers"], o.workers);
  o.heavy_workers = get(s["heavy_workers"], o.heavy_workers);
  o.write_workers = get(s["write_workers"], o.write_workers);
  o.max_connections = get(s["max_connections"], o.max_connections);
  o.max_connections_per_address = get(s["max_connections_per_address"], o.max_connections_per_address);
  o.tls_cert = s["tls_cert"].value_or(o.tls_cert);
  o.tls_key = s["tls_key"].value_or(o.tls_key);
  o.deadline_cheap_ms = get(s["deadlines"]["cheap_ms"], o.deadline_cheap_ms);
  o.deadline_write_ms = get(s["deadlines"]["write_ms"], o.deadline_write_ms);
  o.deadline_heavy_ms = get(s["deadlines"]["heavy_ms"], o.deadline_heavy_ms);
  o.queue_cheap = get(s["queues"]["cheap"], o.queue_cheap);
  o.queue_write = get(s["queues"]["write"], o.queue_write);
  o.queue_heavy = get(s["queues"]["heavy"], o.queue_heavy);
  if (o.workers < 1 || o.threads < 1) return Status::InvalidArgument("[server] workers and threads must be at least 1");
  for (int v : {o.deadline_cheap_ms, o.deadline_write_ms, o.deadline_heavy_ms, o.queue_cheap, o.queue_write, o.queue_heavy})
    if (v < 1) return Status::InvalidArgument("[server.deadlines] and [server.queues] values must be at least 1");
  return Status::Ok();
}

}  // namespace

Status LoadConfigFile(const std::string& path, bool required, Config* c) {
  if (!std::filesystem::exists(path)) {
    if (required) return Status::InvalidArgument("config file " + path + " does not exist");
    return Status::Ok();
  }
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("config file " + path + ": " + std::string(e.description()));
  }
  c->server.bind = t["server"]["bind"].value_or(c->server.bind);
  c->server.port = static_cast<uint16_t>(t["server"]["port"].value_or<int64_t>(c->server.port));
  c->server.threads = static_cast<int>(t["server"]["threads"].value_or<int64_t>(c->server.threads));
  if (Status s = ServerOptionsFromToml(t, c); !s.ok())
    return Status::InvalidArgument("config file " + path + ": " + s.message());
  c->server.max_body_bytes = t["server"]["max_body_bytes"].value_or<int64_t>(c->server.max_body_bytes);
  c->server.max_header_bytes =
      static_cast<uint32_t>(t["server"]["max_header_bytes"].value_or<int64_t>(c->server.max_header_bytes));
  c->server.read_timeout_s = static_cast<int>(t["server"]["read_timeout_s"].value_or<int64_t>(c->server.read_timeout_s));
  c->server.idle_timeout_s = static_cast<int>(t["server"]["idle_timeout_s"].value_or<int64_t>(c->server.idle_timeout_s));
  c->ui_dir = t["server"]["ui_dir"].value_or(c->ui_dir);
  c->data_dir = t["store"]["data_dir"].value_or(c->data_dir);
  c->store.block_cache_mb = t["store"]["block_cache_mb"].value_or<int64_t>(c->store.block_cache_mb);
  c->store.sync_writes = t["store"]["sync_writes"].value_or(c->store.sync_writes);
  c->store.memtable_budget_mb =
      t["store"]["memtable_budget_mb"].value_or<int64_t>(static_cast<int64_t>(c->store.memtable_budget_mb));
  c->max_entities_per_request =
      t["catalog"]["max_entities_per_request"].value_or<int64_t>(c->max_entities_per_request);
  c->users_file = t["auth"]["users_file"].value_or(c->users_file);
  c->session_ttl_s = static_cast<int>(t["auth"]["session_ttl_s"].value_or<int64_t>(c->session_ttl_s));
  auth::ThrottleOptions& th = c->login_throttle;
  th.max_user_failures = static_cast<int>(t["auth"]["max_user_failures"].value_or<int64_t>(th.max_user_failures));
  th.max_address_failures =
      static_cast<int>(t["auth"]["max_address_failures"].value_or<int64_t>(th.max_address_failures));
  th.window = std::chrono::milliseconds(t["auth"]["failure_window_ms"].value_or<int64_t>(th.window.count()));
  th.first_delay = std::chrono::milliseconds(t["auth"]["first_lock_ms"].value_or<int64_t>(th.first_delay.count()));
  th.max_delay = std::chrono::milliseconds(t["auth"]["max_lock_ms"].value_or<int64_t>(th.max_delay.count()));
  c->lineage_max_nodes = static_cast<int>(t["lineage"]["max_nodes"].value_or<int64_t>(c->lineage_max_nodes));
  c->search_default_limit = static_cast<int>(t["search"]["default_limit"].value_or<int64_t>(c->search_default_limit));
  c->search_max_limit = static_cast<int>(t["search"]["max_limit"].value_or<int64_t>(c->search_max_limit));
  notify::FeedOptions& n = c->notifications;
  n.max_entries = static_cast<uint64_t>(
      std::max<int64_t>(0, t["notifications"]["max_entries"].value_or<int64_t>(static_cast<int64_t>(n.max_entries))));
  n.max_age_s = t["notifications"]["max_age_s"].value_or<int64_t>(int64_t{n.max_age_s});
  n.prune_interval_s = static_cast<int>(t["notifications"]["prune_interval_s"].value_or<int64_t>(n.prune_interval_s));
  n.max_wait_ms = static_cast<int>(t["notifications"]["max_wait_ms"].value_or<int64_t>(n.max_wait_ms));
  n.max_waiters = static_cast<int>(t["notifications"]["max_waiters"].value_or<int64_t>(n.max_waiters));
  c->openlineage.default_cluster = t["openlineage"]["cluster"].value_or(c->openlineage.default_cluster);
  if (auto* metastores = t["openlineage"]["metastores"].as_table()) {
    for (const auto& [ns, cluster] : *metastores) {
      auto name = cluster.value<std::string>();
      if (!name) return Status::InvalidArgument("[openlineage.metastores] \"" + std::string(ns.str()) + "\" must name a cluster");
      std::string key(ns.str());
      for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (key.rfind("thrift://", 0) == 0) key = "hive://" + key.substr(9);
      c->openlineage.metastore_clusters[key] = *name;
    }
  }
  exchange::ExchangeOptions& ex = c->exchange;
  ex.work_dir = t["exchange"]["work_dir"].value_or(ex.work_dir);
  ex.import_folder = t["exchange"]["import_folder"].value_or(ex.import_folder);
  ex.cluster_name = t["exchange"]["cluster_name"].value_or(ex.cluster_name);
  ex.batch_entities = static_cast<size_t>(
      std::max<int64_t>(1, t["exchange"]["batch_entities"].value_or<int64_t>(static_cast<int64_t>(ex.batch_entities))));
  ex.limits.max_entries = t["exchange"]["max_entries"].value_or<int64_t>(static_cast<int64_t>(ex.limits.max_entries));
  ex.limits.max_expanded_bytes =
      t["exchange"]["max_expanded_bytes"].value_or<int64_t>(static_cast<int64_t>(ex.limits.max_expanded_bytes));
  ex.limits.max_entry_bytes =
      t["exchange"]["max_entry_bytes"].value_or<int64_t>(static_cast<int64_t>(ex.limits.max_entry_bytes));
  c->kafka_bootstrap_servers = t["kafka"]["bootstrap_servers"].value_or(c->kafka_bootstrap_servers);
  c->kafka_group_id = t["kafka"]["group_id"].value_or(c->kafka_group_id);
  if (auto* topics = t["kafka"]["hook_topics"].as_array()) {
    c->kafka_hook_topics.clear();
    for (auto& topic : *topics) {
      auto name = topic.value<std::string>();
      if (!name || name->empty()) return Status::InvalidArgument("config file " + path + ": [kafka] hook_topics must be names");
      c->kafka_hook_topics.push_back(*name);
    }
  }
  if (auto* props = t["kafka"]["properties"].as_table()) {
    for (auto& [key, value] : *props) {
      auto v = value.value<std::string>();
      if (!v) return Status::InvalidArgument("config file " + path + ": [kafka.properties] values must be strings");
      c->kafka_properties[std::string(key.str())] = *v;
    }
  }
  ha::HaOptions& h = c->ha;
  h.zookeeper = t["ha"]["zookeeper"].value_or(h.zookeeper);
  h.root = t["ha"]["root"].value_or(h.root);
  h.server_id = t["ha"]["server_id"].value_or(h.server_id);
  h.url = t["ha"]["url"].value_or(h.url);
  h.cluster_secret = t["ha"]["cluster_secret"].value_or(h.cluster_secret);
  const std::string ack = t["ha"]["ack"].value_or(std::string(h.quorum_ack ? "quorum" : "leader"));
  if (ack != "leader" && ack != "quorum")
    return Status::InvalidArgument("config file " + path + ": [ha] ack must be \"leader\" or \"quorum\"");
  h.quorum_ack = ack == "quorum";
  h.quorum_timeout_ms = static_cast<int>(t["ha"]["quorum_timeout_ms"].value_or<int64_t>(h.quorum_timeout_ms));
  h.session_timeout_ms = static_cast<int>(t["ha"]["session_timeout_ms"].value_or<int64_t>(h.session_timeout_ms));
  h.read_wait_ms = static_cast<int>(t["ha"]["read_wait_ms"].value_or<int64_t>(h.read_wait_ms));
  h.wal_retention_mb =
      static_cast<size_t>(std::max<int64_t>(0, t["ha"]["wal_retention_mb"].value_or<int64_t>(static_cast<int64_t>(h.wal_retention_mb))));
  return Status::Ok();
}

}  // namespace meridian::app
