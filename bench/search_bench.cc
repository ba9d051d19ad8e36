// search_bench: index build rate, search latencies and write-to-searchable lag on
// a generated Hive catalog, beside the raw Xapian/RocksDB ceilings of
// ../shared/limits measured in the same run.
//
//   search_bench [--entities 1000000] [--limits /tmp/limits-build/limits] [--queries 200]
//                [--load-seconds 10] [--load-rate 10000] [--dir DIR] [--only "dsl:"]
//
// Entities are written through the catalog (one store batch per request of ~500
// entities, as POST /entity/bulk does); latencies are server-side times of the
// search service calls (HTTP excluded). Build limits first:
//   cmake -S ../shared/limits -B /tmp/limits-build && cmake --build /tmp/limits-build
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "meridian/catalog/catalog.h"
#include "meridian/index/indexer.h"
#include "meridian/index/search_index.h"
#include "meridian/search/search_service.h"
#include "meridian/store/store.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kWords = {
    "sales", "orders", "customers", "trips", "zones", "payments", "events", "sessions", "clicks", "users",
    "accounts", "invoices", "products", "inventory", "shipments", "returns", "ledger", "campaigns", "leads",
    "devices", "sensors", "logs", "metrics", "daily", "hourly", "raw", "clean", "agg", "fact", "dim"};
const std::vector<std::string> kColumns = {
    "id", "user_id", "customer_id", "order_id", "amount", "price", "quantity", "created_at", "updated_at", "status",
    "country", "city", "zip", "email", "phone", "name", "description", "category", "source_system", "load_ts",
    "event_time", "device_id", "session_id", "currency", "discount", "tax", "total", "region", "channel"};
const std::vector<std::string> kColumnTypes = {"int", "bigint", "string", "double", "timestamp", "boolean", "date"};
const std::vector<std::string> kOwners = {"etl", "analytics", "ingest"};

struct Args {
  size_t entities = 1000000;
  std::string limits = "/tmp/limits-build/limits";
  size_t queries = 200;
  double load_seconds = 10;
  size_t load_rate = 10000;
  std::string dir;
  std::string only;  // run only the query kinds whose name contains this
};

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

struct Stats {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};

Stats Percentiles(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.n = v.size();
  s.p50 = v[v.size() / 2];
  s.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
  s.max = v.back();
  return s;
}

// Runs one limits command and returns its JSON line (null when unavailable).
json Limits(const Args& a, const std::string& command) {
  if (!std::filesystem::exists(a.limits)) return json();
  std::string cmd = "cd '" + a.dir + "' && '" + a.limits + "' " + command + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return json();
  std::string out;
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return json::parse(out, nullptr, false);
}

