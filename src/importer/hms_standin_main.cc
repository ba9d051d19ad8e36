// meridian-hms-standin: a read-only Hive metastore Thrift server that serves
// databases and tables from a JSON fixture (see meridian/importer/fixture.h).
// Used by the import-hive tests and for trying the importer without Hive.
// It answers the methods of hive_metastore.thrift the way a 3.x metastore
// does, including the exception types of missing objects.

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <regex>

#include "ThriftHiveMetastore.h"
#include "meridian/importer/fixture.h"
#include "thrift_convert.h"

namespace meridian::importer {
namespace {

namespace tp = apache::thrift::protocol;
namespace tt = apache::thrift::transport;
namespace ts = apache::thrift::server;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Hive metastore patterns: '*' matches anything, '|' separates alternatives,
// matching is case-insensitive and covers the whole name.
bool MatchesHivePattern(const std::string& name, const std::string& pattern) {
  std::string regex;
  for (char c : pattern) {
    if (c == '*') {
      regex += ".*";
    } else if (c == '|') {
      regex += '|';
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      regex += c;
    } else {
      regex += '\\';
      regex += c;
    }
  }
  try {
    return std::regex_match(name, std::regex("(" + regex + ")", std::regex::icase));
  } catch (const std::regex_error&) {
    return false;
  }
}

class FixtureHandler : public hms::ThriftHiveMetastoreIf {
 public:
  explicit FixtureHandler(HiveCatalog catalog) {
    for (auto& db : catalog.databases) {
      db_order_.push_back(Lower(db.name));
      dbs_[Lower(db.name)] = ToThrift(db);
    }
    for (auto& t : catalog.tables) {
      std::string db = Lower(t.db_name);
      table_order_[db].push_back(Lower(t.table_name));
      tables_[db][Lower(t.table_name)] = ToThrift(t);
    }
  }

  void set_ugi(std::vector<std::string>& out, const std::string& user,
               const std::vector<std::string>& groups) override {
    out = groups;
    out.push_back(user);
  }

  void get_all_databases(std::vector<std::string>& out) override { out = db_order_; }

  void get_databases(std::vector<std::string>& out, const std::string& pattern) override {
    for (const auto& name : db_order_) {
      if (MatchesHivePattern(name, pattern)) out.push_back(name);
    }
  }

  void get_database(hms::Database& out, const std::string& name) override {
    auto it = dbs_.find(Lower(name));
    if (it == dbs_.end()) {
      hms::NoSuchObjectException e;
      e.__set_message("Database " + name + " not found");
      throw e;
    }
    out = it->second;
  }

  void get_all_tables(std::vector<std::string>& out, const std::string& db) override {
    if (auto it = table_order_.find(Lower(db)); it != table_order_.end()) out = it->second;
  }

  void get_tables(std::vector<std::string>& out, const std::string& db,
                  const std::string& pattern) override {
    std::vector<std::string> all;
    get_all_tables(all, db);
    for (const auto& name : all) {
      if (MatchesHivePattern(name, pattern)) out.push_back(name);
    }
  }

  void get_table(hms::Table& out, const std::string& db, const std::string& name) override {
    const hms::Table* t = Find(db, name);
    if (t == nullptr) {
      hms::NoSuchObjectException e;
      e.__set_message(db + "." + name + " table not found");
      throw e;
    }
    out = *t;
  }

  void get_table_req(hms::GetTableResult& out, const hms::GetTableRequest& req) override {
    get_table(out.table, req.dbName, req.tblName);
  }

  void get_table_objects_by_name_req(hms::GetTablesResult& out,
                                     const hms::GetTablesRequest& req) override {
    if (dbs_.find(Lower(req.dbName)) == dbs_.end()) {
      hms::UnknownDBException e;
      e.__set_message("Could not find database " + req.dbName);
      throw e;
    }
    std::vector<std::string> names = req.tblNames;
    if (!req.__isset.tblNames) get_all_tables(names, req.dbName);
    for (const auto& name : names) {
      if (const hms::Table* t = Find(req.dbName, name)) out.tables.push_back(*t);
    }
  }

 private:
  const hms::Table* Find(const std::string& db, const std::string& name) const {
    auto d = tables_.find(Lower(db));
    if (d == tables_.end()) return nullptr;
    auto t = d->second.find(Lower(name));
    return t == d->second.end() ? nullptr : &t->second;
  }

  // Constant after construction; read concurrently by the server threads.
  std::vector<std::string> db_order_;
  std::map<std::string, hms::Database> dbs_;
  std::map<std::string, std::vector<std::string>> table_order_;
  std::map<std::string, std::map<std::string, hms::Table>> tables_;
};

// Prints the bound address once the socket listens, so that callers that
// pass --port 0 learn the port and know when to connect.
class ReadyPrinter : public ts::TServerEventHandler {
 public:
  ReadyPrinter(std::shared_ptr<tt::TServerSocket> socket, std::string bind)
      : socket_(std::move(socket)), bind_(std::move(bind)) {}
  void preServe() override {
    std::cout << "meridian-hms-standin listening on " << bind_ << ":" << socket_->getPort()
              << std::endl;
  }

 private:
  std::shared_ptr<tt::TServerSocket> socket_;
  std::string bind_;
};

int Run(int argc, char** argv) {
  CLI::App app{"Serves Hive metastore databases and tables from a JSON fixture over Thrift."};
  std::string fixture;
  int port = 9083;
  std::string bind = "127.0.0.1";
  bool framed = false;
  bool compact = false;
  app.add_option("--fixture", fixture, "JSON fixture file")->required();
  app.add_option("--port", port, "TCP port; 0 picks a free one (printed on stdout)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--bind", bind, "address to listen on")->capture_default_str();
  app.add_flag("--framed", framed, "use framed transport (default: unframed, buffered)");
  app.add_flag("--compact", compact, "use the compact protocol (default: binary)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  auto catalog = LoadFixture(fixture);
  if (!catalog.ok()) {
    std::cerr << "meridian-hms-standin: " << catalog.status().ToString() << "\n";
    return 1;
  }
  auto handler = std::make_shared<FixtureHandler>(std::move(catalog).value());
  auto processor = std::make_shared<hms::ThriftHiveMetastoreProcessor>(handler);
  auto socket = std::make_shared<tt::TServerSocket>(bind, port);
  std::shared_ptr<tt::TTransportFactory> transport_factory;
  if (framed) {
    transport_factory = std::make_shared<tt::TFramedTransportFactory>();
  } else {
    transport_factory = std::make_shared<tt::TBufferedTransportFactory>();
  }
  std::shared_ptr<tp::TProtocolFactory> protocol_factory;
  if (compact) {
    protocol_factory = std::make_shared<tp::TCompactProtocolFactory>();
  } else {
    protocol_factory = std::make_shared<tp::TBinaryProtocolFactory>();
  }
  ts::TThreadedServer server(processor, socket, transport_factory, protocol_factory);
  server.setServerEventHandler(std::make_shared<ReadyPrinter>(socket, bind));
  try {
    server.serve();
  } catch (const apache::thrift::TException& e) {
    std::cerr << "meridian-hms-standin: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace meridian::importer

int main(int argc, char** argv) { return meridian::importer::Run(argc, argv); }
