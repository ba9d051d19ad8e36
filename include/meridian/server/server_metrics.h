// ServerMetrics: the HTTP server's counters per route class (queued, running,
// rejected, responses by status family, latency histogram), connection counts,
// and gauges other modules register (index lag, store sizes).
//
// Rendered as JSON (the "server" section of /api/atlas/admin/metrics) and in
// Prometheus's text exposition format (/api/meridian/v1/metrics/prometheus).
// Thread-safety: counters are atomics, updated from any thread. AddGauge must
// be called before serving starts; rendering is thread-safe afterwards.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/server/http.h"

namespace meridian::server {

class ServerMetrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets; +Inf is implicit.
  static constexpr std::array<double, 14> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,    1,     2.5,  5,    10,  30};

  struct ClassCounters {
    std::atomic<int64_t> queued{0};     // admitted, waiting for a worker
    std::atomic<int64_t> running{0};    // on a worker now
    std::atomic<uint64_t> rejected{0};  // 503: the class's queue was full
    std::atomic<uint64_t> deadline_exceeded{0};  // 504 responses
    std::atomic<uint64_t> cancelled{0};          // client went away before its answer
    std::array<std::atomic<uint64_t>, 5> responses{};  // by status family 1xx..5xx
    std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> latency{};  // non-cumulative counts
    std::atomic<uint64_t> latency_sum_us{0};
  };

  ClassCounters& of(RouteClass c) { return classes_[static_cast<int>(c)]; }
  const ClassCounters& of(RouteClass c) const { return classes_[static_cast<int>(c)]; }

  // One answered request: its status and time from its first byte to its response.
  void RecordResponse(RouteClass c, int status, std::chrono::microseconds elapsed);

  std::atomic<int64_t> connections{0};           // open now
  std::atomic<uint64_t> connections_refused{0};  // closed at accept: over a connection limit
  std::atomic<int64_t> max_connections{0};       // the limit in force

  // A value sampled at render time; `name` is a Prometheus metric name.
  void AddGauge(std::string name, std::string help, std::function<double()> value);
  // A monotonically increasing value (Prometheus type counter; name it *_total). Same rules as AddGauge.
  void AddCounter(std::string name, std::string help, std::function<double()> value);
  // A gauge per value of one label (e.g. one per cluster member), sampled at render time:
  // `values` returns (label value, gauge value) pairs. Same rules as AddGauge.
  using LabeledValues = std::vector<std::pair<std::string, double>>;
  void AddGaugeFamily(std::string name, std::string help, std::string label, std::function<LabeledValues()> values);

  nlohmann::json Json() const;
  std::string Prometheus() const;

 private:
  std::array<ClassCounters, kRouteClassCount> classes_;
  struct Gauge {
    std::string name, help;
    std::function<double()> value;
    const char* type = "gauge";
  };
  std::vector<Gauge> gauges_;
  struct Family {
    std::string name, help, label;
    std::function<LabeledValues()> values;
  };
  std::vector<Family> families_;
};

}  // namespace meridian::server
