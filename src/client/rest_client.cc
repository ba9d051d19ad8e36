#include "meridian/client/rest_client.h"

// <utility> before Asio: GCC 12 in C++20 mode needs std::exchange declared.
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/http/file_body.hpp>
#include <strings.h>
#include <thread>

namespace meridian::client {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Base64Encode(std::string_view s) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const uint32_t n = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == s.size()) {
    const uint32_t n = uint8_t(s[i]) << 16;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == s.size()) {
    const uint32_t n = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

struct RestClient::Impl {
  RestClientOptions options;
  std::string host;
  std::string port;
  std::string prefix;
  std::string authorization;
  net::io_context ioc;
  std::unique_ptr<ssl::context> tls;  // null: plain http
  beast::tcp_stream stream{ioc};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream&>> tls_stream;  // over `stream`, per connection
  beast::flat_buffer buffer;
  bool connected = false;

  // Runs one asynchronous operation to completion: the stream's deadline
  // (expires_after) bounds only asynchronous operations, so every step is one.
  template <class Start>
  beast::error_code Await(Start start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void Close() {
    beast::error_code ignored;
    if (tls_stream) {
      stream.expires_after(std::chrono::seconds(2));
      Await([&](auto done) { tls_stream->async_shutdown(done); });
      tls_stream.reset();
    }
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    connected = false;
  }

  beast::error_code Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return ec;
    stream.expires_after(options.timeout);
    ec = Await([&](auto done) { stream.async_connect(endpoints, done); });
    if (ec) return ec;
    if (tls) {
      tls_stream = std::make_unique<beast::ssl_stream<beast::tcp_stream&>>(stream, *tls);
      // SNI and host-name verification.
      SSL_set_tlsext_host_name(tls_stream->native_handle(), host.c_str());
      tls_stream->set_verify_callback(ssl::host_name_verification(host));
      ec = Await([&](auto done) { tls_stream->async_handshake(ssl::stream_base::client, done); });
      if (ec) {
        tls_stream.reset();
        stream.close();
        return ec;
      }
    }
    connected = true;
    return ec;
  }

  // Writes `req` and reads the response with `parser` (its body type decides where the body goes).
  template <class Stream, class Parser>
  beast::error_code Exchange(Stream& s, const http::request<http::string_body>& req, Parser& parser) {
    stream.expires_after(options.timeout);
    beast::error_code ec = Await([&](auto done) { http::async_write(s, req, done); });
    if (ec) return ec;
    parser.body_limit(1ull << 40);
    return Await([&](auto done) { http::async_read(s, buffer, parser, done); });
  }

  // One attempt; on error the connection is closed.
  template <class Parser>
  beast::error_code Exchange(const http::request<http::string_body>& req, Parser& parser) {
    beast::error_code ec;
    if (!connected && (ec = Connect())) return ec;
    ec = tls_stream ? Exchange(*tls_stream, req, parser) : Exchange(stream, req, parser);
    if (!ec && (!parser.get().keep_alive() || !options.keep_alive)) Close();
    return ec;
  }

  http::request<http::string_body> MakeRequest(std::string_view method, const std::string& target,
                                               const std::string& body, std::string_view content_type,
                                               const Headers& headers) const {
    http::request<http::string_body> req;
    req.method(http::string_to_verb(beast::string_view(method.data(), method.size())));
    req.target(prefix + target);
    req.version(11);
    req.set(http::field::host, host + ":" + port);
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, "meridian-client");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.keep_alive(options.keep_alive);
    if (!body.empty() || method == "POST" || method == "PUT") {
      req.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
      req.body() = body;
      req.prepare_payload();
    }
    return req;
  }

  // Reads the headers, then the body: into `path` for a 200, into out->body otherwise.
  template <class Stream>
  beast::error_code Download(Stream& s, const http::request<http::string_body>& req, const std::string& path,
                             HttpResponse* out) {
    stream.expires_after(options.timeout);
    beast::error_code ec = Await([&](auto done) { http::async_write(s, req, done); });
    if (ec) return ec;
    http::response_parser<http::empty_body> head;
    ec = Await([&](auto done) { http::async_read_header(s, buffer, head, done); });
    if (ec) return ec;
    CopyHeaders(head.get(), out);
    if (out->status == 200) {
      http::response_parser<http::file_body> body(std::move(head));
      body.body_limit(1ull << 40);
      body.get().body().open(path.c_str(), beast::file_mode::write, ec);
      if (!ec) ec = Await([&](auto done) { http::async_read(s, buffer, body, done); });
    } else {
      http::response_parser<http::string_body> body(std::move(head));
      body.body_limit(1ull << 24);
      ec = Await([&](auto done) { http::async_read(s, buffer, body, done); });
      if (!ec) out->body = std::move(body.get().body());
    }
    return ec;
  }

  template <class Body>
  static void CopyHeaders(const http::response<Body>& res, HttpResponse* out) {
    out->status = static_cast<int>(res.result_int());
    for (const auto& field : res) out->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
};

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
  return {};
}

