// A real `meridian serve` child process on a free 127.0.0.1 port with a
// temporary data directory, and a minimal blocking HTTP/1.1 client for it.
#pragma once

#include <sys/types.h>

#include <string>

#include <nlohmann/json.hpp>

namespace meridian::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  nlohmann::json Json() const;  // null when the body is empty or not JSON
};

class TestServer {
 public:
  // Starts the server; check ok() before use. The data directory is removed on destruction.
  TestServer();
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  const std::string& error() const { return error_; }

  // Sends one request (HTTP Basic admin/admin unless `auth` is false).
  HttpResult Request(const std::string& method, const std::string& path, const std::string& body = "",
                     bool auth = true) const;
  HttpResult Get(const std::string& path) const { return Request("GET", path); }
  HttpResult Post(const std::string& path, const nlohmann::json& body) const {
    return Request("POST", path, body.dump());
  }
  HttpResult Put(const std::string& path, const nlohmann::json& body) const {
    return Request("PUT", path, body.dump());
  }
  HttpResult Delete(const std::string& path, const std::string& body = "") const {
    return Request("DELETE", path, body);
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace meridian::testing
