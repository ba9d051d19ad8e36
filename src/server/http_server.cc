// The only file that includes Boost.Beast/Asio.
#include <utility>  // before Asio: GCC 12 + C++20 needs std::exchange declared

#include "meridian/server/http_server.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace meridian::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Method, path, query and headers; the body is added once read.
void FillRequestHead(const http::request<http::string_body>& in, HttpRequest& out) {
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
}

void RunInBackground() {
  sched_param param{};
  if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) != 0)
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
}

// Bounded worker pool with one queue per route class. Cheap requests may use
// every worker; writes and heavy requests at most their share, so a worker is
// always left for cheap ones. A job that may run wakes the worker that went
// idle last (its stack and caches are the warmest; the others stay asleep),
// through that worker's own semaphore rather than a condition variable shared
// by every worker and submitter.
class WorkerPool {
 public:
  using Job = std::function<void()>;

  // `background` workers run under SCHED_IDLE: they get a core only when no other
  // thread wants it, and any other thread that wakes takes their core at once
  // (best effort: nice 19 where SCHED_IDLE is refused).
  WorkerPool(int workers, std::array<int, kRouteClassCount> max_running, std::array<int, kRouteClassCount> max_queued,
             ServerMetrics* metrics, bool background = false)
      : max_running_(max_running), max_queued_(max_queued), metrics_(metrics), sleepers_(workers) {
    for (int i = 0; i < workers; ++i)
      threads_.emplace_back([this, background, i] {
        if (background) RunInBackground();
        Loop(sleepers_[i]);
      });
  }
  ~WorkerPool() { Stop(); }

  // False when the class's queue is full (or the pool stopped).
  bool TrySubmit(RouteClass c, Job job) {
    int i = static_cast<int>(c);
    Sleeper* woken = nullptr;
    {
      std::lock_guard lock(mu_);
      if (stopped_ || static_cast<int>(queues_[i].size()) >= max_queued_[i]) return false;
      queues_[i].push_back(std::move(job));
      // A class at its limit gets its next job run by a worker that finishes one of
      // its class; waking a worker now would only put it back to sleep.
      if (Ready(i)) woken = PopIdle();
    }
    metrics_->of(c).queued.fetch_add(1, std::memory_order_relaxed);
    if (woken) woken->wake.release();
    return true;
  }

  // Finishes running jobs and joins the workers; queued jobs are dropped.
  void Stop() {
    std::vector<Sleeper*> idle;
    {
      std::lock_guard lock(mu_);
      if (stopped_ && threads_.empty()) return;
      stopped_ = true;
      idle.swap(idle_);
    }
    for (Sleeper* s : idle) s->wake.release();
    for (auto& t : threads_) t.join();
    threads_.clear();
    std::array<std::deque<Job>, kRouteClassCount> dropped;
    {
      std::lock_guard lock(mu_);
      dropped.swap(queues_);
    }
  }

 private:
  struct Sleeper {
    std::binary_semaphore wake{0};
  };

  // REQUIRES: mu_ held. Whether a queued job of class i, or of any class, may run now.
  bool Ready(int i) const { return !queues_[i].empty() && running_[i] < max_running_[i]; }
  bool AnyReady() const {
    for (int i = 0; i < kRouteClassCount; ++i)
      if (Ready(i)) return true;
    return false;
  }
  // REQUIRES: mu_ held. The worker that went idle last, taken off the idle stack; null if none.
  Sleeper* PopIdle() {
    if (idle_.empty()) return nullptr;
    Sleeper* s = idle_.back();
    idle_.pop_back();
    return s;
  }

