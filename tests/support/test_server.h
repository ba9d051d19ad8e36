// Test support: runs the real `meridian serve` as a child process on a free
// loopback port with a temporary data directory, and a small blocking HTTP
// client to talk to it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace meridian::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One request over a fresh connection to 127.0.0.1:port. `auth` is "user:password" or empty.
HttpResult Request(int port, const std::string& method, const std::string& target, const std::string& body = "",
                   const std::string& auth = "admin:admin",
                   const std::vector<std::pair<std::string, std::string>>& headers = {});

std::string UrlEncode(const std::string& s);

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

class TestServer {
 public:
  // Path of the meridian binary (MERIDIAN_BINARY env or the build tree).
  static std::string Binary();
  // `port`: 0 picks a free port at every Start; otherwise always this one.
  explicit TestServer(std::vector<std::string> extra_args = {}, int port = 0);
  ~TestServer();
  // Starts and waits until /api/atlas/admin/status answers (over plain HTTP). Reuses the data dir.
  bool Start();
  // SIGTERM and wait; true when it exited cleanly (status 0) or was not running.
  bool Stop();
  void Kill9();  // SIGKILL and wait
  // Where the server's stdout and stderr go (default: server.log in the data dir); set before Start.
  void set_log_path(std::string path) { log_path_ = std::move(path); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

  HttpResult Get(const std::string& target, const std::string& auth = "admin:admin") const {
    return Request(port_, "GET", target, "", auth);
  }
  HttpResult Post(const std::string& target, const nlohmann::json& body, const std::string& auth = "admin:admin") const {
    return Request(port_, "POST", target, body.dump(), auth);
  }
  HttpResult Put(const std::string& target, const nlohmann::json& body, const std::string& auth = "admin:admin") const {
    return Request(port_, "PUT", target, body.dump(), auth);
  }
  HttpResult Delete(const std::string& target, const std::string& body = "", const std::string& auth = "admin:admin") const {
    return Request(port_, "DELETE", target, body, auth);
  }

 private:
  std::vector<std::string> extra_args_;
  std::string data_dir_;
  std::string log_path_;
  int fixed_port_ = 0;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Loads a JSON file from tests/fixtures.
nlohmann::json Fixture(const std::string& name);

}  // namespace meridian::testing
