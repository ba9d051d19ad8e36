#include "meridian/importer/commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "atlas_client.h"
#include "client_args.h"
#include "hive_importer.h"
#include "meridian/importer/metastore_client.h"
#include "meridian/client/rest_client.h"

namespace meridian::importer {
namespace {

struct ImportHiveArgs {
  std::string metastore;
  std::string database;
  std::string table;
  std::string file;
  std::string cluster = "primary";
  bool delete_non_existing = false;
  bool framed = false;
  bool compact = false;
  size_t batch = 20;
  ServerArgs server;
};

std::vector<Selector> ReadSelectorFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail(kExitBadArgs, "cannot read " + path);
  std::vector<Selector> out;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    if (colon == 0 || colon + 1 == line.size()) {
      Fail(kExitBadArgs, path + ":" + std::to_string(line_no) + ": expected 'db' or 'db:table'");
    }
    if (colon == std::string::npos) {
      out.push_back({line, std::nullopt});
    } else {
      out.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
  }
  return out;
}

void RunImportHive(const ImportHiveArgs& args) {
  ImportOptions options;
  options.mapper.cluster = args.cluster;
  options.mapper.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  options.delete_non_existing = args.delete_non_existing;
  options.tables_per_request = args.batch;
  if (!args.file.empty()) {
    options.selectors = ReadSelectorFile(args.file);
  } else if (!args.database.empty()) {
    options.selectors.push_back(
        {args.database, args.table.empty() ? std::nullopt : std::optional(args.table)});
  } else if (!args.table.empty()) {
    auto dot = args.table.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == args.table.size()) {
      Fail(kExitBadArgs, "-t needs -d, or must be written db.table");
    }
    options.selectors.push_back({args.table.substr(0, dot), args.table.substr(dot + 1)});
  }
  if (args.cluster.empty() || args.cluster.find('@') != std::string::npos) {
    Fail(kExitBadArgs, "--cluster must be a non-empty name without '@'");
  }
  if (auto uri = ParseThriftUri(args.metastore.substr(0, args.metastore.find(','))); !uri.ok()) {
    Fail(kExitBadArgs, uri.status().message());
  }

  std::unique_ptr<AtlasClient> atlas = ConnectServer(args.server);
  MetastoreOptions ms_options;
  ms_options.uri = args.metastore;
  ms_options.framed = args.framed;
  ms_options.compact = args.compact;
  auto metastore = MetastoreClient::Connect(ms_options);
  if (!metastore.ok()) Fail(kExitFailed, metastore.status().message());

  const bool terminal = isatty(STDERR_FILENO);
  HiveImporter importer(metastore->get(), atlas.get(), options, std::cerr, terminal);
  const ImportSummary summary = importer.Run();

  std::cout << (args.delete_non_existing ? "Deletion" : "Import") << " from "
            << (*metastore)->endpoint() << " into " << atlas->base_url() << " (cluster "
            << args.cluster << ")\n"
            << summary.ToString();
  for (const auto& f : summary.failures) std::cerr << "error: " << f << "\n";
  if (!summary.fatal.ok()) {
    Fail(kExitFailed, "stopped: " + summary.fatal.message() +
                          " (work acknowledged so far is kept; run again to complete)");
  }
  if (!summary.failures.empty()) {
    Fail(kExitFailed, std::to_string(summary.failures.size()) + " object(s) failed");
  }
}

struct LineageSqlArgs {
  std::vector<std::string> files;
  std::string default_db = "default";
  std::string cluster = "primary";
  ServerArgs server;
};

void RunLineageSql(const LineageSqlArgs& args) {
  std::vector<std::string> files = args.files;
  if (files.empty()) files.push_back("-");
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const auto& f : files) {
    std::stringstream ss;
    if (f == "-") {
      ss << std::cin.rdbuf();
    } else {
      std::ifstream in(f);
      if (!in) Fail(kExitBadArgs, "cannot read " + f);
      ss << in.rdbuf();
    }
    inputs.emplace_back(f == "-" ? "<stdin>" : f, ss.str());
  }
  std::unique_ptr<AtlasClient> atlas = ConnectServer(args.server);
  int failed = 0;
  for (const auto& [name, sql] : inputs) {
    auto response = atlas->PostLineageSql(sql, args.default_db, args.cluster);
    if (!response.ok()) {
      if (IsFatal(response.status())) Fail(kExitFailed, response.status().message());
      std::cerr << name << ": " << response.status().message() << "\n";
      ++failed;
      continue;
    }
    if (!response->has_value()) {
      Fail(kExitFailed, "the server at " + atlas->base_url() +
                            " has no SQL lineage endpoint (/api/meridian/v1/lineage/sql)");
    }
    const nlohmann::json& body = **response;
    for (const auto& s : body.value("statements", nlohmann::json::array())) {
      std::cout << name << ":" << s.value("line", 0) << ": recorded " << s.value("operation", "")
                << " " << s.value("processQualifiedName", "") << "\n";
    }
    for (const auto& issue : body.value("issues", nlohmann::json::array())) {
      std::cerr << name << ":" << issue.value("line", 0) << ": " << issue.value("reason", "")
                << "\n";
    }
  }
  if (failed > 0) Fail(kExitFailed, std::to_string(failed) + " file(s) not accepted");
}

