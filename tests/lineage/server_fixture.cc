#include "server_fixture.h"

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
#include <stdexcept>
#include <thread>

namespace meridian::lineage::testing {

namespace {

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

std::string FixturePath(const std::string& name) { return std::string(MERIDIAN_FIXTURES_DIR) + "/" + name; }

Server::Server() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "meridian-lineage-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}

Server::~Server() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void Server::Start() {
  port_ = FreePort();
  std::string log = dir_ + "/server.log";
  pid_ = fork();
  if (pid_ == 0) {
    FILE* f = freopen(log.c_str(), "a", stdout);
    (void)f;
    dup2(fileno(stdout), STDERR_FILENO);
    std::string port = std::to_string(port_);
    execl(MERIDIAN_BINARY, MERIDIAN_BINARY, "serve", "--port", port.c_str(), "--bind", "127.0.0.1", "--data-dir",
          dir_.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (Get("/api/atlas/admin/status").status == 200) return;
  }
  throw std::runtime_error("meridian did not start; see " + log);
}

void Server::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void Server::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Response Server::Request(const std::string& method, const std::string& path, const std::string& body) const {
  Response r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return r;
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    "Authorization: Basic YWRtaW46YWRtaW4=\r\nContent-Type: application/json\r\n" +
                    "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  for (size_t sent = 0; sent < req.size();) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t sp = raw.find(' ');
  size_t hdr_end = raw.find("\r\n\r\n");
  if (sp == std::string::npos || hdr_end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + sp + 1);
  std::string headers = raw.substr(0, hdr_end);
  std::string payload = raw.substr(hdr_end + 4);
  for (auto& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (headers.find("transfer-encoding: chunked") != std::string::npos) {
    size_t pos = 0;
    while (pos < payload.size()) {
      size_t eol = payload.find("\r\n", pos);
      size_t len = std::stoul(payload.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      r.body.append(payload, eol + 2, len);
      pos = eol + 2 + len + 2;
    }
  } else {
    r.body = std::move(payload);
  }
  return r;
}

bool Server::WaitPropagation(double timeout_s) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto j = Get("/api/meridian/v1/propagation").Json();
    if (j.is_object() && j.value("pending", 1) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace meridian::lineage::testing