RestClient::RestClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestClient::~RestClient() {
  if (impl_ && impl_->connected) impl_->Close();
}

const std::string& RestClient::base_url() const { return impl_->options.base_url; }

Result<std::unique_ptr<RestClient>> RestClient::Create(const RestClientOptions& options) {
  const std::string& url = options.base_url;
  const bool https = url.rfind("https://", 0) == 0;
  if (!https && url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("server URL must start with http:// or https://: " + url);
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (https) {
    impl->tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(impl->tls->native_handle(), TLS1_2_VERSION);
    impl->tls->set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (options.ca_file.empty()) {
      impl->tls->set_default_verify_paths(ec);
    } else {
      impl->tls->load_verify_file(options.ca_file, ec);
    }
    if (ec) return Status::InvalidArgument("cannot load CA file " + options.ca_file + ": " + ec.message());
  }
  std::string rest = url.substr(https ? 8 : 7);
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    impl->prefix = rest.substr(slash);
    rest.resize(slash);
    while (!impl->prefix.empty() && impl->prefix.back() == '/') impl->prefix.pop_back();
  }
  impl->host = rest;
  impl->port = https ? "443" : "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    impl->host = rest.substr(0, colon);
    impl->port = rest.substr(colon + 1);
  }
  if (impl->host.empty() || impl->port.empty()) {
    return Status::InvalidArgument("bad server URL: " + url);
  }
  if (!options.user.empty()) impl->authorization = "Basic " + Base64Encode(options.user + ":" + options.password);
  return std::unique_ptr<RestClient>(new RestClient(std::move(impl)));
}

Result<HttpResponse> RestClient::Request(std::string_view method, const std::string& target,
                                         const std::string& body, std::string_view content_type,
                                         const Headers& headers) {
  const auto req = impl_->MakeRequest(method, target, body, content_type, headers);
  beast::error_code ec;
  for (int attempt = 0;; ++attempt) {
    http::response_parser<http::string_body> parser;
    ec = impl_->Exchange(req, parser);
    if (!ec) {
      HttpResponse response;
      Impl::CopyHeaders(parser.get(), &response);
      response.body = std::move(parser.get().body());
      return response;
    }
    impl_->Close();
    if (attempt >= impl_->options.retries) break;
    std::this_thread::sleep_for(impl_->options.retry_delay * (attempt + 1));
  }
  return Status::Unavailable("server " + impl_->options.base_url + " unreachable (" +
                             std::string(method) + " " + target + "): " + ec.message());
}

Result<HttpResponse> RestClient::Download(const std::string& target, const std::string& path, const Headers& headers) {
  const auto req = impl_->MakeRequest("GET", target, "", "", headers);
  beast::error_code ec;
  for (int attempt = 0;; ++attempt) {
    HttpResponse response;
    if (!impl_->connected) ec = impl_->Connect();
    if (!ec) ec = impl_->tls_stream ? impl_->Download(*impl_->tls_stream, req, path, &response)
                                    : impl_->Download(impl_->stream, req, path, &response);
    impl_->Close();  // one download per connection
    if (!ec) return response;
    if (attempt >= impl_->options.retries) break;
    std::this_thread::sleep_for(impl_->options.retry_delay * (attempt + 1));
  }
  return Status::Unavailable("server " + impl_->options.base_url + " unreachable (GET " + target + "): " + ec.message());
}

}  // namespace meridian::client