struct BackupArgs {
  std::string to;
  ServerArgs server;
};

void RunBackup(const BackupArgs& args) {
  std::error_code ec;
  const std::string dir = std::filesystem::absolute(args.to, ec).lexically_normal().string();
  if (ec) Fail(kExitBadArgs, "invalid folder " + args.to);
  std::unique_ptr<AtlasClient> atlas = ConnectServer(args.server);
  auto summary = atlas->PostBackup(dir);
  if (!summary.ok()) Fail(kExitFailed, "backup failed: " + summary.status().message());
  std::cout << "backup of " << atlas->base_url() << " in " << dir << ": store sequence "
            << summary->value("storeSequence", uint64_t{0}) << ", " << summary->value("files", 0) << " files, "
            << summary->value("bytes", uint64_t{0}) << " bytes\n";
}

}  // namespace

void RegisterBackupCommand(CLI::App& app) {
  auto args = std::make_shared<BackupArgs>();
  CLI::App* cmd = app.add_subcommand("backup", "Back up a running server (store and users; the index is rebuilt on restore)");
  cmd->add_option("--to", args->to, "new or empty folder, on the server's machine, for the backup")->required();
  AddServerOptions(cmd, &args->server);
  cmd->footer("Restore with: meridian restore --from FOLDER --data-dir NEW_DIR\nExit codes: 0 ok, 1 failed, 2 bad arguments.");
  cmd->callback([args] { RunBackup(*args); });
}

void RegisterImportHiveCommand(CLI::App& app) {
  auto args = std::make_shared<ImportHiveArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import-hive", "Import databases, tables, columns and storage descriptors from a Hive "
                     "metastore (like Atlas's import-hive.sh)");
  cmd->add_option("--metastore", args->metastore,
                  "metastore URI thrift://host:9083 (comma-separated: tried in order)")
      ->required();
  auto* db = cmd->add_option("-d,--database", args->database,
                             "database name or regex (case-insensitive, whole name)");
  auto* table = cmd->add_option("-t,--table", args->table,
                                "table name or regex, with -d; or db.table without -d");
  cmd->add_option("-f,--filename", args->file, "file with one 'db' or 'db:table' per line")
      ->excludes(db)
      ->excludes(table);
  cmd->add_option("--cluster", args->cluster, "metadata namespace of the qualified names")
      ->capture_default_str();
  cmd->add_flag("--delete-non-existing", args->delete_non_existing,
                "instead of importing, delete the hive_db and hive_table entities of the "
                "cluster that the metastore no longer has (limited by -d/-t/-f)");
  cmd->add_flag("--framed", args->framed, "framed Thrift transport (default: unframed)");
  cmd->add_flag("--compact", args->compact, "compact Thrift protocol (default: binary)");
  cmd->add_option("--batch-size", args->batch, "tables per bulk request")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  AddServerOptions(cmd, &args->server);
  cmd->footer(
      "Only plain metastores are supported: SASL/Kerberos, delegation tokens, TLS and HTTP "
      "transport mode are not (a secured metastore usually just drops the connection).\n"
      "Exit codes: 0 ok, 1 failed (partial work is kept; re-run to complete), 2 bad arguments.");
  cmd->callback([args] { RunImportHive(*args); });
}

void RegisterLineageSqlCommand(CLI::App& app) {
  auto args = std::make_shared<LineageSqlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "lineage-sql", "Record lineage of HiveQL statements (files or stdin) on the server");
  cmd->add_option("files", args->files, "SQL files; '-' or none reads stdin");
  cmd->add_option("--default-db", args->default_db, "database of unqualified table names")
      ->capture_default_str();
  cmd->add_option("--cluster", args->cluster, "metadata namespace")->capture_default_str();
  AddServerOptions(cmd, &args->server);
  cmd->footer("Exit codes: 0 ok, 1 failed, 2 bad arguments.");
  cmd->callback([args] { RunLineageSql(*args); });
}

}  // namespace meridian::importer
