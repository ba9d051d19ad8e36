#include "rest_client.h"

// <utility> before Asio: GCC 12 in C++20 mode needs std::exchange declared.
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace meridian::importer {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
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
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  void Close() {
    beast::error_code ignored;
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
    stream.connect(endpoints, ec);
    if (!ec) connected = true;
    return ec;
  }

  // One attempt; on error the connection is closed.
  beast::error_code Exchange(const http::request<http::string_body>& req, HttpResponse* out) {
    beast::error_code ec;
    if (!connected && (ec = Connect())) return ec;
    stream.expires_after(options.timeout);
    http::write(stream, req, ec);
    if (ec) return ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    http::read(stream, buffer, parser, ec);
    if (ec) return ec;
    auto res = parser.release();
    out->status = static_cast<int>(res.result_int());
    out->body = std::move(res.body());
    if (!res.keep_alive()) Close();
    return ec;
  }
};

RestClient::RestClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestClient::~RestClient() {
  if (impl_ && impl_->connected) impl_->Close();
}

const std::string& RestClient::base_url() const { return impl_->options.base_url; }

Result<std::unique_ptr<RestClient>> RestClient::Create(const RestClientOptions& options) {
  constexpr std::string_view kScheme = "http://";
  const std::string& url = options.base_url;
  if (url.rfind(kScheme, 0) != 0) {
    return Status::InvalidArgument("server URL must start with http:// (https is not supported): " +
                                   url);
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::string rest = url.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    impl->prefix = rest.substr(slash);
    rest.resize(slash);
    while (!impl->prefix.empty() && impl->prefix.back() == '/') impl->prefix.pop_back();
  }
  impl->host = rest;
  impl->port = "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    impl->host = rest.substr(0, colon);
    impl->port = rest.substr(colon + 1);
  }
  if (impl->host.empty() || impl->port.empty()) {
    return Status::InvalidArgument("bad server URL: " + url);
  }
  impl->authorization = "Basic " + Base64Encode(options.user + ":" + options.password);
  return std::unique_ptr<RestClient>(new RestClient(std::move(impl)));
}

Result<HttpResponse> RestClient::Request(std::string_view method, const std::string& target,
                                         const std::string& body, std::string_view content_type) {
  http::request<http::string_body> req;
  req.method(http::string_to_verb(beast::string_view(method.data(), method.size())));
  req.target(impl_->prefix + target);
  req.version(11);
  req.set(http::field::host, impl_->host + ":" + impl_->port);
  req.set(http::field::authorization, impl_->authorization);
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, "meridian-import-hive");
  req.keep_alive(true);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
    req.body() = body;
    req.prepare_payload();
  }
  beast::error_code ec;
  for (int attempt = 0;; ++attempt) {
    HttpResponse response;
    ec = impl_->Exchange(req, &response);
    if (!ec) return response;
    impl_->Close();
    if (attempt >= impl_->options.retries) break;
    std::this_thread::sleep_for(impl_->options.retry_delay * (attempt + 1));
  }
  return Status::Unavailable("server " + impl_->options.base_url + " unreachable (" +
                             std::string(method) + " " + target + "): " + ec.message());
}

}  // namespace meridian::importer
