// The real `meridian serve` in a child process on a free 127.0.0.1 port, and a
// minimal blocking HTTP/1.1 client for it (admin/admin).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace meridian::testing {

using nlohmann::json;

struct HttpResult {
  int status = 0;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

inline std::string UrlEncode(const std::string& s) {
  std::string out;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// One request on a fresh connection (Connection: close). status 0: no answer.
inline HttpResult Http(int port, const std::string& method, const std::string& target, const std::string& body = "") {
  HttpResult r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return r;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    "Authorization: Basic YWRtaW46YWRtaW4=\r\nContent-Type: application/json\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return r;
    }
    sent += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (resp.size() < 12) return r;
  r.status = std::atoi(resp.substr(9, 3).c_str());
  size_t hdr_end = resp.find("\r\n\r\n");
  if (hdr_end == std::string::npos) return r;
  std::string headers = resp.substr(0, hdr_end);
  r.body = resp.substr(hdr_end + 4);
  // Chunked bodies: join the chunks.
  if (headers.find("chunked") != std::string::npos) {
    std::string joined;
    size_t p = 0;
    while (p < r.body.size()) {
      size_t eol = r.body.find("\r\n", p);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(r.body.substr(p, eol - p), nullptr, 16);
      if (len == 0) break;
      joined += r.body.substr(eol + 2, len);
      p = eol + 2 + len + 2;
    }
    r.body = joined;
  }
  return r;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string TempDir(const std::string& tag) {
  std::mt19937_64 rng(std::random_device{}());
  auto dir = std::filesystem::temp_directory_path() / ("meridian-" + tag + "-" + std::to_string(rng() % 1000000000));
  std::filesystem::create_directories(dir);
  return dir.string();
}

class TestServer {
 public:
  explicit TestServer(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  ~TestServer() { Kill(SIGKILL); }

  // Starts the server and waits until it answers. Returns false on failure.
  bool Start() {
    port_ = FreePort();
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = data_dir_ + "/server.log";
      freopen(log.c_str(), "a", stdout);
      freopen(log.c_str(), "a", stderr);
      std::string port = std::to_string(port_);
      execl(MERIDIAN_BINARY, MERIDIAN_BINARY, "serve", "--port", port.c_str(), "--bind", "127.0.0.1", "--data-dir",
            data_dir_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (Http(port_, "GET", "/api/atlas/admin/status").status == 200) return true;
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Sends `sig` and reaps the process.
  void Kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }

  HttpResult Get(const std::string& target) const { return Http(port_, "GET", target); }
  HttpResult Post(const std::string& target, const std::string& body) const { return Http(port_, "POST", target, body); }
  HttpResult Post(const std::string& target, const json& body) const { return Post(target, body.dump()); }

 private:
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    int port = ntohs(addr.sin_port);
    close(fd);
    return port;
  }

  std::string data_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace meridian::testing
