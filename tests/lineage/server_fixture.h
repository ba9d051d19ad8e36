// The lineage suite's view of the shared TestServer: the real `meridian serve`
// on a free loopback port with a temporary data directory.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "test_server.h"

namespace meridian::lineage::testing {

using Response = meridian::testing::HttpResult;

class Server {
 public:
  // Starts (or restarts, on the same data directory) the server.
  void Start() {
    if (!server_.Start()) throw std::runtime_error("meridian did not start");
  }
  // SIGKILL, as a crash would.
  void Kill() { server_.Kill9(); }

  Response Request(const std::string& method, const std::string& path, const std::string& body = "") const {
    return meridian::testing::Request(server_.port(), method, path, body);
  }
  Response Get(const std::string& path) const { return Request("GET", path); }
  Response Post(const std::string& path, const nlohmann::json& body) const { return Request("POST", path, body.dump()); }

  // Waits until the propagation queue is empty (or `timeout_s` passes).
  bool WaitPropagation(double timeout_s = 60) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
      auto j = Get("/api/meridian/v1/propagation").Json();
      if (j.is_object() && j.value("pending", 1) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  meridian::testing::TestServer server_;
};

}  // namespace meridian::lineage::testing
