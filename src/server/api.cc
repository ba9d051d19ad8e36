#include "meridian/server/api.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>

#include "routes.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

namespace {

constexpr const char* kSessionCookie = "ATLASSESSIONID";

std::string Base64Decode(std::string_view in) {
  static const std::string kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    if (c == '=') break;
    auto pos = kChars.find(c);
    if (pos == std::string::npos) return {};
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    std::string part = header.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    size_t b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.compare(0, name.size() + 1, name + "=") == 0) return part.substr(name.size() + 1);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return {};
}

std::string MimeType(const std::string& ext) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".woff", "font/woff"}, {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"}, {".wasm", "application/wasm"}};
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    std::string pair = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = pair.find('=');
    if (!pair.empty())
      out[PercentDecode(pair.substr(0, eq), true)] =
          eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

bool IsLogin(const std::string& path) { return path == "/j_spring_security_check" || path == "/api/meridian/v1/login"; }
bool IsLogout(const std::string& path) { return path == "/logout.html" || path == "/logout"; }
const char* RouteMethod(const HttpRequest& req) { return req.method == "HEAD" ? "GET" : req.method.c_str(); }

// 429 with Retry-After while sign-in is locked; otherwise Atlas's error for `s`.
HttpResponse SignInError(const Status& s, int retry_after_s) {
  HttpResponse r = HttpResponse::Error(s);
  if (s.code() == StatusCode::kRateLimited) r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

}  // namespace

Api::Api(Services services, ApiOptions options) : services_(services), options_(std::move(options)) {
  RegisterTypeRoutes(router_, services_);
  RegisterEntityRoutes(router_, services_);
  RegisterBusinessMetadataRoutes(router_, services_);
  RegisterRelationshipRoutes(router_, services_);
  RegisterAdminRoutes(router_, services_, options_);
  RegisterSqlLineageRoutes(router_, services_);
  RegisterGlossaryRoutes(router_, services_);
  RegisterWorkerFailureRoutes(router_, services_);
  if (services_.search) {
    RegisterSearchRoutes(router_, services_);
    RegisterSavedSearchRoutes(router_, services_);
  }
  if (services_.lineage) RegisterLineageRoutes(router_, services_);
  if (services_.notifications) RegisterNotificationRoutes(router_, services_);
  if (services_.openlineage) RegisterOpenLineageRoutes(router_, services_);
  if (services_.exchange) RegisterExchangeRoutes(router_, services_);
  if (services_.hook) RegisterHookRoutes(router_, services_);
  if (!services_.users_file.empty()) RegisterBackupRoutes(router_, services_);
  if (services_.cluster) RegisterReplicationRoutes(router_, services_);
}

bool Api::FromCluster(const HttpRequest& req) const {
  const std::string presented = req.Header("x-meridian-cluster-secret");
  const std::string& secret = options_.cluster_secret;
  if (secret.empty() || presented.size() != secret.size()) return false;
  return CRYPTO_memcmp(presented.data(), secret.data(), secret.size()) == 0;
}

std::optional<HttpResponse> Api::Authenticate(HttpRequest& req, bool* via_session, std::string* csrf) {
  if (FromCluster(req)) {
    auto role = auth::ParseRole(req.Header("x-meridian-forwarded-role"));
    std::string user = req.Header("x-meridian-forwarded-user");
    if (role && !user.empty()) {
      req.principal = {std::move(user), *role};
      return std::nullopt;
    }
  }
  std::string authz = req.Header("authorization");
  if (authz.rfind("Basic ", 0) == 0) {
    std::string decoded = Base64Decode(authz.substr(6));
    size_t colon = decoded.find(':');
    if (colon != std::string::npos) {
      int retry_after_s = 0;
      auto p = services_.users->Authenticate(decoded.substr(0, colon), decoded.substr(colon + 1),
                                             req.remote_address, &retry_after_s);
      if (p.ok()) {
        req.principal = *p;
        return std::nullopt;
      }
      if (p.status().code() == StatusCode::kRateLimited) return SignInError(p.status(), retry_after_s);
    }
  } else if (auto token = CookieValue(req.Header("cookie"), kSessionCookie); !token.empty()) {
    if (auto s = services_.sessions->Find(token)) {
      req.principal = s->principal;
      *via_session = true;
      *csrf = s->csrf_token;
      return std::nullopt;
    }
  }
  HttpResponse r = HttpResponse::Error(Status::Unauthenticated("Authentication required: invalid or missing credentials"));
  if (req.Header("x-requested-with") != "XMLHttpRequest") r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Meridian\"");
  return r;
}

