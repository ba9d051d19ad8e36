// Synchronous HTTP/1.1 client for the Meridian (Atlas v2) REST API: used by the
// client commands (import-hive, export, backup, ...) and between the servers of a
// high-availability cluster.
//
// One keep-alive connection, HTTP Basic auth on every request (none when `user`
// is empty), a timeout per request, and reconnect-and-retry when the connection
// is lost or cannot be opened (`retries`: 0 for requests that are not idempotent). http://
// or https:// (TLS 1.2+, the server's certificate verified against ca_file or
// the system's CAs, and its host name checked).
// Errors: kInvalidArgument for a bad URL or CA file; kUnavailable when the server cannot
// be reached after all retries. HTTP error statuses are returned as responses.
// Thread-safety: one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meridian/status.h"

namespace meridian::client {

struct RestClientOptions {
  // http[s]://host:port[/prefix]. Default: http://127.0.0.1:21000.
  std::string base_url = "http://127.0.0.1:21000";
  // PEM file of the CA(s) that signed an https server's certificate. Default: the system's CAs.
  std::string ca_file;
  std::string user = "admin";  // empty: no Authorization header
  std::string password;
  // Connect, write and read timeout of one attempt. Default: 60 s.
  std::chrono::milliseconds timeout{60000};
  // Extra attempts after a lost or refused connection. Default: 3.
  int retries = 3;
  // Wait before retry n is n * retry_delay. Default: 500 ms.
  std::chrono::milliseconds retry_delay{500};
  // Default: true. false: a new connection per request (never a stale one).
  bool keep_alive = true;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string body;
  Headers headers;  // as received
  // Value of the first header named `name` (case-insensitive); empty when absent.
  std::string Header(std::string_view name) const;
};

class RestClient {
 public:
  static Result<std::unique_ptr<RestClient>> Create(const RestClientOptions& options);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // Sends `method` `target` (path and query, appended to the URL prefix).
  // `headers` are sent in addition to Host, Authorization, Accept and Content-Type.
  Result<HttpResponse> Request(std::string_view method, const std::string& target,
                               const std::string& body = "",
                               std::string_view content_type = "application/json",
                               const Headers& headers = {});
  // GET `target` with the body streamed into the file `path` (created or truncated)
  // when the status is 200; other statuses come back with their body in memory.
  Result<HttpResponse> Download(const std::string& target, const std::string& path, const Headers& headers = {});

  const std::string& base_url() const;

 private:
  struct Impl;
  explicit RestClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes `s` for use in a query parameter or path segment.
std::string UrlEncode(std::string_view s);

// RFC 4648 base64.
std::string Base64Encode(std::string_view s);

}  // namespace meridian::client
