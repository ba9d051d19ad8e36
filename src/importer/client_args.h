// What the client commands (import-hive, lineage-sql, backup, export, import)
// share: server connection options, the password, exit codes.
#pragma once

#include <memory>
#include <string>

#include "atlas_client.h"

namespace CLI {
class App;
}

namespace meridian::importer {

constexpr int kExitFailed = 1;
constexpr int kExitBadArgs = 2;

// Connection options shared by the commands that talk to the server.
struct ServerArgs {
  std::string url = "http://127.0.0.1:21000";
  std::string user = "admin";
  std::string password_file;
  std::string ca_file;
};

// --url, --user, --password-file, --ca-file.
void AddServerOptions(CLI::App* cmd, ServerArgs* args);

// Prints "meridian: <message>" and throws CLI::RuntimeError(code).
[[noreturn]] void Fail(int code, const std::string& message);

// A client for the server, with the password from --password-file,
// $MERIDIAN_PASSWORD or a prompt; fails with kExitBadArgs when there is none.
std::unique_ptr<AtlasClient> ConnectServer(const ServerArgs& args);

}  // namespace meridian::importer