RouteClass Api::Classify(const HttpRequest& req) const {
  if (IsLogin(req.path)) return RouteClass::kWrite;
  if (IsLogout(req.path) || req.path.rfind("/api/", 0) != 0) return RouteClass::kCheap;
  std::map<std::string, std::string> params;
  return router_.Find(RouteMethod(req), req.path, &params).route_class;
}

std::optional<HttpResponse> Api::Admit(HttpRequest& req) {
  if (req.path.empty() || req.path.front() != '/')
    return HttpResponse::Error(Status::InvalidArgument("invalid request path: it must begin with /", atlas_code::kInvalidParameters));
  if (IsLogin(req.path) || IsLogout(req.path) || req.path.rfind("/api/", 0) != 0) return std::nullopt;
  Router::Match m = router_.Find(RouteMethod(req), req.path, &req.params);
  if (!m.handler) {
    if (m.path_known) return HttpResponse::Error(Status(StatusCode::kInvalidArgument, atlas_code::kMethodNotAllowed,
                                                        "method " + req.method + " not allowed on " + req.path));
    return HttpResponse::Error(Status::NotFound("no API at " + req.path, atlas_code::kNoSuchApi));
  }
  if (m.access == Access::kPublic) return std::nullopt;
  if (m.access == Access::kCluster) {
    if (FromCluster(req)) return std::nullopt;
    return HttpResponse::Error(Status::Unauthenticated("this API is for the servers of the cluster: the cluster secret is missing or wrong"));
  }
  bool via_session = false;
  std::string csrf;
  if (auto denied = Authenticate(req, &via_session, &csrf)) return denied;
  Access granted = req.principal.role == auth::Role::kAdmin         ? Access::kAdmin
                   : req.principal.role == auth::Role::kDataSteward ? Access::kWrite
                                                                    : Access::kRead;
  if (static_cast<int>(granted) < static_cast<int>(m.access))
    return HttpResponse::Error(Status::PermissionDenied(req.principal.user + " is not authorized to perform " +
                                                        req.method + " " + req.path));
  // Cookie sessions are open to cross-site requests: writes need the CSRF header.
  bool safe = req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS";
  if (via_session && !safe && req.Header("x-xsrf-header") != csrf)
    return HttpResponse::Error(Status::InvalidArgument("missing or invalid X-XSRF-HEADER for a session request",
                                                       atlas_code::kInvalidParameters));
  req.headers["x-meridian-csrf"] = csrf;
  return std::nullopt;
}

HttpResponse Api::Execute(HttpRequest& req) {
  if (IsLogin(req.path)) return HandleLogin(req);
  if (IsLogout(req.path)) return HandleLogout(req);
  if (req.path.rfind("/api/", 0) != 0) return ServeStatic(req);
  std::map<std::string, std::string> params;
  Router::Match m = router_.Find(RouteMethod(req), req.path, &params);
  if (!m.handler) return HttpResponse::Error(Status::NotFound("no API at " + req.path, atlas_code::kNoSuchApi));
  ClusterGate* gate = m.access == Access::kCluster ? nullptr : options_.cluster_gate;
  if (gate)
    if (auto answered = gate->Before(req, m.route_class)) return *answered;
  HttpResponse resp;
  try {
    resp = (*m.handler)(req);
  } catch (const nlohmann::json::exception& e) {
    resp = HttpResponse::Error(Status::InvalidArgument(std::string("invalid JSON input: ") + e.what(), atlas_code::kInvalidParameters));
  }
  if (gate) gate->After(req, m.route_class, resp);
  return resp;
}

HttpResponse Api::Handle(HttpRequest& req) {
  if (auto denied = Admit(req)) return *denied;
  return Execute(req);
}