  // REQUIRES: mu_ held. The class to run next, or -1. Cheap first; writes and
  // heavy take turns within their limits.
  int Pick() {
    constexpr int kImmediate = static_cast<int>(RouteClass::kImmediate), kCheap = static_cast<int>(RouteClass::kCheap);
    if (Ready(kImmediate)) return kImmediate;
    if (Ready(kCheap)) return kCheap;
    int first = last_other_ == static_cast<int>(RouteClass::kWrite) ? static_cast<int>(RouteClass::kHeavy)
                                                                    : static_cast<int>(RouteClass::kWrite);
    int second = first == static_cast<int>(RouteClass::kWrite) ? static_cast<int>(RouteClass::kHeavy)
                                                               : static_cast<int>(RouteClass::kWrite);
    if (Ready(first)) return last_other_ = first;
    if (Ready(second)) return last_other_ = second;
    return -1;
  }

  void Loop(Sleeper& me) {
    std::unique_lock lock(mu_);
    for (;;) {
      if (stopped_) return;
      const int c = Pick();
      if (c < 0) {
        // Idle until a submitter (or Stop) takes this worker off the stack and wakes it.
        idle_.push_back(&me);
        lock.unlock();
        me.wake.acquire();
        lock.lock();
        continue;
      }
      Job job = std::move(queues_[c].front());
      queues_[c].pop_front();
      ++running_[c];
      // More work that may run now: an idle worker takes it.
      Sleeper* helper = AnyReady() ? PopIdle() : nullptr;
      lock.unlock();
      if (helper) helper->wake.release();
      auto& counters = metrics_->of(static_cast<RouteClass>(c));
      counters.queued.fetch_sub(1, std::memory_order_relaxed);
      counters.running.fetch_add(1, std::memory_order_relaxed);
      job();
      job = nullptr;
      counters.running.fetch_sub(1, std::memory_order_relaxed);
      lock.lock();
      --running_[c];  // this worker picks its next job itself
    }
  }

  const std::array<int, kRouteClassCount> max_running_;
  const std::array<int, kRouteClassCount> max_queued_;
  ServerMetrics* const metrics_;
  std::mutex mu_;
  std::array<std::deque<Job>, kRouteClassCount> queues_;  // GUARDED_BY(mu_)
  std::array<int, kRouteClassCount> running_{};            // GUARDED_BY(mu_)
  int last_other_ = 0;                                     // GUARDED_BY(mu_)
  bool stopped_ = false;                                   // GUARDED_BY(mu_)
  std::vector<Sleeper*> idle_;                             // GUARDED_BY(mu_); last idle on top
  std::vector<Sleeper> sleepers_;                          // one per worker, never resized
  std::vector<std::thread> threads_;
};

// State shared by the server and its sessions.
struct Core {
  ServerOptions options;
  RequestHooks hooks;
  AccessLog log;
  ServerMetrics* metrics = nullptr;
  std::unique_ptr<WorkerPool> pool;
  // One worker for immediate requests that carry credentials: checking them may
  // cost a password hash, which must not stall an I/O thread nor wait for the pool.
  std::unique_ptr<WorkerPool> immediate_pool;
  // Heavy requests run on their own workers at a lower CPU priority: when the cores are
  // busy, cheap requests and writes are scheduled first instead of sharing time with them.
  std::unique_ptr<WorkerPool> heavy_pool;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};  // requests whose header was read and whose answer is not yet written

  std::mutex connections_mu;
  std::map<net::ip::address, int> per_address;  // GUARDED_BY(connections_mu)

  std::chrono::milliseconds DeadlineOf(RouteClass c) const {
    switch (c) {
      case RouteClass::kWrite: return std::chrono::milliseconds(options.deadline_write_ms);
      case RouteClass::kHeavy: return std::chrono::milliseconds(options.deadline_heavy_ms);
      default: return std::chrono::milliseconds(options.deadline_cheap_ms);
    }
  }
};

