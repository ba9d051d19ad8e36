#include "meridian/importer/metastore_client.h"

#include <thrift/TApplicationException.h>
#include <thrift/TOutput.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include <exception>
#include <sstream>

#include "ThriftHiveMetastore.h"
#include "thrift_convert.h"

namespace meridian::importer {

namespace tp = apache::thrift::protocol;
namespace tt = apache::thrift::transport;

const char* PrincipalTypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kUser: return "USER";
    case PrincipalType::kRole: return "ROLE";
    case PrincipalType::kGroup: return "GROUP";
  }
  return "";
}

Result<std::pair<std::string, int>> ParseThriftUri(const std::string& uri) {
  constexpr std::string_view kScheme = "thrift://";
  if (uri.rfind(kScheme, 0) != 0) {
    return Status::InvalidArgument("metastore URI must look like thrift://host:9083: " + uri);
  }
  std::string rest = uri.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  std::string host = rest;
  int port = 9083;
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    try {
      size_t used = 0;
      port = std::stoi(rest.substr(colon + 1), &used);
      if (used != rest.size() - colon - 1 || port <= 0 || port > 65535) throw std::out_of_range("");
    } catch (const std::exception&) {
      return Status::InvalidArgument("bad port in metastore URI: " + uri);
    }
  }
  if (host.empty()) return Status::InvalidArgument("no host in metastore URI: " + uri);
  return std::make_pair(host, port);
}

struct MetastoreClient::Impl {
  MetastoreOptions options;
  std::string endpoint;
  std::shared_ptr<tt::TTransport> transport;
  std::unique_ptr<hms::ThriftHiveMetastoreClient> client;
  bool table_req_supported = true;
  bool batch_req_supported = true;

  // Runs one Thrift call and turns its exceptions into a Status.
  template <typename Fn>
  Status Call(const std::string& what, Fn&& fn) {
    try {
      fn();
      return Status::Ok();
    } catch (const hms::MetaException& e) {
      return Status::Internal("metastore " + endpoint + ": " + what + ": MetaException: " + e.message);
    } catch (const tt::TTransportException& e) {
      return Status::Unavailable("metastore " + endpoint + " went away during " + what + ": " +
                                 e.what() + " (is it a SASL/Kerberos, TLS or framed server?)");
    } catch (const apache::thrift::TApplicationException& e) {
      return Status::Internal("metastore " + endpoint + ": " + what + ": " + e.what());
    } catch (const apache::thrift::TException& e) {
      return Status::Internal("metastore " + endpoint + ": " + what + ": " + e.what());
    }
  }
};

MetastoreClient::MetastoreClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetastoreClient::~MetastoreClient() {
  if (impl_ && impl_->transport) {
    try {
      impl_->transport->close();
    } catch (const apache::thrift::TException&) {
      // Closing a dead connection is not worth reporting.
    }
  }
}

const std::string& MetastoreClient::endpoint() const { return impl_->endpoint; }

Result<std::unique_ptr<MetastoreClient>> MetastoreClient::Connect(const MetastoreOptions& options) {
  std::vector<std::string> uris;
  std::stringstream ss(options.uri);
  for (std::string part; std::getline(ss, part, ',');) {
    if (!part.empty()) uris.push_back(part);
  }
  if (uris.empty()) return Status::InvalidArgument("no metastore URI given");
  // Thrift prints transport errors to stderr itself; they come back as Status.
  apache::thrift::GlobalOutput.setOutputFunction([](const char*) {});
  std::string errors;
  for (const auto& uri : uris) {
    ASSIGN_OR_RETURN(auto host_port, ParseThriftUri(uri));
    auto socket = std::make_shared<tt::TSocket>(host_port.first, host_port.second);
    const int ms = static_cast<int>(options.timeout.count());
    socket->setConnTimeout(ms);
    socket->setRecvTimeout(ms);
    socket->setSendTimeout(ms);
    std::shared_ptr<tt::TTransport> transport;
    if (options.framed) {
      transport = std::make_shared<tt::TFramedTransport>(socket);
    } else {
      transport = std::make_shared<tt::TBufferedTransport>(socket);
    }
    std::shared_ptr<tp::TProtocol> protocol;
    if (options.compact) {
      protocol = std::make_shared<tp::TCompactProtocol>(transport);
    } else {
      protocol = std::make_shared<tp::TBinaryProtocol>(transport);
    }
    try {
      transport->open();
    } catch (const apache::thrift::TException& e) {
      errors += (errors.empty() ? "" : "; ") + uri + ": " + e.what();
      continue;
    }
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->endpoint = uri;
    impl->transport = transport;
    impl->client = std::make_unique<hms::ThriftHiveMetastoreClient>(protocol);
    return std::unique_ptr<MetastoreClient>(new MetastoreClient(std::move(impl)));
  }
  return Status::Unavailable("cannot reach the Hive metastore (" + errors + ")");
}