RequestHooks Api::Hooks() {
  return {[this](const HttpRequest& req) { return Classify(req); },
          [this](HttpRequest& req) { return Admit(req); },
          [this](HttpRequest& req) { return Execute(req); }};
}

HttpResponse Api::HandleLogin(HttpRequest& req) {
  if (req.method != "POST") return HttpResponse::Error(Status::InvalidArgument("use POST", atlas_code::kInvalidParameters));
  std::string user, password;
  if (req.Header("content-type").find("json") != std::string::npos) {
    auto j = ParseRequestJson(req.body, "sign-in body");
    if (!j.ok()) return HttpResponse::Error(j.status());
    for (const char* field : {"username", "password"})
      if (j->is_object() && j->contains(field) && !(*j)[field].is_string())
        return HttpResponse::Error(Status::InvalidArgument(std::string(field) + " must be a string", atlas_code::kInvalidParameters));
    if (j->is_object()) {
      user = j->value("username", "");
      password = j->value("password", "");
    }
  } else {
    auto form = ParseForm(req.body);
    user = form["j_username"];
    password = form["j_password"];
  }
  int retry_after_s = 0;
  auto p = services_.users->Authenticate(user, password, req.remote_address, &retry_after_s);
  if (!p.ok()) return SignInError(p.status(), retry_after_s);
  std::string token = services_.sessions->Create(*p);
  HttpResponse r = HttpResponse::Json({{"userName", p->user}, {"role", auth::RoleName(p->role)}});
  r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
                                      (options_.secure_cookies ? "; Secure" : ""));
  return r;
}

HttpResponse Api::HandleLogout(HttpRequest& req) {
  std::string token = CookieValue(req.Header("cookie"), kSessionCookie);
  if (!token.empty()) services_.sessions->Remove(token);
  HttpResponse r = HttpResponse::Json({{"loggedOut", true}});
  r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; Max-Age=0; SameSite=Strict" +
                                      (options_.secure_cookies ? "; Secure" : ""));
  return r;
}

HttpResponse Api::ServeStatic(const HttpRequest& req) const {
  if (req.method != "GET" && req.method != "HEAD")
    return HttpResponse::Error(Status::NotFound("no resource at " + req.path, atlas_code::kNoSuchApi));
  namespace fs = std::filesystem;
  std::string rel = req.path == "/" || req.path == "/index.html" || req.path == "/login.jsp" ? "index.html"
                                                                                             : req.path.substr(1);
  for (const auto& seg : SplitPath(rel))
    if (seg == ".." || seg.front() == '.')
      return HttpResponse::Error(Status::InvalidArgument("invalid path", atlas_code::kInvalidParameters));
  // Only the bundle is served: index.html, hashed assets and top-level icons.
  bool servable = rel == "index.html" || rel.rfind("assets/", 0) == 0 ||
                  (SplitPath(rel).size() == 1 && (rel.rfind("favicon", 0) == 0 || rel == "robots.txt"));
  fs::path root(options_.ui_dir);
  fs::path file = root / rel;
  std::error_code ec;
  if (!servable || !fs::is_regular_file(file, ec)) {
    if (!fs::is_regular_file(root / "index.html", ec)) {
      HttpResponse r;
      r.content_type = "text/html; charset=utf-8";
      r.status = req.path == "/" ? 200 : 404;
      r.body = "<!doctype html><title>Meridian</title><h1>Meridian</h1><p>The web UI is not built. Install Node.js "
               "&ge; 20.19 and npm, then re-run the build (cmake --build build) to bundle it, or point "
               "<code>meridian serve --ui-dir</code> at a built UI. The REST API is at <code>/api/atlas/v2/</code>.</p>";
      return r;
    }
    if (SplitPath(rel).size() > 1 || rel.find('.') != std::string::npos)
      return HttpResponse::Error(Status::NotFound("no resource at " + req.path, atlas_code::kNoSuchApi));
    file = root / "index.html";  // client-side routes
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  HttpResponse r;
  r.body = ss.str();
  r.content_type = MimeType(file.extension().string());
  bool hashed = file.parent_path().filename() == "assets";
  r.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace meridian::server