// A connection's place under the limits; released when the connection ends.
class ConnectionSlot {
 public:
  ConnectionSlot(Core& core, net::ip::address address) : core_(core), address_(std::move(address)) {}
  ~ConnectionSlot() {
    core_.metrics->connections.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard lock(core_.connections_mu);
    auto it = core_.per_address.find(address_);
    if (it != core_.per_address.end() && --it->second <= 0) core_.per_address.erase(it);
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  const net::ip::address& address() const { return address_; }

 private:
  Core& core_;
  net::ip::address address_;
};

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

// One connection: reads requests, hands them to workers, writes the answers.
// All members are used on the connection's strand only.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream&& stream, beast::flat_buffer&& buffer, Core& core, std::unique_ptr<ConnectionSlot> slot,
          std::shared_ptr<ssl::context> tls_context)
      : tls_context_(std::move(tls_context)),
        stream_(std::move(stream)),
        buffer_(std::move(buffer)),
        core_(core),
        slot_(std::move(slot)),
        remote_address_(slot_->address().to_string()) {}

  ~Session() { EndRequest(); }

  void Start() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(core_.options.read_timeout_s));
      stream_.async_handshake(ssl::stream_base::server, buffer_.data(),
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t used) {
                                if (ec) return;  // not TLS 1.2+, bad client certificate use, ...: drop
                                self->buffer_.consume(used);
                                self->ReadHeader();
                              });
    } else {
      net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->ReadHeader(); });
    }
  }

 private:
  auto& Lowest() { return beast::get_lowest_layer(stream_); }

  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(core_.options.max_body_bytes);
    parser_->header_limit(core_.options.max_header_bytes);
    Lowest().expires_after(std::chrono::seconds(first_ ? core_.options.read_timeout_s : core_.options.idle_timeout_s));
    first_ = false;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec == http::error::header_limit || ec == http::error::body_limit) {  // body: its Content-Length
      bool header = ec == http::error::header_limit;
      HttpResponse r = HttpResponse::Error(Status::TooLarge(header ? "request header too large" : "request body too large"));
      r.status = header ? 431 : 413;
      return SendBare(std::move(r));
    }
    if (ec) return Close();
    started_ = Clock::now();
    request_open_ = true;
    core_.in_flight.fetch_add(1);
    const auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    body_pending_ = !parser_->is_done();
    expect_continue_ = beast::iequals(msg[http::field::expect], "100-continue");
    req_ = std::make_shared<HttpRequest>();
    FillRequestHead(msg, *req_);
    req_->remote_address = remote_address_;
    class_ = core_.hooks.classify ? core_.hooks.classify(*req_) : RouteClass::kCheap;
    bool credentials = req_->headers.count("authorization") || req_->headers.count("cookie");
    if (class_ == RouteClass::kImmediate && !credentials) {
      if (auto denied = core_.hooks.admit ? core_.hooks.admit(*req_) : std::nullopt) return Respond(std::move(*denied));
      if (body_pending_) return ReadBody();
      return Respond(Execute(*req_));
    }
    if (class_ != RouteClass::kImmediate) req_->deadline = Deadline::After(core_.DeadlineOf(class_));
    Lowest().expires_never();
    if (!body_pending_) WatchForDisconnect();
    Submit([self = this->shared_from_this(), req = req_, has_body = body_pending_] {
      if (auto early = self->Early(*req)) return self->Post(std::move(*early));
      if (auto denied = self->core_.hooks.admit ? self->core_.hooks.admit(*req) : std::nullopt)
        return self->Post(std::move(*denied));
      if (has_body) {
        return net::post(self->stream_.get_executor(), [self] { self->ReadBody(); });
      }
      self->Post(self->Execute(*req));
    });
  }

  void ReadBody() {
    Lowest().expires_after(std::chrono::seconds(core_.options.read_timeout_s));
    if (expect_continue_) {
      expect_continue_ = false;
      continue_.emplace(http::status::continue_, version_);
      return http::async_write(stream_, *continue_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
    }
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnBody, this->shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    body_pending_ = false;
    if (ec == http::error::body_limit) {
      HttpResponse r = HttpResponse::Error(Status::TooLarge("request body too large"));
      r.status = 413;
      body_pending_ = true;  // the rest is unread
      return Respond(std::move(r));
    }
    if (ec) return Close();
    req_->body = std::move(parser_->get().body());
    if (class_ == RouteClass::kImmediate) return Respond(Execute(*req_));
    Lowest().expires_never();
    WatchForDisconnect();
    Submit([self = this->shared_from_this(), req = req_] {
      if (auto early = self->Early(*req)) return self->Post(std::move(*early));
      self->Post(self->Execute(*req));
    });
  }

  // Queues `job` in the request's class; answers 503 when that queue is full.
  void Submit(std::function<void()> job) {
    WorkerPool& pool = class_ == RouteClass::kImmediate ? *core_.immediate_pool
                       : class_ == RouteClass::kHeavy   ? *core_.heavy_pool
                                                        : *core_.pool;
    if (pool.TrySubmit(class_, std::move(job))) return;
    core_.metrics->of(class_).rejected.fetch_add(1, std::memory_order_relaxed);
    HttpResponse r = HttpResponse::Error(Status::Unavailable(
        "the server is busy: too many " + std::string(RouteClassName(class_)) + " requests waiting; retry later"));
    r.headers.emplace_back("Retry-After", "1");
    Respond(std::move(r));
  }

  // On a worker: the answer for a request that must not run (client gone, deadline passed in the queue).
  std::optional<HttpResponse> Early(const HttpRequest& req) {
    if (!req.deadline.Expired()) return std::nullopt;
    return HttpResponse::Error(req.deadline.Check("request"));
  }

  HttpResponse Execute(HttpRequest& req) {
    try {
      return core_.hooks.handle(req);
    } catch (const std::exception& e) {
      return HttpResponse::Error(Status::Internal(std::string("unexpected error: ") + e.what()));
    }
  }

  // From a worker: continue on the connection's strand.
  void Post(HttpResponse r) {
    net::post(stream_.get_executor(),
              [self = this->shared_from_this(), r = std::move(r)]() mutable { self->Respond(std::move(r)); });
  }

  // While a handler runs, a readable socket that holds no data means the client closed: cancel its work.
  void WatchForDisconnect() {
    watching_ = true;
    Lowest().socket().async_wait(tcp::socket::wait_read, [self = this->shared_from_this()](beast::error_code ec) {
      if (!self->watching_ || ec == net::error::operation_aborted) return;
      char byte;
      ssize_t n = ::recv(self->Lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0) return;  // the next request (pipelined): the client is still there
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return self->WatchForDisconnect();
      self->client_gone_ = true;
      if (self->req_) self->req_->deadline.Cancel();
    });
  }

  void StopWatching() {
    if (!watching_) return;
    watching_ = false;
    beast::error_code ec;
    Lowest().socket().cancel(ec);
  }

  void Respond(HttpResponse r) {
    StopWatching();
    // A client that went away (or only half-closed) gets its answer if it can still read it, then the connection ends.
    if (client_gone_) core_.metrics->of(class_).cancelled.fetch_add(1, std::memory_order_relaxed);
    if (req_->method == "HEAD") r.body.clear();
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    core_.metrics->RecordResponse(class_, r.status, elapsed);
    if (core_.log) core_.log(*req_, r, elapsed.count());
    // An unread body cannot be skipped safely: answer, then close. While stopping, take no more requests.
    bool keep_alive = keep_alive_ && !body_pending_ && !client_gone_ && !core_.stopping;
    Write(std::move(r), keep_alive);
  }

  // A response for a request that could not be parsed.
  void SendBare(HttpResponse r) {
    body_pending_ = true;
    Write(std::move(r), false);
  }

  void Write(HttpResponse r, bool keep_alive) {
    response_.emplace();
    response_->version(version_);
    response_->result(static_cast<unsigned>(r.status));
    response_->set(http::field::server, "Meridian");
    if (!r.content_type.empty()) response_->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) response_->insert(k, v);
    response_->keep_alive(keep_alive);
    if (!r.body_file.empty() && req_ && req_->method != "HEAD") return WriteFile(std::move(r), keep_alive);
    if (!r.body_file.empty()) std::remove(r.body_file.c_str());
    response_->body() = std::move(r.body);
    response_->prepare_payload();
    Lowest().expires_after(std::chrono::seconds(core_.options.read_timeout_s));
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), !keep_alive));
  }

  // A response whose body is a file (streamed from disk, then removed).
  void WriteFile(HttpResponse r, bool keep_alive) {
    sent_file_ = r.body_file;
    file_response_.emplace();
    beast::error_code ec;
    file_response_->body().open(r.body_file.c_str(), beast::file_mode::scan, ec);
    if (ec) {
      file_response_.reset();
      std::remove(sent_file_.c_str());
      sent_file_.clear();
      HttpResponse err = HttpResponse::Error(Status::Internal("cannot read the response file: " + ec.message()));
      return Write(std::move(err), keep_alive);
    }
    file_response_->base() = response_->base();
    response_.reset();
    file_response_->prepare_payload();
    // A large body to a slow reader: the whole write gets an hour.
    Lowest().expires_after(std::chrono::seconds(std::max(core_.options.read_timeout_s, 3600)));
    http::async_write(stream_, *file_response_,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), !keep_alive));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t) {
    EndRequest();
    response_.reset();
    file_response_.reset();
    if (!sent_file_.empty()) std::remove(sent_file_.c_str());
    sent_file_.clear();
    req_.reset();
    if (ec) return Close();
    if (close) return body_pending_ ? LingeringClose() : Close();
    ReadHeader();
  }

  void EndRequest() {
    if (!request_open_) return;
    request_open_ = false;
    core_.in_flight.fetch_sub(1);
  }

  // The client may still be sending a body we refused: stop sending, drain
  // its bytes (at most 10 s, or until it pauses for 1 s) so that our answer
  // is not lost to a reset, close.
  void LingeringClose() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    linger_until_ = Clock::now() + std::chrono::seconds(10);
    Drain();
  }

  void Drain() {
    auto now = Clock::now();
    if (now >= linger_until_) return Lowest().close();
    Lowest().expires_at(std::min(linger_until_, now + std::chrono::seconds(1)));
    Lowest().async_read_some(net::buffer(drain_buffer_),
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->Lowest().close();
                               self->Drain();
                             });
  }

  void Close() {
    if constexpr (kIsTls<Stream>) {
      Lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Lowest().close(); });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  std::shared_ptr<ssl::context> tls_context_;  // outlives stream_
  Stream stream_;
  beast::flat_buffer buffer_;
  Core& core_;
  std::unique_ptr<ConnectionSlot> slot_;
  const std::string remote_address_;  // the peer's address, for every request of the connection
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::optional<http::response<http::file_body>> file_response_;
  std::string sent_file_;  // body file of the response being written; removed once sent
  std::optional<http::response<http::empty_body>> continue_;
  std::shared_ptr<HttpRequest> req_;
  RouteClass class_ = RouteClass::kCheap;
  Clock::time_point started_;
  Clock::time_point linger_until_;
  std::array<char, 16384> drain_buffer_;
  int version_ = 11;
  bool first_ = true;
  bool keep_alive_ = false;
  bool body_pending_ = false;
  bool expect_continue_ = false;
  bool request_open_ = false;
  bool watching_ = false;
  bool client_gone_ = false;
};