Result<std::vector<std::string>> MetastoreClient::GetAllDatabases() {
  std::vector<std::string> names;
  RETURN_IF_ERROR(impl_->Call("get_all_databases", [&] { impl_->client->get_all_databases(names); }));
  return names;
}

Result<std::optional<HiveDatabase>> MetastoreClient::GetDatabase(const std::string& name) {
  hms::Database db;
  bool missing = false;
  RETURN_IF_ERROR(impl_->Call("get_database(" + name + ")", [&] {
    try {
      impl_->client->get_database(db, name);
    } catch (const hms::NoSuchObjectException&) {
      missing = true;
    }
  }));
  if (missing) return std::optional<HiveDatabase>();
  return std::optional<HiveDatabase>(FromThrift(db));
}

Result<std::vector<std::string>> MetastoreClient::GetAllTables(const std::string& db) {
  std::vector<std::string> names;
  RETURN_IF_ERROR(impl_->Call("get_all_tables(" + db + ")",
                              [&] { impl_->client->get_all_tables(names, db); }));
  return names;
}

Result<std::optional<HiveTable>> MetastoreClient::GetTable(const std::string& db,
                                                           const std::string& name) {
  hms::Table table;
  bool missing = false;
  bool unknown_method = false;
  const std::string what = "get_table(" + db + "." + name + ")";
  if (impl_->table_req_supported) {
    RETURN_IF_ERROR(impl_->Call(what, [&] {
      try {
        hms::GetTableRequest req;
        req.__set_dbName(db);
        req.__set_tblName(name);
        hms::GetTableResult result;
        impl_->client->get_table_req(result, req);
        table = std::move(result.table);
      } catch (const hms::NoSuchObjectException&) {
        missing = true;
      } catch (const apache::thrift::TApplicationException& e) {
        if (e.getType() != apache::thrift::TApplicationException::UNKNOWN_METHOD) throw;
        unknown_method = true;
      }
    }));
    // A metastore older than 2.3 lacks get_table_req; the connection stays usable.
    if (unknown_method) impl_->table_req_supported = false;
  }
  if (!impl_->table_req_supported) {
    RETURN_IF_ERROR(impl_->Call(what, [&] {
      try {
        impl_->client->get_table(table, db, name);
      } catch (const hms::NoSuchObjectException&) {
        missing = true;
      }
    }));
  }
  if (missing) return std::optional<HiveTable>();
  return std::optional<HiveTable>(FromThrift(table));
}

Result<std::vector<HiveTable>> MetastoreClient::GetTables(const std::string& db,
                                                          const std::vector<std::string>& names) {
  std::vector<HiveTable> out;
  const size_t batch = std::max<size_t>(1, impl_->options.table_batch);
  for (size_t i = 0; i < names.size() && impl_->batch_req_supported; i += batch) {
    std::vector<std::string> chunk(names.begin() + i,
                                   names.begin() + std::min(names.size(), i + batch));
    bool unknown_method = false;
    bool unknown_db = false;
    std::optional<std::string> invalid_operation;
    hms::GetTablesResult result;
    RETURN_IF_ERROR(impl_->Call("get_table_objects_by_name_req(" + db + ")", [&] {
      try {
        hms::GetTablesRequest req;
        req.__set_dbName(db);
        req.__set_tblNames(chunk);
        impl_->client->get_table_objects_by_name_req(result, req);
      } catch (const hms::UnknownDBException&) {
        unknown_db = true;
      } catch (const hms::InvalidOperationException& e) {
        invalid_operation = e.message;
      } catch (const apache::thrift::TApplicationException& e) {
        if (e.getType() != apache::thrift::TApplicationException::UNKNOWN_METHOD) throw;
        unknown_method = true;
      }
    }));
    if (unknown_db) return std::vector<HiveTable>();
    if (invalid_operation) {
      return Status::Internal("metastore " + impl_->endpoint + ": get_table_objects_by_name_req(" +
                              db + "): InvalidOperationException: " + *invalid_operation);
    }
    if (unknown_method) {
      impl_->batch_req_supported = false;
      out.clear();
      break;
    }
    for (const auto& t : result.tables) out.push_back(FromThrift(t));
  }
  if (impl_->batch_req_supported) return out;
  for (const auto& name : names) {
    ASSIGN_OR_RETURN(auto table, GetTable(db, name));
    if (table) out.push_back(std::move(*table));
  }
  return out;
}

}  // namespace meridian::importer
