// The only file that includes Boost.Beast/Asio.
#include <utility>  // before Asio: GCC 12 + C++20 needs std::exchange declared

#include "meridian/server/http_server.h"

#include <chrono>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace meridian::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

void FillRequest(const http::request<http::string_body>& in, HttpRequest& out) {
  out.method = std::string(in.method_string());
  std::string_view target(in.target().data(), in.target().size());
  size_t q = target.find('?');
  out.path = PercentDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view pair = qs.substr(0, amp);
      size_t eq = pair.find('=');
      if (!pair.empty())
        out.query.emplace(PercentDecode(pair.substr(0, eq), true),
                          eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  for (const auto& f : in) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = in.body();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const ServerOptions& options, const Dispatch& dispatch, const AccessLog& log,
          std::atomic<int>& in_flight, const std::atomic<bool>& stopping)
      : stream_(std::move(socket)),
        options_(options),
        dispatch_(dispatch),
        log_(log),
        in_flight_(in_flight),
        stopping_(stopping) {}

  void Start() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::DoRead, shared_from_this())); }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(options_.max_header_bytes);
    stream_.expires_after(std::chrono::seconds(first_ ? options_.read_timeout_s : options_.idle_timeout_s));
    first_ = false;
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return Close();
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      HttpResponse r = HttpResponse::Error(Status::TooLarge(
          ec == http::error::body_limit ? "request body too large" : "request header too large"));
      r.status = ec == http::error::body_limit ? 413 : 431;
      return Send(std::move(r), false, 10);
    }
    if (ec) return Close();
    auto start = std::chrono::steady_clock::now();
    const auto& msg = parser_->get();
    bool keep_alive = msg.keep_alive();
    int version = msg.version();
    HttpRequest req;
    FillRequest(msg, req);
    beast::error_code peer_ec;
    req.remote_address = stream_.socket().remote_endpoint(peer_ec).address().to_string();
    HttpResponse resp;
    ++in_flight_;
    try {
      resp = dispatch_(req);
    } catch (const std::exception& e) {
      resp = HttpResponse::Error(Status::Internal(std::string("unexpected error: ") + e.what()));
    }
    if (req.method == "HEAD") resp.body.clear();
    if (log_)
      log_(req, resp,
           std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
    // While stopping, finish this request but take no more on this connection.
    Send(std::move(resp), keep_alive && !stopping_, version);
  }

  void Send(HttpResponse r, bool keep_alive, int version) {
    response_.emplace();
    response_->version(version);
    response_->result(static_cast<unsigned>(r.status));
    response_->set(http::field::server, "Meridian");
    if (!r.content_type.empty()) response_->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) response_->insert(k, v);
    response_->keep_alive(keep_alive);
    response_->body() = std::move(r.body);
    response_->prepare_payload();
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), response_->need_eof()));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t) {
    --in_flight_;
    if (ec || close) return Close();
    response_.reset();
    DoRead();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  const ServerOptions& options_;
  const Dispatch& dispatch_;
  const AccessLog& log_;
  std::atomic<int>& in_flight_;  // requests dispatched whose response is not yet written
  const std::atomic<bool>& stopping_;
  bool first_ = true;
};

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Dispatch dispatch;
  AccessLog log;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::thread stopper;

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (stopping) return;
      if (!ec) std::make_shared<Session>(std::move(socket), options, dispatch, log, in_flight, stopping)->Start();
      Accept();
    });
  }
};

HttpServer::HttpServer(ServerOptions options, Dispatch dispatch, AccessLog log) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->dispatch = std::move(dispatch);
  impl_->log = std::move(log);
}

HttpServer::~HttpServer() {
  if (impl_->stopper.joinable()) impl_->stopper.join();
}

Status HttpServer::Start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.bind, ec);
  if (ec) return Status::InvalidArgument("invalid bind address " + impl_->options.bind);
  tcp::endpoint ep(address, impl_->options.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::Unavailable("cannot listen on " + impl_->options.bind + ":" + std::to_string(impl_->options.port) +
                               ": " + ec.message());
  impl_->Accept();
  return Status::Ok();
}

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl_->options.threads); ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Stop() {
  // Stop accepting and keeping connections alive, then let in-flight requests finish.
  impl_->stopping = true;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  if (impl_->stopper.joinable()) return;
  impl_->stopper = std::thread([this] {
    // In-flight requests get up to 30 s to finish and be written.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (impl_->in_flight > 0 && std::chrono::steady_clock::now() < deadline);
    impl_->ioc.stop();
  });
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace meridian::server