// On a TLS port: starts a TLS session, or tells a plain-HTTP client to use https.
class TlsDetector : public std::enable_shared_from_this<TlsDetector> {
 public:
  TlsDetector(tcp::socket&& socket, Core& core, std::unique_ptr<ConnectionSlot> slot,
              std::shared_ptr<ssl::context> context)
      : stream_(std::move(socket)), core_(core), slot_(std::move(slot)), context_(std::move(context)) {}

  void Start() {
    stream_.expires_after(std::chrono::seconds(core_.options.read_timeout_s));
    beast::async_detect_ssl(stream_, buffer_, [self = shared_from_this()](beast::error_code ec, bool is_tls) {
      if (ec) return;
      if (is_tls) {
        auto ctx = self->context_;
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(std::move(self->stream_), *ctx), std::move(self->buffer_),
            self->core_, std::move(self->slot_), ctx)
            ->Start();
        return;
      }
      self->RefusePlain();
    });
  }

 private:
  void RefusePlain() {
    static const std::string kBody =
        R"({"errorCode":"ATLAS-400-00-001","errorMessage":"this port speaks HTTPS: use an https:// URL"})";
    reply_ = "HTTP/1.1 400 Bad Request\r\nServer: Meridian\r\nContent-Type: application/json;charset=UTF-8\r\n"
             "Connection: close\r\nContent-Length: " +
             std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
    net::async_write(stream_, net::buffer(reply_), [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Core& core_;
  std::unique_ptr<ConnectionSlot> slot_;
  std::shared_ptr<ssl::context> context_;
  std::string reply_;
};

Result<std::shared_ptr<ssl::context>> LoadTlsContext(const std::string& cert, const std::string& key) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  beast::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (!ec) ctx->use_certificate_chain_file(cert, ec);
  if (ec) return Status::InvalidArgument("TLS certificate " + cert + ": " + ec.message());
  ctx->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("TLS private key " + key + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return Status::InvalidArgument("TLS private key " + key + " does not match certificate " + cert);
  return ctx;
}

// Raises the soft open-file limit to the hard one; returns the new soft limit.
int64_t RaiseOpenFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? (1 << 20) : static_cast<int64_t>(lim.rlim_cur);
}

}  // namespace

