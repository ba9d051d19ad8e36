#include "meridian/server/http.h"

#include <algorithm>
#include <cctype>

namespace meridian::server {

std::optional<std::vector<std::pair<std::string, std::string>>> MultipartParts(const HttpRequest& req) {
  const std::string type = req.Header("content-type");
  size_t b = type.find("boundary=");
  if (type.rfind("multipart/", 0) != 0 || b == std::string::npos) return std::nullopt;
  std::string boundary = type.substr(b + 9);
  boundary = boundary.substr(0, boundary.find(';'));
  if (boundary.size() >= 2 && boundary.front() == '"') boundary = boundary.substr(1, boundary.size() - 2);
  const std::string delimiter = "--" + boundary;
  std::vector<std::pair<std::string, std::string>> parts;
  for (size_t pos = req.body.find(delimiter); pos != std::string::npos;) {
    size_t head = pos + delimiter.size();
    if (req.body.compare(head, 2, "--") == 0) break;  // closing delimiter
    size_t head_end = req.body.find("\r\n\r\n", head);
    if (head_end == std::string::npos) break;
    size_t next = req.body.find("\r\n" + delimiter, head_end);
    if (next == std::string::npos) break;
    std::string headers = req.body.substr(head, head_end - head);
    std::string name;
    size_t n = headers.find("name=\"");
    while (n != std::string::npos && n > 0 && headers[n - 1] != ' ' && headers[n - 1] != ';') n = headers.find("name=\"", n + 1);
    if (n != std::string::npos) {
      size_t end = headers.find('"', n + 6);
      if (end != std::string::npos) name = headers.substr(n + 6, end - n - 6);
    }
    parts.emplace_back(std::move(name), req.body.substr(head_end + 4, next - head_end - 4));
    pos = next + 2;
  }
  return parts;
}

std::string PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 &&
        hex(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2])));
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::Query(const std::string& name, const std::string& def) const {
  auto it = query.find(name);
  return it == query.end() ? def : it->second;
}

std::vector<std::string> HttpRequest::QueryAll(const std::string& name) const {
  std::vector<std::string> out;
  auto [a, b] = query.equal_range(name);
  for (auto it = a; it != b; ++it) out.push_back(it->second);
  return out;
}

bool HttpRequest::QueryBool(const std::string& name, bool def) const {
  auto it = query.find(name);
  if (it == query.end()) return def;
  // As JAX-RS reads a boolean parameter: "true" in any case (clients send "True").
  std::string v = it->second;
  for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v == "true" || v == "1";
}

int HttpRequest::QueryInt(const std::string& name, int def) const {
  auto it = query.find(name);
  if (it == query.end()) return def;
  try {
    return std::stoi(it->second);
  } catch (...) {
    return def;
  }
}

Result<nlohmann::json> HttpRequest::JsonBody() const { return ParseRequestJson(body, "request body"); }

HttpResponse HttpResponse::Json(const nlohmann::json& j, int status) {
  HttpResponse r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse HttpResponse::NoContent() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

HttpResponse HttpResponse::Error(const Status& s) {
  int status = 500;
  switch (s.code()) {
    case StatusCode::kOk: status = 200; break;
    case StatusCode::kInvalidArgument: status = 400; break;
    case StatusCode::kNotFound: status = 404; break;
    case StatusCode::kAlreadyExists: status = 409; break;
    case StatusCode::kFailedPrecondition: status = 409; break;
    case StatusCode::kPermissionDenied: status = 403; break;
    case StatusCode::kUnauthenticated: status = 401; break;
    case StatusCode::kResourceExhausted: status = 413; break;
    case StatusCode::kRateLimited: status = 429; break;
    case StatusCode::kUnavailable: status = 503; break;
    case StatusCode::kDeadlineExceeded: status = 504; break;
    case StatusCode::kInsufficientStorage: status = 507; break;
    case StatusCode::kInternal: status = 500; break;
  }
  return Json({{"errorCode", s.atlas_code()}, {"errorMessage", s.message()}}, status);
}

RouteClass DefaultRouteClass(std::string_view method, std::string_view pattern) {
  static constexpr std::string_view kHeavyPrefixes[] = {"/api/atlas/v2/search/", "/api/atlas/v2/lineage/",
                                                        "/api/meridian/v1/search/"};
  auto starts = [&](std::string_view p) { return pattern.substr(0, p.size()) == p; };
  auto ends = [&](std::string_view s) { return pattern.size() >= s.size() && pattern.substr(pattern.size() - s.size()) == s; };
  for (std::string_view p : kHeavyPrefixes)
    if (starts(p)) return RouteClass::kHeavy;
  if (ends("/audit") || ends("/audits")) return RouteClass::kHeavy;
  return method == "GET" || method == "HEAD" ? RouteClass::kCheap : RouteClass::kWrite;
}

void Router::Add(std::string method, std::string pattern, Access access, Handler handler,
                 std::optional<RouteClass> route_class) {
  RouteClass cls = route_class.value_or(DefaultRouteClass(method, pattern));
  Route r{std::move(method), SplitPath(pattern), access, std::move(handler), cls, 0};
  for (const auto& s : r.segments) r.literal_count += s.front() != '{';
  routes_.push_back(std::move(r));
}

Router::Match Router::Find(const std::string& method, const std::string& path,
                           std::map<std::string, std::string>* params) const {
  std::vector<std::string> segs = SplitPath(path);
  Match best;
  int best_literals = -1;
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i)
      ok = r.segments[i].front() == '{' || r.segments[i] == segs[i];
    if (!ok) continue;
    best.path_known = true;
    if (r.method != method || r.literal_count <= best_literals) continue;
    best_literals = r.literal_count;
    best.handler = &r.handler;
    best.access = r.access;
    best.route_class = r.route_class;
    params->clear();
    for (size_t i = 0; i < segs.size(); ++i)
      if (r.segments[i].front() == '{') (*params)[r.segments[i].substr(1, r.segments[i].size() - 2)] = segs[i];
  }
  return best;
}

}  // namespace meridian::server
