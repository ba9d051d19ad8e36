// Read-only client for a Hive metastore's Thrift API.
//
// Speaks the plain metastore protocol: an unframed socket with the binary
// protocol by default, framed transport and compact protocol on request.
// SASL/Kerberos, TLS and HTTP mode are not supported; such servers usually
// just drop the connection, which surfaces as kUnavailable.
// Errors: kUnavailable when the metastore cannot be reached or goes away,
// kInternal for a MetaException or a protocol mismatch.
// Thread-safety: one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/importer/hive_model.h"
#include "meridian/status.h"

namespace meridian::importer {

struct MetastoreOptions {
  // thrift://host:port, or a comma-separated list tried in order.
  std::string uri;
  // Default: false (hive.metastore.thrift.framed.transport.enabled).
  bool framed = false;
  // Default: false (hive.metastore.thrift.compact.protocol.enabled).
  bool compact = false;
  // Connect, send and receive timeout. Default: 60 s.
  std::chrono::milliseconds timeout{60000};
  // Tables fetched per get_table_objects_by_name_req call (Thrift caps a
  // message at 100 MB). Default: 50.
  size_t table_batch = 50;
};

class MetastoreClient {
 public:
  // Connects to the first reachable metastore of `options.uri`.
  static Result<std::unique_ptr<MetastoreClient>> Connect(const MetastoreOptions& options);
  ~MetastoreClient();
  MetastoreClient(const MetastoreClient&) = delete;
  MetastoreClient& operator=(const MetastoreClient&) = delete;

  // The URI actually connected to.
  const std::string& endpoint() const;

  Result<std::vector<std::string>> GetAllDatabases();
  // nullopt when the metastore has no such database.
  Result<std::optional<HiveDatabase>> GetDatabase(const std::string& name);
  // Table names of `db`; empty for an unknown database.
  Result<std::vector<std::string>> GetAllTables(const std::string& db);
  // Tables of `db` named in `names`, in batches; unknown names are skipped.
  Result<std::vector<HiveTable>> GetTables(const std::string& db,
                                           const std::vector<std::string>& names);
  // nullopt when the table does not exist.
  Result<std::optional<HiveTable>> GetTable(const std::string& db, const std::string& name);

 private:
  struct Impl;
  explicit MetastoreClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "thrift://host:port" into host and port. Port defaults to 9083.
Result<std::pair<std::string, int>> ParseThriftUri(const std::string& uri);

}  // namespace meridian::importer