// Generates the catalog: databases of 100 tables, 4-12 columns per table, and a
// hive_process for every 10th table reading two earlier tables.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  // The next request body (entities array), or empty when `total` is reached.
  json Next(size_t total, size_t per_request) {
    json batch = json::array();
    while (made_ < total && batch.size() + 16 < per_request) {
      if (table_in_db_ == 0) {
        db_ = Pick(kWords) + "_" + std::to_string(db_count_++);
        batch.push_back({{"typeName", "hive_db"},
                         {"attributes",
                          {{"qualifiedName", db_ + "@bench"}, {"name", db_}, {"clusterName", "bench"},
                           {"owner", "hive"}, {"description", "database " + db_}}}});
        dbs.push_back(db_);
        ++made_;
      }
      std::string name = Pick(kWords) + "_" + Pick(kWords) + "_" + std::to_string(table_in_db_);
      std::string qn = db_ + "." + name + "@bench";
      std::string ph = "-" + std::to_string(++placeholder_);
      std::string words = name;
      std::replace(words.begin(), words.end(), '_', ' ');
      batch.push_back({{"typeName", "hive_table"},
                       {"guid", ph},
                       {"attributes",
                        {{"qualifiedName", qn}, {"name", name}, {"owner", Pick(kOwners)},
                         {"tableType", rng_() % 2 ? "MANAGED_TABLE" : "EXTERNAL_TABLE"},
                         {"createTime", 1700000000000 + static_cast<int64_t>(made_)},
                         {"description", words + " table of " + db_},
                         {"db", {{"typeName", "hive_db"}, {"uniqueAttributes", {{"qualifiedName", db_ + "@bench"}}}}}}}});
      ++made_;
      tables.push_back(name);
      table_qns.push_back(qn);
      size_t ncols = 4 + rng_() % 9;
      for (size_t c = 0; c < ncols && made_ < total; ++c, ++made_) {
        std::string col = Pick(kColumns) + "_" + std::to_string(c);
        batch.push_back({{"typeName", "hive_column"},
                         {"attributes",
                          {{"qualifiedName", db_ + "." + name + "." + col + "@bench"}, {"name", col},
                           {"type", Pick(kColumnTypes)}, {"position", c}, {"owner", "etl"},
                           {"table", {{"guid", ph}, {"typeName", "hive_table"}}}}}});
      }
      if (committed_tables_ >= 2 && table_qns.size() % 10 == 0 && made_ < total) {
        std::string in1 = table_qns[rng_() % committed_tables_], in2 = table_qns[rng_() % committed_tables_];
        batch.push_back(
            {{"typeName", "hive_process"},
             {"attributes",
              {{"qualifiedName", qn + ":" + std::to_string(made_)}, {"name", "insert into " + name},
               {"operationType", "QUERY"}, {"queryText", "insert into " + name + " select * from " + in1},
               {"queryPlan", "Not Supported"}, {"queryId", "q" + std::to_string(made_)}, {"userName", "etl"},
               {"startTime", 1700000000000}, {"endTime", 1700000001000},
               {"inputs",
                {{{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", in1}}}},
                 {{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", in2}}}}}},
               {"outputs", {{{"typeName", "hive_table"}, {"guid", ph}}}}}}});
        ++made_;
      }
      table_in_db_ = (table_in_db_ + 1) % 100;
    }
    return batch;
  }
  void Committed() { committed_tables_ = table_qns.size(); }
  size_t made() const { return made_; }
  const std::string& Pick(const std::vector<std::string>& v) { return v[rng_() % v.size()]; }

  std::vector<std::string> dbs, tables, table_qns;

 private:
  std::mt19937_64 rng_;
  size_t made_ = 0, db_count_ = 0, table_in_db_ = 0, placeholder_ = 0, committed_tables_ = 0;
  std::string db_;
};

int Fail(const meridian::Status& s) {
  std::fprintf(stderr, "search_bench: %s\n", s.ToString().c_str());
  return 1;
}

void PrintRow(const std::string& name, const Stats& s, const std::string& ratio) {
  std::printf("  %-34s n=%-5zu p50 %9.3f ms  p99 %9.3f ms  %s\n", name.c_str(), s.n, s.p50 / 1000, s.p99 / 1000,
              ratio.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace meridian;
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--entities") a.entities = std::stoul(v);
    else if (k == "--limits") a.limits = v;
    else if (k == "--queries") a.queries = std::stoul(v);
    else if (k == "--load-seconds") a.load_seconds = std::stod(v);
    else if (k == "--load-rate") a.load_rate = std::stoul(v);
    else if (k == "--dir") a.dir = v;
    else if (k == "--only") a.only = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  bool own_dir = a.dir.empty();
  if (own_dir) {
    char tmpl[] = "/var/tmp/meridian-search-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    a.dir = tmpl;
  }
  json summary = {{"bench", "search"}, {"entities", a.entities}};

  // ---- Raw ceilings, same machine, same run ----
  const size_t raw_docs = std::min<size_t>(a.entities, 200000);
  std::filesystem::create_directories(a.dir + "/limits");
  json xi_on = Limits(a, "xapian-index --n " + std::to_string(raw_docs) + " --dir limits/xapian");
  json xq = Limits(a, "xapian-query --n 20000 --dir limits/xapian");
  json xi_off = Limits(a, "xapian-index --n " + std::to_string(raw_docs) + " --positions off --dir limits/xapian-nopos");
  json rp = Limits(a, "rocksdb-put --n 300000 --dir limits/rocksdb");
  json rg = Limits(a, "rocksdb-get --n 300000 --dir limits/rocksdb");
  std::filesystem::remove_all(a.dir + "/limits");
  auto num = [](const json& j, std::initializer_list<const char*> path) {
    const json* p = &j;
    for (const char* k : path) {
      if (!p->is_object() || !p->contains(k)) return 0.0;
      p = &(*p)[k];
    }
    return p->is_number() ? p->get<double>() : 0.0;
  };
  const double raw_index_on = num(xi_on, {"docs_per_s"}), raw_index_off = num(xi_off, {"docs_per_s"});
  const double raw_one_term_us = num(xq, {"one_term", "queries_per_s"}) > 0 ? 1e6 / num(xq, {"one_term", "queries_per_s"}) : 0;
  const double raw_two_terms_us = num(xq, {"two_terms_and_type_filter", "queries_per_s"}) > 0
                                      ? 1e6 / num(xq, {"two_terms_and_type_filter", "queries_per_s"}) : 0;
  const double raw_get_us = num(rg, {"gets_per_s"}) > 0 ? 1e6 / num(rg, {"gets_per_s"}) : 0;
  std::printf("raw ceilings (limits, %zu docs): xapian-index %.0f docs/s (positions on), %.0f (off); "
              "one-term query %.3f ms; two-term+type %.3f ms; rocksdb get %.2f us; put %.0f/s\n",
              raw_docs, raw_index_on, raw_index_off, raw_one_term_us / 1000, raw_two_terms_us / 1000, raw_get_us,
              num(rp, {"puts_per_s"}));
  if (xi_on.is_null()) std::printf("  (limits binary not found at %s: ratios omitted)\n", a.limits.c_str());
  summary["raw"] = {{"xapian_index_docs_per_s", raw_index_on}, {"xapian_index_nopos_docs_per_s", raw_index_off},
                    {"xapian_one_term_ms", raw_one_term_us / 1000}, {"xapian_two_terms_ms", raw_two_terms_us / 1000},
                    {"rocksdb_get_us", raw_get_us}};

  // ---- Load through the catalog (indexer off: the queue accumulates) ----
  auto st = store::Store::Open(a.dir + "/data", {});
  if (!st.ok()) return Fail(st.status());
  auto cat = catalog::Catalog::Open(st->get(), {});
  if (!cat.ok()) return Fail(cat.status());
  catalog::Catalog& catalog = **cat;
  Generator gen(42);
  auto t0 = Clock::now();
  for (;;) {
    json batch = gen.Next(a.entities, 500);
    if (batch.empty()) break;
    auto m = catalog.CreateOrUpdate(batch, json(), "bench");
    if (!m.ok()) return Fail(m.status());
    gen.Committed();
  }
  double load_s = Seconds(t0, Clock::now());
  std::printf("catalog load: %zu entities in %.1f s = %.0f entities/s (store only)\n", gen.made(), load_s,
              gen.made() / load_s);
  summary["catalog_load_per_s"] = gen.made() / load_s;

  // ---- Index build from the store ----
  auto idx = index::SearchIndex::Open(a.dir + "/data/index", {});
  if (!idx.ok()) return Fail(idx.status());
  t0 = Clock::now();
  uint64_t indexed = 0;
  Status rb = index::Indexer::Rebuild(catalog, **idx, &indexed);
  if (!rb.ok()) return Fail(rb);
  double build_s = Seconds(t0, Clock::now());
  double build_rate = indexed / build_s;
  std::printf("index build: %llu entities in %.1f s = %.0f docs/s; ratio to raw xapian-index: %.2f (positions on), "
              "%.2f (off)\n",
              static_cast<unsigned long long>(indexed), build_s, build_rate,
              raw_index_on > 0 ? build_rate / raw_index_on : 0, raw_index_off > 0 ? build_rate / raw_index_off : 0);
  summary["index_build_docs_per_s"] = build_rate;
  summary["index_build_ratio_raw_positions_on"] = raw_index_on > 0 ? build_rate / raw_index_on : 0;

  index::Indexer indexer(&catalog, idx->get());
  Status started = indexer.Start();
  if (!started.ok()) return Fail(started);
  search::SearchService svc(&catalog, idx->get(), &indexer);

  // ---- Query latencies ----
  std::mt19937_64 rng(7);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  struct Kind {
    std::string name;
    std::function<Status()> run;
    double raw_us;
    std::string raw_name;
  };
  auto dsl = [&](std::string q) {
    search::DslSearch d;
    d.query = std::move(q);
    auto r = svc.Dsl(d);
    return r.ok() ? Status::Ok() : r.status();
  };
  auto basic = [&](const json& p) {
    auto r = svc.Basic(p);
    return r.ok() ? Status::Ok() : r.status();
  };
  std::vector<Kind> kinds = {
      {"dsl: hive_table where name = X", [&] { return dsl("from hive_table where name = \"" + pick(gen.tables) + "\""); },
       raw_get_us, "rocksdb get"},
      {"dsl: hive_table where qualifiedName = X",
       [&] { return dsl("hive_table where qualifiedName = \"" + pick(gen.table_qns) + "\""); }, raw_get_us,
       "rocksdb get"},
      {"dsl: hive_table where name like 'w_*'",
       [&] { return dsl("hive_table where name like \"" + pick(kWords) + "_*\" limit 25"); }, raw_get_us,
       "rocksdb get"},
      {"dsl: hive_db select count()", [&] { return dsl("hive_db select count()"); }, raw_get_us, "rocksdb get"},
      {"dsl: hive_column select count()", [&] { return dsl("hive_column select count()"); }, raw_one_term_us,
       "xapian one-term"},
      {"dsl: hive_column where name like 'w*' select count()",
       [&] { return dsl("hive_column where name like \"" + pick(kColumns).substr(0, 3) + "*\" select count()"); },
       raw_one_term_us, "xapian one-term"},
      {"dsl: hive_column groupby(type) select type, count()",
       [&] { return dsl("hive_column groupby(type) select type, count()"); }, raw_one_term_us, "xapian one-term"},
      {"dsl: hive_table where db.name = X",
       [&] { return dsl("hive_table where db.name = \"" + pick(gen.dbs) + "\" limit 25"); }, raw_get_us,
       "rocksdb get"},
      {"relationship: table columns",
       [&] {
         search::RelationshipSearch r;
         auto g = catalog.FindByUniqueAttribute("hive_table", "qualifiedName", pick(gen.table_qns));
         if (!g.ok()) return g.status();
         r.guid = *g;
         r.relation = "columns";
         auto res = svc.Relationship(r);
         return res.ok() ? Status::Ok() : res.status();
       },
       raw_get_us, "rocksdb get"},
      {"basic: query=<word> typeName=hive_table",
       [&] { return basic({{"typeName", "hive_table"}, {"query", pick(kWords)}, {"limit", 25}}); }, raw_one_term_us,
       "xapian one-term"},
      {"basic: two entityFilters",
       [&] {
         return basic({{"typeName", "hive_table"},
                       {"limit", 25},
                       {"entityFilters",
                        {{"condition", "AND"},
                         {"criterion",
                          {{{"attributeName", "owner"}, {"operator", "="}, {"attributeValue", pick(kOwners)}},
                           {{"attributeName", "name"}, {"operator", "startsWith"},
                            {"attributeValue", pick(kWords) + "_" + pick(kWords)}}}}}}});
       },
       raw_two_terms_us, "xapian two-term+type"},
  };
  std::printf("query latencies (server time, %zu runs each, at most 60 s per kind):\n", a.queries);
  json qsum = json::object();
  for (auto& k : kinds) {
    if (!a.only.empty() && k.name.find(a.only) == std::string::npos) continue;
    std::vector<double> us;
    auto kind_start = Clock::now();
    for (size_t i = 0; i < a.queries && Seconds(kind_start, Clock::now()) < 60; ++i) {
      auto q0 = Clock::now();
      Status s = k.run();
      us.push_back(Micros(q0, Clock::now()));
      if (!s.ok()) {
        std::printf("  %s: %s\n", k.name.c_str(), s.ToString().c_str());
        break;
      }
    }
    Stats s = Percentiles(us);
    char ratio[128] = "";
    if (k.raw_us > 0) std::snprintf(ratio, sizeof ratio, "p50 = %.1fx %s", s.p50 / k.raw_us, k.raw_name.c_str());
    PrintRow(k.name, s, ratio);
    qsum[k.name] = {{"p50_ms", s.p50 / 1000}, {"p99_ms", s.p99 / 1000}, {"n", s.n},
                    {"p50_ratio_" + k.raw_name, k.raw_us > 0 ? s.p50 / k.raw_us : 0}};
  }
  summary["queries"] = qsum;

  // ---- Write-to-searchable lag under load: the target rate, then a fifth of it ----
  json lags = json::array();
  for (size_t rate : {a.load_rate, std::max<size_t>(100, a.load_rate / 5)}) {
    // Let the indexer catch up with the previous phase first.
    auto drain_start = Clock::now();
    while (!indexer.WaitForLatest() && Seconds(drain_start, Clock::now()) < 600) {
    }
    std::atomic<bool> stop{false};
    std::atomic<size_t> written{0};
    std::thread writer([&, rate] {
      const size_t per_tick = std::max<size_t>(1, rate / 100);
      auto next = Clock::now();
      for (size_t b = 0; !stop; ++b) {
        json batch = json::array();
        for (size_t i = 0; i < per_tick; ++i) {
          std::string n = "load_" + std::to_string(rate) + "_" + std::to_string(b) + "_" + std::to_string(i);
          batch.push_back({{"typeName", "hive_db"},
                           {"attributes", {{"name", n}, {"qualifiedName", n + "@bench"}, {"clusterName", "bench"}}}});
        }
        if (catalog.CreateOrUpdate(batch, json(), "bench").ok()) written += per_tick;
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
      }
    });
    std::vector<double> lag_ms;
    auto load_start = Clock::now();
    for (size_t i = 0; Seconds(load_start, Clock::now()) < a.load_seconds; ++i) {
      std::string n = "probe_" + std::to_string(rate) + "_" + std::to_string(i);
      json e = {{"typeName", "hive_db"},
                {"attributes", {{"name", n}, {"qualifiedName", n + "@bench"}, {"clusterName", "bench"}}}};
      auto m = catalog.CreateOrUpdate(json::array({e}), json(), "bench");
      if (!m.ok()) return Fail(m.status());
      auto acked = Clock::now();
      std::string guid = m->response["mutatedEntities"]["CREATE"][0]["guid"];
      index::SearchRequest req;
      req.query = index::Query::Guid(guid);
      req.limit = 1;
      for (;;) {
        auto hits = (*idx)->Search(req);
        if (hits.ok() && !hits->guids.empty()) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        if (Seconds(acked, Clock::now()) > 30) break;
      }
      lag_ms.push_back(Micros(acked, Clock::now()) / 1000);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop = true;
    writer.join();
    double load_elapsed = Seconds(load_start, Clock::now());
    Stats lag = Percentiles(lag_ms);
    std::printf("write-to-searchable lag (load %zu entities/s, achieved %.0f/s, %.0f s): p50 %.1f ms, p99 %.1f ms, "
                "max %.1f ms (%zu probes)\n",
                rate, written / load_elapsed, load_elapsed, lag.p50, lag.p99, lag.max, lag.n);
    lags.push_back({{"target_per_s", rate}, {"achieved_per_s", written / load_elapsed}, {"p50_ms", lag.p50},
                    {"p99_ms", lag.p99}, {"max_ms", lag.max}});
  }
  summary["lag"] = lags;

  indexer.Stop();
  idx->reset();
  cat->reset();
  st->reset();
  if (own_dir) std::filesystem::remove_all(a.dir);
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}
