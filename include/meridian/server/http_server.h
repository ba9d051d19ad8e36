// HttpServer: asynchronous HTTP/1.1 server with keep-alive on a small thread
// pool. Requests are parsed with header and body limits and handed to one
// dispatch function; its response is written back on the connection's strand.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "meridian/server/http.h"
#include "meridian/status.h"

namespace meridian::server {

struct ServerOptions {
  std::string bind = "127.0.0.1";  // Default: loopback only.
  uint16_t port = 21000;           // Default: 21000 (0 picks a free port).
  int threads = 2;                 // Default: 2 I/O threads.
  uint64_t max_body_bytes = 64ull << 20;  // Default: 64 MiB; larger bodies get 413.
  uint32_t max_header_bytes = 16 << 10;   // Default: 16 KiB; larger headers get 431.
  int read_timeout_s = 30;         // Default: 30 s to receive one request.
  int idle_timeout_s = 60;         // Default: 60 s of keep-alive idleness.
};

using Dispatch = std::function<HttpResponse(HttpRequest&)>;
// Called after each response: request, response, elapsed microseconds.
using AccessLog = std::function<void(const HttpRequest&, const HttpResponse&, int64_t)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, Dispatch dispatch, AccessLog log);
  ~HttpServer();
  // Binds and starts listening; the actual port is then port().
  Status Start();
  // Serves until Stop(); in-flight requests finish first. Blocks.
  void Run();
  // Thread-safe; callable from a signal handler thread.
  void Stop();
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::server
