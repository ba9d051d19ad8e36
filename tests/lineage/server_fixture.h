// Runs the real `meridian serve` as a child process on a free 127.0.0.1 port
// with a temporary data directory, and talks HTTP/1.1 to it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace meridian::lineage::testing {

struct Response {
  int status = 0;
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class Server {
 public:
  // Creates a fresh data directory; Start() launches the binary on it.
  Server();
  ~Server();
  void Start();
  // SIGKILL, as a crash would.
  void Kill();
  void Stop();
  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return dir_; }

  Response Request(const std::string& method, const std::string& path, const std::string& body = "") const;
  Response Get(const std::string& path) const { return Request("GET", path); }
  Response Post(const std::string& path, const nlohmann::json& body) const { return Request("POST", path, body.dump()); }
  // Waits until the propagation queue is empty (or the timeout, in seconds, passes).
  bool WaitPropagation(double timeout_s = 60) const;

 private:
  std::string dir_;
  int pid_ = -1;
  uint16_t port_ = 0;
};

std::string FixturePath(const std::string& name);

}  // namespace meridian::lineage::testing
