// The HTTP transport against the real server binary: request classes and
// admission (503, 504), metrics, authentication before the body, connection
// limits and HTTPS (certificate reload on SIGHUP, the CLI clients over https).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

// Writes a config file into `dir` and returns the --config arguments for it.
std::vector<std::string> ConfigArgs(const std::string& dir, const std::string& toml) {
  std::string path = dir + "/meridian.toml";
  std::ofstream(path) << toml;
  return {"--config", path};
}

std::string TempDir() {
  char tmpl[] = "/tmp/meridian-transport-XXXXXX";
  return mkdtemp(tmpl);
}

// A TCP connection to 127.0.0.1:port from `source` (any 127.x.y.z address); -1 when refused.
int Connect(int port, const char* source = "127.0.0.1") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
    close(fd);
    return -1;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// How many of `fds` the server has closed (a read returns end of stream or a reset). Idle connections the
// server keeps never become readable; refused ones are closed at accept, so a short settling time suffices.
int ClosedByServer(const std::vector<int>& fds) {
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int closed = 0;
  for (int fd : fds) {
    pollfd p{fd, POLLIN, 0};
    char c;
    closed += poll(&p, 1, 0) > 0 && recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
  }
  return closed;
}

// Reads from `fd` until the text holds a complete status line or `ms` pass.
std::string ReadStatusLine(int fd, int ms) {
  std::string got;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (got.find("\r\n") == std::string::npos && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got.substr(0, got.find("\r\n"));
}

uint64_t PrometheusValue(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return UINT64_MAX;
  return std::strtoull(text.c_str() + at + series.size() + 2, nullptr, 10);
}

// ---------------------------------------------------------------------------
// Request classes, admission, metrics

std::string Prometheus(const TestServer& server) { return server.Get("/api/meridian/v1/metrics/prometheus").body; }

// Columns enough that a search made right after writing them keeps a worker busy
// while it waits for the index to catch up.
void LoadColumns(const TestServer& server, int count) {
  json db = {{"typeName", "hive_db"}, {"guid", "-1"},
             {"attributes", {{"qualifiedName", "load@primary"}, {"name", "load"}, {"clusterName", "primary"}}}};
  json table = {{"typeName", "hive_table"}, {"guid", "-2"},
                {"attributes", {{"qualifiedName", "load.t@primary"}, {"name", "t"},
                                {"db", {{"guid", "-1"}, {"typeName", "hive_db"}}}}}};
  json entities = json::array({db, table});
  for (int i = 0; i < count; ++i)
    entities.push_back({{"typeName", "hive_column"}, {"guid", "-" + std::to_string(i + 3)},
                        {"attributes", {{"qualifiedName", "load.t.c" + std::to_string(i) + "@primary"},
                                        {"name", "c" + std::to_string(i)}, {"type", "int"},
                                        {"table", {{"guid", "-2"}, {"typeName", "hive_table"}}}}}});
  HttpResult r = server.Post("/api/atlas/v2/entity/bulk", {{"entities", entities}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
}

const std::string kHeavyQuery = "/api/atlas/v2/search/basic?typeName=hive_column&query=c1";

TEST(Transport, RouteClassesAreCountedInJsonAndPrometheusMetrics) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(server.Post("/api/atlas/v2/entity/bulk", Fixture("tutorial_catalog.json")).status, 200);
  EXPECT_EQ(server.Get("/api/atlas/v2/types/typedefs/headers").status, 200);                         // cheap
  EXPECT_EQ(server.Get("/api/atlas/v2/search/dsl?query=" + UrlEncode("hive_table select count()")).status, 200);  // heavy
  EXPECT_EQ(server.Get("/api/atlas/v2/search/basic?typeName=hive_table").status, 200);                // heavy

  HttpResult prom = server.Get("/api/meridian/v1/metrics/prometheus");
  ASSERT_EQ(prom.status, 200);
  EXPECT_EQ(prom.headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u) << prom.headers["content-type"];
  EXPECT_EQ(PrometheusValue(prom.body, "meridian_http_responses_total{class=\"heavy\",code=\"2xx\"}"), 2u) << prom.body;
  EXPECT_GE(PrometheusValue(prom.body, "meridian_http_responses_total{class=\"cheap\",code=\"2xx\"}"), 1u);
  EXPECT_GE(PrometheusValue(prom.body, "meridian_http_responses_total{class=\"write\",code=\"2xx\"}"), 1u);
  EXPECT_EQ(PrometheusValue(prom.body, "meridian_http_request_duration_seconds_count{class=\"heavy\"}"), 2u);
  EXPECT_EQ(PrometheusValue(prom.body, "meridian_http_request_duration_seconds_bucket{class=\"heavy\",le=\"+Inf\"}"), 2u);
  EXPECT_EQ(PrometheusValue(prom.body, "meridian_http_requests_rejected_total{class=\"heavy\"}"), 0u);
  EXPECT_EQ(PrometheusValue(prom.body, "meridian_http_requests_queued{class=\"cheap\"}"), 0u);
  EXPECT_NE(PrometheusValue(prom.body, "meridian_index_lag_sequences"), UINT64_MAX);
  EXPECT_NE(PrometheusValue(prom.body, "meridian_store_disk_bytes"), UINT64_MAX);
  EXPECT_NE(PrometheusValue(prom.body, "meridian_store_background_jobs"), UINT64_MAX);
  EXPECT_NE(PrometheusValue(prom.body, "meridian_store_compaction_pending_bytes"), UINT64_MAX);
  // The allocator's figures: a live heap, and at least as much resident for it.
  const uint64_t allocated = PrometheusValue(prom.body, "meridian_heap_allocated_bytes");
  EXPECT_GT(allocated, 1u << 20);
  EXPECT_NE(allocated, UINT64_MAX);
  EXPECT_GE(PrometheusValue(prom.body, "meridian_heap_resident_bytes"), allocated);
  EXPECT_GE(PrometheusValue(prom.body, "meridian_http_connections"), 1u);  // at least this request's own
  EXPECT_EQ(server.Get("/api/meridian/v1/metrics/prometheus", "").status, 401);

  HttpResult metrics = server.Get("/api/atlas/admin/metrics");
  ASSERT_EQ(metrics.status, 200);
  json requests = metrics.Json()["data"]["server"]["requests"];
  for (const char* c : {"immediate", "cheap", "write", "heavy"}) {
    ASSERT_TRUE(requests.contains(c)) << metrics.body;
    for (const char* k : {"inFlight", "queued", "rejected"}) EXPECT_TRUE(requests[c].contains(k)) << metrics.body;
  }
  EXPECT_EQ(requests["heavy"]["requests"], 2);
  EXPECT_EQ(requests["cheap"]["inFlight"], 1);  // the metrics request itself
}

TEST(Transport, FullHeavyQueueAnswers503WithRetryAfterAndCheapRequestsAreStillServed) {
  std::string dir = TempDir();
  TestServer server(ConfigArgs(dir, "[server]\nworkers = 2\nheavy_workers = 1\n[server.queues]\nheavy = 1\n"));
  ASSERT_TRUE(server.Start());
  LoadColumns(server, 3000);
  constexpr int kHeavy = 12, kCheap = 12;
  std::vector<HttpResult> heavy(kHeavy), cheap(kCheap);
  std::vector<std::thread> threads;
  for (int i = 0; i < kHeavy; ++i) threads.emplace_back([&, i] { heavy[i] = server.Get(kHeavyQuery); });
  for (int i = 0; i < kCheap; ++i)
    threads.emplace_back([&, i] { cheap[i] = server.Get("/api/atlas/v2/types/typedef/name/hive_table"); });
  for (auto& t : threads) t.join();

  int rejected = 0;
  for (const HttpResult& r : heavy) {
    if (r.status == 503) {
      ++rejected;
      EXPECT_EQ(r.Json()["errorCode"], "ATLAS-503-00-001") << r.body;
      EXPECT_EQ(r.headers.at("retry-after"), "1");
    } else {
      EXPECT_EQ(r.status, 200) << r.body;
    }
  }
  // One runs (waiting for the index to take the new columns), one waits: the rest are refused at once.
  EXPECT_GE(rejected, 1);
  for (const HttpResult& r : cheap) EXPECT_EQ(r.status, 200) << r.body;  // their queue is their own
  json classes = server.Get("/api/atlas/admin/metrics").Json()["data"]["server"]["requests"];
  EXPECT_EQ(classes["heavy"]["rejected"], rejected);
  EXPECT_EQ(classes["cheap"]["rejected"], 0);
  std::filesystem::remove_all(dir);
}

TEST(Transport, HeavyWorkersGetACoreOnlyWhenNoOtherThreadWantsIt) {
  std::string dir = TempDir();
  TestServer server(ConfigArgs(dir, "[server]\nworkers = 4\nheavy_workers = 2\n"));
  ASSERT_TRUE(server.Start());
  int idle = 0, others = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(server.pid()) + "/task")) {
    int policy = sched_getscheduler(static_cast<pid_t>(std::stoi(task.path().filename().string())));
    (policy == SCHED_IDLE ? idle : others) += 1;
  }
  EXPECT_EQ(idle, 2);  // the heavy workers, and nothing else
  EXPECT_GT(others, 4);
  EXPECT_EQ(server.Get(kHeavyQuery).status, 200);
  std::filesystem::remove_all(dir);
}

