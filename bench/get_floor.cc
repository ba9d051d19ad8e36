// get_floor: what a GET by guid costs, layer by layer, on an existing catalog.
//
// Serves the catalog in a data directory (made by bench/realistic_bench.sh --keep) with
// Meridian's own HTTP server — I/O threads, the bounded worker pool, keep-alive — but
// without authentication, routing, metrics or access log, on four paths:
//   /floor/hello/{guid}         no store read: the server's own floor
//   /floor/record/{guid}        the entity's record (one random RocksDB read, decoded)
//   /floor/record-edges/{guid}  the record and its edges (one read, one prefix scan)
//   /floor/entity/{guid}        Catalog::GetEntity, rendered as the real GET's body
// Each answers a small fixed body except the last. bench/get_floor.sh drives them with
// wrk on random guids beside the bare Beast server of ../shared/limits.
//
//   get_floor --data-dir D [--port 23470] [--seconds 60]
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "meridian/catalog/catalog.h"
#include "meridian/server/http_server.h"
#include "meridian/store/store.h"

namespace meridian::bench {
namespace {

using nlohmann::json;

server::HttpResponse Floor(catalog::Catalog& catalog, const server::HttpRequest& req) {
  static const std::string kPrefix = "/floor/";
  if (req.path.rfind(kPrefix, 0) != 0) return server::HttpResponse::Error(Status::NotFound("no such path"));
  const std::string rest = req.path.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string::npos) return server::HttpResponse::Error(Status::NotFound("no guid"));
  const std::string layer = rest.substr(0, slash), guid = rest.substr(slash + 1);
  const json small = {{"guid", guid}};
  if (layer == "hello") return server::HttpResponse::Json(small);
  if (layer == "record" || layer == "record-edges") {
    auto record = catalog.LoadRecord(guid);
    if (!record.ok()) return server::HttpResponse::Error(record.status());
    if (layer == "record") return server::HttpResponse::Json(small);
    return server::HttpResponse::Json({{"guid", guid}, {"edges", catalog.Edges(guid).size()}});
  }
  if (layer == "entity") {
    auto entity = catalog.GetEntity(guid, {});
    return entity.ok() ? server::HttpResponse::Json(*entity) : server::HttpResponse::Error(entity.status());
  }
  return server::HttpResponse::Error(Status::NotFound("no such layer " + layer));
}

int Main(int argc, char** argv) {
  std::string data_dir;
  int port = 23470, seconds = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--data-dir") data_dir = value;
    else if (flag == "--port") port = std::atoi(value.c_str());
    else if (flag == "--seconds") seconds = std::atoi(value.c_str());
  }
  if (data_dir.empty()) {
    std::cerr << "usage: get_floor --data-dir D [--port 23470] [--seconds 60]\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  auto store = store::Store::Open(data_dir, {});
  if (!store.ok()) return std::cerr << store.status().ToString() << "\n", 1;
  auto catalog = catalog::Catalog::Open(store->get(), {});
  if (!catalog.ok()) return std::cerr << catalog.status().ToString() << "\n", 1;
  server::ServerOptions options;  // the server's defaults: 2 I/O threads, 8 workers
  options.port = static_cast<uint16_t>(port);
  server::RequestHooks hooks;
  hooks.handle = [&](server::HttpRequest& req) { return Floor(**catalog, req); };
  server::HttpServer http(options, hooks, {});
  if (Status s = http.Start(); !s.ok()) return std::cerr << s.ToString() << "\n", 1;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    http.Stop();
  });
  std::cerr << "get_floor: serving " << data_dir << " on 127.0.0.1:" << http.port() << " for " << seconds << " s\n";
  http.Run();
  stopper.join();
  return 0;
}

}  // namespace
}  // namespace meridian::bench

int main(int argc, char** argv) { return meridian::bench::Main(argc, argv); }