struct HttpServer::Impl {
  Core core;
  ServerMetrics own_metrics;  // used when the caller gives none
  net::io_context ioc;
  std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls_context;  // GUARDED_BY(tls_mu); null: plain HTTP
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_backoff{ioc};
  std::thread stopper;

  std::shared_ptr<ssl::context> CurrentTls() {
    std::lock_guard lock(tls_mu);
    return tls_context;
  }

  // A slot under the limits, or null (the connection is closed at once).
  std::unique_ptr<ConnectionSlot> Admit(const tcp::socket& socket) {
    beast::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) return nullptr;
    std::lock_guard lock(core.connections_mu);
    int& from_address = core.per_address[remote.address()];
    if (core.metrics->connections.load() >= core.options.max_connections ||
        from_address >= core.options.max_connections_per_address) {
      if (from_address == 0) core.per_address.erase(remote.address());
      return nullptr;
    }
    ++from_address;
    core.metrics->connections.fetch_add(1, std::memory_order_relaxed);
    return std::make_unique<ConnectionSlot>(core, remote.address());
  }

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (core.stopping || ec == net::error::operation_aborted) return;
      if (ec) {
        // Out of file descriptors (or a transient error): pause instead of spinning.
        accept_backoff.expires_after(std::chrono::milliseconds(100));
        accept_backoff.async_wait([this](beast::error_code) {
          if (!core.stopping) Accept();
        });
        return;
      }
      auto slot = Admit(socket);
      // Responses leave as soon as they are written: with Nagle's algorithm, the second
      // write of a response waits for the client's delayed ACK (40 ms on Linux).
      beast::error_code nodelay_error;
      socket.set_option(tcp::no_delay(true), nodelay_error);
      if (!slot) {
        core.metrics->connections_refused.fetch_add(1, std::memory_order_relaxed);
        beast::error_code ignored;
        socket.close(ignored);
      } else if (auto tls = CurrentTls()) {
        std::make_shared<TlsDetector>(std::move(socket), core, std::move(slot), std::move(tls))->Start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), beast::flat_buffer(), core,
                                                     std::move(slot), nullptr)
            ->Start();
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(ServerOptions options, RequestHooks hooks, AccessLog log, ServerMetrics* metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->core.options = std::move(options);
  impl_->core.hooks = std::move(hooks);
  impl_->core.log = std::move(log);
  impl_->core.metrics = metrics ? metrics : &impl_->own_metrics;
}