TEST(Transport, RequestsAreAnsweredWhileTheLogCannotBeWritten) {
  std::string dir = TempDir();
  // The server's output goes to a pipe that nobody reads: once its 64 KB buffer is full, every write to it blocks.
  std::string fifo = dir + "/log.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  TestServer server;
  server.set_log_path(fifo);
  ASSERT_TRUE(server.Start());
  // 400 requests for an unknown guid of 400 characters log ~200 KB, three times what the pipe holds.
  const std::string path = "/api/atlas/v2/entity/guid/" + std::string(400, 'a');
  for (int i = 0; i < 400; ++i) ASSERT_EQ(server.Get(path).status, 404) << "request " << i;
  // The request lines wait in the log's queue, none dropped yet.
  EXPECT_EQ(PrometheusValue(server.Get("/api/meridian/v1/metrics/prometheus").body, "meridian_access_log_dropped_total"),
            0u);
  server.Kill9();  // its shutdown message could not be written either
  close(reader);
  std::filesystem::remove_all(dir);
}

TEST(Transport, RequestWhoseDeadlinePassesInTheQueueGets504AndTheWorkerServesTheNext) {
  std::string dir = TempDir();
  TestServer server(ConfigArgs(dir, "[server]\nworkers = 2\nheavy_workers = 1\n[server.deadlines]\nheavy_ms = 30\n"));
  ASSERT_TRUE(server.Start());
  LoadColumns(server, 3000);
  constexpr int kHeavy = 8;
  std::vector<HttpResult> heavy(kHeavy);
  std::vector<std::thread> threads;
  for (int i = 0; i < kHeavy; ++i) threads.emplace_back([&, i] { heavy[i] = server.Get(kHeavyQuery); });
  for (auto& t : threads) t.join();
  int expired = 0;
  for (const HttpResult& r : heavy) {
    if (r.status != 504) continue;
    ++expired;
    EXPECT_EQ(r.Json()["errorCode"], "ATLAS-504-00-001") << r.body;
  }
  // Eight searches one at a time, the first waiting for 3000 new columns to be indexed, cannot all start within 30 ms.
  EXPECT_GE(expired, 1);
  // The worker is free again: a cheap request and a quick heavy one are answered.
  EXPECT_EQ(server.Get("/api/atlas/v2/types/typedefs/headers").status, 200);
  // The counter is updated once the response is on its way: wait (bounded) for it.
  json counted;
  for (int i = 0; i < 100; ++i) {
    counted = server.Get("/api/atlas/admin/metrics").Json()["data"]["server"]["requests"]["heavy"]["deadlineExceeded"];
    if (counted == expired) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(counted, expired);
  std::filesystem::remove_all(dir);
}

TEST(Transport, ClientsThatDisconnectWhileQueuedHaveTheirRequestsCancelled) {
  std::string dir = TempDir();
  TestServer server(ConfigArgs(dir, "[server]\nworkers = 2\nheavy_workers = 1\n"));
  ASSERT_TRUE(server.Start());
  LoadColumns(server, 3000);
  std::thread running([&] { EXPECT_EQ(server.Get(kHeavyQuery).status, 200); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // Five more queue behind it; their clients give up at once.
  for (int i = 0; i < 5; ++i) {
    int fd = Connect(server.port());
    std::string req = "GET " + kHeavyQuery + " HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    close(fd);
  }
  running.join();
  json heavy = json::object();
  for (int i = 0; i < 100 && (heavy.value("cancelled", 0) < 5 || heavy.value("queued", 1) > 0); ++i) {
    heavy = server.Get("/api/atlas/admin/metrics").Json()["data"]["server"]["requests"]["heavy"];
    if (heavy.value("cancelled", 0) < 5) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // On a loaded machine the first query may end before the last client has gone, and that
  // request then starts and finishes normally; the others are cancelled in the queue.
  EXPECT_GE(heavy.value("cancelled", 0), 3) << heavy;
  EXPECT_EQ(heavy["queued"], 0) << heavy;
  std::filesystem::remove_all(dir);
}

TEST(Transport, SigtermLetsTheRequestInFlightFinish) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  LoadColumns(server, 3000);
  HttpResult answer;
  std::thread search([&] { answer = server.Get(kHeavyQuery); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  server.Stop();  // SIGTERM, then waits for the process to exit
  search.join();
  EXPECT_EQ(answer.status, 200) << answer.body;
}

// ---------------------------------------------------------------------------
// Authentication before the body

TEST(Transport, AnonymousLargeUploadGets401BeforeItsBodyIsSent) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  for (const std::string auth : {"", "Authorization: Basic YWRtaW46d3Jvbmc=\r\n"}) {  // none; admin:wrong
    int fd = Connect(server.port());
    ASSERT_GE(fd, 0);
    std::string head = "POST /api/atlas/v2/entity/bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                       auth + "Content-Length: 60000000\r\n\r\n";
    ASSERT_EQ(send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
    std::string chunk(256 << 10, ' ');
    ASSERT_EQ(send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL), static_cast<ssize_t>(chunk.size()));
    // 59.7 MB are still unsent: the answer comes from the headers alone.
    EXPECT_EQ(ReadStatusLine(fd, 10000), "HTTP/1.1 401 Unauthorized") << "auth=" << auth;
    close(fd);
  }
  // With credentials the body is read and used.
  EXPECT_EQ(server.Post("/api/atlas/v2/entity/bulk", Fixture("tutorial_catalog.json")).status, 200);
  // Expect: 100-continue gets its interim answer once the headers are accepted.
  HttpResult r = Request(server.port(), "POST", "/api/atlas/v2/search/basic", R"({"typeName":"hive_table"})",
                         "admin:admin", {{"Expect", "100-continue"}});
  EXPECT_EQ(r.status, 100) << r.body;  // the test client parses the first status line it gets
  EXPECT_EQ(r.body.rfind("HTTP/1.1 200 OK", 0), 0u) << r.body;
}

// ---------------------------------------------------------------------------
// Connection limits

TEST(Transport, IdleConnectionsOverTheLimitsAreRefusedAndOtherClientsServed) {
  std::string dir = TempDir();
  TestServer server(ConfigArgs(dir, "[server]\nmax_connections = 24\nmax_connections_per_address = 8\n"));
  ASSERT_TRUE(server.Start());
  // One address opens 20 idle connections: 8 are kept, the rest closed at once.
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) {
    int fd = Connect(server.port(), "127.0.0.2");
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  EXPECT_EQ(ClosedByServer(idle), 12);
  // Another client is served meanwhile.
  EXPECT_EQ(server.Get("/api/atlas/v2/types/typedefs/headers").status, 200);
  for (int fd : idle) close(fd);
  // The server sees them go (only the metrics request's own connection stays open).
  for (int i = 0; i < 100 && PrometheusValue(Prometheus(server), "meridian_http_connections") != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(PrometheusValue(Prometheus(server), "meridian_http_connections"), 1u);

  // 30 idle connections from many addresses fill the server's 24: the excess is refused.
  std::vector<int> many;
  for (int i = 0; i < 30; ++i) {
    std::string source = "127.0.1." + std::to_string(i / 4 + 1);
    int fd = Connect(server.port(), source.c_str());
    ASSERT_GE(fd, 0);
    many.push_back(fd);
  }
  // 6 over the limit, or 7 while the server has yet to see the last metrics probe's connection close.
  const int refused = ClosedByServer(many);
  EXPECT_GE(refused, 6);
  EXPECT_LE(refused, 7);
  for (int fd : many) close(fd);
  // Closed connections free their places.
  HttpResult ok;
  for (int i = 0; i < 50 && ok.status != 200; ++i) {
    ok = server.Get("/api/atlas/v2/types/typedefs/headers");
    if (ok.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ok.status, 200);
  std::string prom = Prometheus(server);
  EXPECT_EQ(PrometheusValue(prom, "meridian_http_connections_refused_total"), 12u + refused) << prom;
  EXPECT_EQ(PrometheusValue(prom, "meridian_http_connections_max"), 24u);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------
// HTTPS

struct TlsResult {
  bool handshake = false;
  int status = 0;
  std::string head;
  std::string body;
  std::string peer_cn;
};

// One HTTPS request to 127.0.0.1:port verifying the server against `ca_file`.
TlsResult TlsRequest(int port, const std::string& ca_file, const std::string& target, const std::string& method = "GET",
                     const std::string& body = "", int max_version = 0) {
  TlsResult out;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (max_version) {
    SSL_CTX_set_min_proto_version(ctx, max_version);
    SSL_CTX_set_max_proto_version(ctx, max_version);
  }
  int fd = Connect(port);
  SSL* ssl = SSL_new(ctx);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  SSL_set_fd(ssl, fd);
  if (fd >= 0 && SSL_connect(ssl) == 1) {
    out.handshake = true;
    X509* peer = SSL_get1_peer_certificate(ssl);
    char cn[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
    out.peer_cn = cn;
    X509_free(peer);
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      "Authorization: Basic YWRtaW46YWRtaW4=\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    SSL_write(ssl, req.data(), static_cast<int>(req.size()));
    std::string raw;
    char buf[16384];
    for (int n; (n = SSL_read(ssl, buf, sizeof buf)) > 0;) raw.append(buf, static_cast<size_t>(n));
    size_t end = raw.find("\r\n\r\n");
    if (raw.size() > 12 && end != std::string::npos) {
      out.status = std::atoi(raw.substr(9, 3).c_str());
      out.head = raw.substr(0, end);
      out.body = raw.substr(end + 4);
    }
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  if (fd >= 0) close(fd);
  return out;
}

// A self-signed certificate for 127.0.0.1 with common name `cn`.
void MakeCertificate(const std::string& cert, const std::string& key, const std::string& cn) {
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=" + cn +
                    " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + key + " -out " + cert +
                    " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

int RunMeridian(const std::string& args) {
  std::string cmd = "MERIDIAN_PASSWORD=admin " + TestServer::Binary() + " " + args + " >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(Transport, HttpsWithReloadOnSighupSecureCookieAndClients) {
  std::string dir = TempDir();
  std::string cert = dir + "/server.crt", key = dir + "/server.key";
  MakeCertificate(cert, key, "first");
  TestServer server({"--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(server.Start());
  TlsResult status = TlsRequest(server.port(), cert, "/api/atlas/admin/status");
  ASSERT_TRUE(status.handshake);
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.peer_cn, "first");

  // Plain HTTP to the TLS port: a clean Atlas-shaped 400 that names https.
  HttpResult plain = Request(server.port(), "GET", "/api/atlas/admin/status");
  EXPECT_EQ(plain.status, 400);
  EXPECT_NE(plain.body.find("https"), std::string::npos) << plain.body;

  // TLS 1.1 is refused; a client that does not trust the certificate fails the handshake.
  EXPECT_FALSE(TlsRequest(server.port(), cert, "/api/atlas/admin/status", "GET", "", TLS1_1_VERSION).handshake);
  std::string other_cert = dir + "/other.crt", other_key = dir + "/other.key";
  MakeCertificate(other_cert, other_key, "other");
  EXPECT_FALSE(TlsRequest(server.port(), other_cert, "/api/atlas/admin/status").handshake);

  // The session cookie is Secure over HTTPS.
  TlsResult login = TlsRequest(server.port(), cert, "/api/meridian/v1/login", "POST",
                               R"({"username":"admin","password":"admin"})");
  EXPECT_EQ(login.status, 200) << login.body;
  EXPECT_NE(login.head.find("; Secure"), std::string::npos) << login.head;

  // The CLI client speaks https with --ca-file, and refuses a server it cannot verify.
  std::string sql = dir + "/q.sql";
  std::ofstream(sql) << "CREATE TABLE tls_t (a INT);\n";
  std::string url = "--url https://127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(RunMeridian("lineage-sql " + url + " --ca-file " + cert + " " + sql), 0);
  EXPECT_NE(RunMeridian("lineage-sql " + url + " " + sql), 0);
  EXPECT_NE(RunMeridian("lineage-sql " + url + " --ca-file " + other_cert + " " + sql), 0);

  // SIGHUP: new connections get the new certificate.
  MakeCertificate(cert, key, "second");
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  TlsResult after;
  for (int i = 0; i < 100 && after.peer_cn != "second"; ++i) {
    after = TlsRequest(server.port(), cert, "/api/atlas/admin/status");
    if (after.peer_cn != "second") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(after.peer_cn, "second");
  EXPECT_EQ(after.status, 200);
  // A broken certificate file on reload keeps the server on the last good one.
  std::string second = dir + "/second.crt";
  std::filesystem::copy_file(cert, second);
  std::ofstream(cert, std::ios::trunc) << "not a certificate";
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  EXPECT_EQ(server.Get("/api/atlas/admin/status").status, 400);  // still up (plain HTTP gets its 400)
  TlsResult kept = TlsRequest(server.port(), second, "/api/atlas/admin/status");
  EXPECT_EQ(kept.peer_cn, "second");
  EXPECT_EQ(kept.status, 200);
  server.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace meridian::testing
