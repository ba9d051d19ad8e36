// HttpServer: asynchronous HTTP/1.1 (optionally HTTPS) server with keep-alive.
//
// I/O threads only read and write sockets. For each request the server reads
// the header, asks `classify` for its RouteClass, and queues it for a worker
// of the bounded pool; the worker runs `admit` (authentication from the
// headers: a response here — e.g. 401 — is sent without reading the body),
// then the body is read on the I/O side and `handle` runs on a worker.
// kImmediate requests are never queued behind others: without credentials
// they run inline on the I/O thread, with credentials (whose check may cost a
// password hash) on a worker of their own.
//
// Admission: each class has its own queue (full: 503 with Retry-After and
// Atlas's error body) and heavy requests run on `heavy_workers` workers of their
// own under SCHED_IDLE (a core only when nothing else wants it), so cheap requests never wait behind
// heavy ones, neither in a queue nor for a core. Every request gets a
// Deadline (HttpRequest::deadline) from its class's budget, counted from its
// header; it is cancelled when the client disconnects while its handler runs.
// A request whose deadline passed in the queue gets 504 without running.
//
// Connections: at most max_connections (default: 3/4 of the open-file limit,
// which Start raises to its hard limit) and max_connections_per_address
// (default: a quarter of that, so one client cannot take them all); the
// excess is closed at accept. With tls_cert/tls_key: TLS 1.2+ only; plain HTTP
// on that port gets a 400 naming https; ReloadTls swaps the certificate for
// new connections.
//
// Thread-safety: Stop, ReloadTls and port may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "meridian/server/http.h"
#include "meridian/server/server_metrics.h"
#include "meridian/status.h"

namespace meridian::server {

struct ServerOptions {
  std::string bind = "127.0.0.1";  // Default: loopback only.
  uint16_t port = 21000;           // Default: 21000 (0 picks a free port).
  int threads = 2;                 // Default: 2 I/O threads.
  int workers = 8;                 // Default: 8 request workers.
  int heavy_workers = 0;           // Most workers running heavy requests at once.
                                   // Default 0: workers/2, at least 1.
  int write_workers = 0;           // Most workers running writes at once. Default 0: workers - 1 (>= 1).
  int queue_cheap = 1024;          // Requests waiting per class before 503. Defaults: 1024, 256, 64.
  int queue_write = 256;
  int queue_heavy = 64;
  int deadline_cheap_ms = 5000;    // Deadlines per class. Defaults: 5 s, 30 s, 30 s.
  int deadline_write_ms = 30000;
  int deadline_heavy_ms = 30000;
  int max_connections = 0;         // Default 0: 3/4 of the open-file limit.
  int max_connections_per_address = 0;    // Default 0: max_connections / 4 (at least 16).
  std::string tls_cert;            // PEM certificate chain; with tls_key enables HTTPS. Default: none.
  std::string tls_key;             // PEM private key.
  uint64_t max_body_bytes = 64ull << 20;  // Default: 64 MiB; larger bodies get 413.
  uint32_t max_header_bytes = 16 << 10;   // Default: 16 KiB; larger headers get 431.
  int read_timeout_s = 30;         // Default: 30 s to receive one request.
  int idle_timeout_s = 60;         // Default: 60 s of keep-alive idleness.
};

using Dispatch = std::function<HttpResponse(HttpRequest&)>;

// The application's side of a request. Each may be called on any worker or I/O thread.
struct RequestHooks {
  // From method, path and headers (no body): the request's class. Must be cheap. Default: kCheap.
  std::function<RouteClass(const HttpRequest&)> classify;
  // From the headers: nullopt to go on, or the response that ends the request
  // before its body is read (401, 403, 404 ...). Default: go on.
  std::function<std::optional<HttpResponse>(HttpRequest&)> admit;
  // With the body: the response.
  Dispatch handle;
};

// Called after each response: request, response, elapsed microseconds.
using AccessLog = std::function<void(const HttpRequest&, const HttpResponse&, int64_t)>;

class HttpServer {
 public:
  // `metrics` may be null; otherwise it must outlive the server.
  HttpServer(ServerOptions options, RequestHooks hooks, AccessLog log, ServerMetrics* metrics = nullptr);
  ~HttpServer();
  // Raises the open-file limit, loads the TLS certificate, binds and listens;
  // the actual port is then port(). Errors: InvalidArgument (bind address,
  // certificate or key), Unavailable (cannot listen).
  Status Start();
  // Serves until Stop(); in-flight requests (up to 30 s) finish first. Blocks.
  void Run();
  // Thread-safe; callable from a signal handler thread.
  void Stop();
  // Re-reads tls_cert/tls_key; new connections use them, open ones keep theirs.
  // On error the current certificate stays. Thread-safe.
  Status ReloadTls();
  bool tls() const;
  uint16_t port() const;
  // The connection limit in force (after Start).
  int max_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::server