HttpServer::~HttpServer() {
  if (impl_->stopper.joinable()) impl_->stopper.join();
  if (impl_->core.pool) impl_->core.pool->Stop();
  if (impl_->core.heavy_pool) impl_->core.heavy_pool->Stop();
  if (impl_->core.immediate_pool) impl_->core.immediate_pool->Stop();
}

Status HttpServer::Start() {
  ServerOptions& o = impl_->core.options;
  int64_t files = RaiseOpenFileLimit();
  if (o.max_connections <= 0) o.max_connections = static_cast<int>(std::max<int64_t>(16, files * 3 / 4));
  if (o.max_connections_per_address <= 0) o.max_connections_per_address = std::max(16, o.max_connections / 4);
  impl_->core.metrics->max_connections = o.max_connections;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    if (o.tls_cert.empty() || o.tls_key.empty())
      return Status::InvalidArgument("TLS needs both a certificate (tls_cert) and a private key (tls_key)");
    auto ctx = LoadTlsContext(o.tls_cert, o.tls_key);
    if (!ctx.ok()) return ctx.status();
    impl_->tls_context = *ctx;
  }
  int workers = std::max(1, o.workers);
  // Heavy workers run under SCHED_IDLE, so the scheduler, not a reserved core, keeps them from
  // slowing cheap requests; half the workers by default.
  int heavy = o.heavy_workers > 0 ? o.heavy_workers : std::max(1, workers / 2);
  int write = o.write_workers > 0 ? o.write_workers : std::max(1, workers - 1);
  if (workers > 1) write = std::min(write, workers - 1);
  impl_->core.pool = std::make_unique<WorkerPool>(workers, std::array<int, kRouteClassCount>{workers, workers, write, 0},
                                                  std::array<int, kRouteClassCount>{0, o.queue_cheap, o.queue_write, 0},
                                                  impl_->core.metrics);
  impl_->core.heavy_pool = std::make_unique<WorkerPool>(
      heavy, std::array<int, kRouteClassCount>{0, 0, 0, heavy}, std::array<int, kRouteClassCount>{0, 0, 0, o.queue_heavy},
      impl_->core.metrics, /*background=*/true);
  impl_->core.immediate_pool = std::make_unique<WorkerPool>(1, std::array<int, kRouteClassCount>{1, 0, 0, 0},
                                                            std::array<int, kRouteClassCount>{64, 0, 0, 0},
                                                            impl_->core.metrics);

  beast::error_code ec;
  auto address = net::ip::make_address(o.bind, ec);
  if (ec) return Status::InvalidArgument("invalid bind address " + o.bind);
  tcp::endpoint ep(address, o.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + o.bind + ":" + std::to_string(o.port) + ": " + ec.message());
  impl_->Accept();
  return Status::Ok();
}

