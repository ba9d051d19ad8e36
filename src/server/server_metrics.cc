#include "meridian/server/server_metrics.h"

#include <cstdio>

namespace meridian::server {

namespace {

std::string Number(double v) {
  char buf[64];
  if (v == static_cast<double>(static_cast<int64_t>(v)) && v > -1e15 && v < 1e15)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void ServerMetrics::RecordResponse(RouteClass c, int status, std::chrono::microseconds elapsed) {
  ClassCounters& k = of(c);
  int family = status / 100 - 1;
  if (family >= 0 && family < 5) k.responses[family].fetch_add(1, std::memory_order_relaxed);
  if (status == 504) k.deadline_exceeded.fetch_add(1, std::memory_order_relaxed);
  double secs = static_cast<double>(elapsed.count()) / 1e6;
  size_t b = 0;
  while (b < kLatencyBuckets.size() && secs > kLatencyBuckets[b]) ++b;
  k.latency[b].fetch_add(1, std::memory_order_relaxed);
  k.latency_sum_us.fetch_add(static_cast<uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

void ServerMetrics::AddGauge(std::string name, std::string help, std::function<double()> value) {
  gauges_.push_back({std::move(name), std::move(help), std::move(value)});
}

void ServerMetrics::AddCounter(std::string name, std::string help, std::function<double()> value) {
  gauges_.push_back({std::move(name), std::move(help), std::move(value), "counter"});
}

void ServerMetrics::AddGaugeFamily(std::string name, std::string help, std::string label,
                                   std::function<LabeledValues()> values) {
  families_.push_back({std::move(name), std::move(help), std::move(label), std::move(values)});
}

nlohmann::json ServerMetrics::Json() const {
  nlohmann::json classes = nlohmann::json::object();
  for (int i = 0; i < kRouteClassCount; ++i) {
    const ClassCounters& k = classes_[i];
    uint64_t total = 0;
    for (const auto& r : k.responses) total += r.load();
    classes[std::string(RouteClassName(static_cast<RouteClass>(i)))] = {
        {"inFlight", k.running.load()},           {"queued", k.queued.load()},
        {"rejected", k.rejected.load()},          {"deadlineExceeded", k.deadline_exceeded.load()},
        {"cancelled", k.cancelled.load()},        {"requests", total}};
  }
  nlohmann::json gauges = nlohmann::json::object();
  for (const Gauge& g : gauges_) gauges[g.name] = g.value();
  for (const Family& f : families_) {
    nlohmann::json by_label = nlohmann::json::object();
    for (const auto& [label, value] : f.values()) by_label[label] = value;
    gauges[f.name] = std::move(by_label);
  }
  return {{"requests", classes},
          {"connections", {{"open", connections.load()}, {"refused", connections_refused.load()},
                           {"max", max_connections.load()}}},
          {"gauges", gauges}};
}

std::string ServerMetrics::Prometheus() const {
  std::string out;
  auto header = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto per_class = [&](const char* name, const char* type, const char* help, auto value) {
    header(name, type, help);
    for (int i = 0; i < kRouteClassCount; ++i)
      out += std::string(name) + "{class=\"" + std::string(RouteClassName(static_cast<RouteClass>(i))) + "\"} " +
             Number(static_cast<double>(value(classes_[i]))) + "\n";
  };
  per_class("meridian_http_requests_in_flight", "gauge", "Requests a worker is executing.",
            [](const ClassCounters& k) { return k.running.load(); });
  per_class("meridian_http_requests_queued", "gauge", "Requests waiting for a worker.",
            [](const ClassCounters& k) { return k.queued.load(); });
  per_class("meridian_http_requests_rejected_total", "counter", "Requests refused with 503: queue full.",
            [](const ClassCounters& k) { return k.rejected.load(); });
  per_class("meridian_http_requests_deadline_exceeded_total", "counter", "Requests answered 504: past deadline.",
            [](const ClassCounters& k) { return k.deadline_exceeded.load(); });
  per_class("meridian_http_requests_cancelled_total", "counter", "Requests whose client disconnected first.",
            [](const ClassCounters& k) { return k.cancelled.load(); });

  header("meridian_http_responses_total", "counter", "Responses by route class and status family.");
  for (int i = 0; i < kRouteClassCount; ++i)
    for (int f = 0; f < 5; ++f)
      out += "meridian_http_responses_total{class=\"" + std::string(RouteClassName(static_cast<RouteClass>(i))) +
             "\",code=\"" + std::to_string(f + 1) + "xx\"} " + std::to_string(classes_[i].responses[f].load()) + "\n";

  header("meridian_http_request_duration_seconds", "histogram", "Time from a request's first byte to its response.");
  for (int i = 0; i < kRouteClassCount; ++i) {
    const ClassCounters& k = classes_[i];
    std::string cls = "class=\"" + std::string(RouteClassName(static_cast<RouteClass>(i))) + "\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += k.latency[b].load();
      out += "meridian_http_request_duration_seconds_bucket{" + cls + ",le=\"" + Number(kLatencyBuckets[b]) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    cumulative += k.latency.back().load();
    out += "meridian_http_request_duration_seconds_bucket{" + cls + ",le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
    out += "meridian_http_request_duration_seconds_sum{" + cls + "} " +
           Number(static_cast<double>(k.latency_sum_us.load()) / 1e6) + "\n";
    out += "meridian_http_request_duration_seconds_count{" + cls + "} " + std::to_string(cumulative) + "\n";
  }

  header("meridian_http_connections", "gauge", "Open client connections.");
  out += "meridian_http_connections " + std::to_string(connections.load()) + "\n";
  header("meridian_http_connections_max", "gauge", "Most connections served at once.");
  out += "meridian_http_connections_max " + std::to_string(max_connections.load()) + "\n";
  header("meridian_http_connections_refused_total", "counter", "Connections closed at accept: over a limit.");
  out += "meridian_http_connections_refused_total " + std::to_string(connections_refused.load()) + "\n";

  for (const Gauge& g : gauges_) {
    header(g.name.c_str(), g.type, g.help.c_str());
    out += g.name + " " + Number(g.value()) + "\n";
  }
  for (const Family& f : families_) {
    header(f.name.c_str(), "gauge", f.help.c_str());
    for (const auto& [label, value] : f.values()) {
      std::string escaped;  // label values escape backslash, quote and newline
      for (char c : label) escaped += c == '\\' ? "\\\\" : c == '"' ? "\\\"" : c == '\n' ? "\\n" : std::string(1, c);
      out += f.name + "{" + f.label + "=\"" + escaped + "\"} " + Number(value) + "\n";
    }
  }
  return out;
}

}  // namespace meridian::server