void HttpServer::Run() {
  // Runs until Stop's ioc.stop(): a request still with a worker once the acceptor closed
  // must find the I/O threads there to write its answer.
  auto keep_running = net::make_work_guard(impl_->ioc);
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl_->core.options.threads); ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  impl_->core.pool->Stop();
  impl_->core.heavy_pool->Stop();
  impl_->core.immediate_pool->Stop();
}

void HttpServer::Stop() {
  // Stop accepting and keeping connections alive, then let in-flight requests finish.
  impl_->core.stopping = true;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_backoff.cancel();
  });
  if (impl_->stopper.joinable()) return;
  impl_->stopper = std::thread([this] {
    // In-flight requests get up to 30 s to finish and be written.
    auto deadline = Clock::now() + std::chrono::seconds(30);
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (impl_->core.in_flight > 0 && Clock::now() < deadline);
    impl_->ioc.stop();
  });
}

Status HttpServer::ReloadTls() {
  const ServerOptions& o = impl_->core.options;
  if (!tls()) return Status::InvalidArgument("TLS is not enabled");
  auto ctx = LoadTlsContext(o.tls_cert, o.tls_key);
  if (!ctx.ok()) return ctx.status();
  std::lock_guard lock(impl_->tls_mu);
  impl_->tls_context = *ctx;
  return Status::Ok();
}

bool HttpServer::tls() const {
  std::lock_guard lock(impl_->tls_mu);
  return impl_->tls_context != nullptr;
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

int HttpServer::max_connections() const { return impl_->core.options.max_connections; }

}  // namespace meridian::server
