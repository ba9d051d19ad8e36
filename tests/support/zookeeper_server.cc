#include "zookeeper_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace meridian::testing {

namespace {

// Debian's zookeeper package: the jar's manifest lists its dependencies, and the
// conf folder holds log4j.properties (zkEnv.sh builds the same class path).
constexpr char kJar[] = "/usr/share/java/zookeeper.jar";
constexpr char kConfDir[] = "/etc/zookeeper/conf";

std::string FindJava() {
  if (const char* home = std::getenv("JAVA_HOME")) {
    std::string java = std::string(home) + "/bin/java";
    if (access(java.c_str(), X_OK) == 0) return java;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string java = dirs.substr(start, end - start) + "/java";
    if (access(java.c_str(), X_OK) == 0) return java;
    start = end + 1;
  }
  return "";
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

std::string ZooKeeperServer::Unavailable() {
  if (FindJava().empty()) return "no java on PATH (install Debian's zookeeper package)";
  if (access(kJar, R_OK) != 0) return std::string(kJar) + " is missing (install Debian's zookeeper package)";
  return "";
}

ZooKeeperServer::ZooKeeperServer(int tick_ms) : tick_ms_(tick_ms), port_(FreeLoopbackPort()) {
  char tmpl[] = "/tmp/meridian-zookeeper-XXXXXX";
  dir_ = mkdtemp(tmpl);
  std::ofstream cfg(dir_ + "/zoo.cfg");
  cfg << "tickTime=" << tick_ms_ << "\n"
      << "dataDir=" << dir_ << "/data\n"
      << "clientPort=" << port_ << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "maxClientCnxns=0\n"
      << "admin.enableServer=false\n"
      << "4lw.commands.whitelist=ruok,srvr\n"
      // A test's data is disposable: no fsync, no 64 MB log preallocation.
      << "forceSync=no\n"
      << "preAllocSize=1024\n";
}

ZooKeeperServer::~ZooKeeperServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int st;
    waitpid(pid_, &st, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ZooKeeperServer::connect_string() const { return "127.0.0.1:" + std::to_string(port_); }

bool ZooKeeperServer::Start() {
  if (pid_ > 0) return true;
  std::string java = FindJava();
  std::vector<std::string> args = {java,
                                   "-Xmx128m",
                                   "-XX:+UseSerialGC",
                                   "-XX:TieredStopAtLevel=1",
                                   "-Djava.net.preferIPv4Stack=true",
                                   "-cp",
                                   std::string(kConfDir) + ":" + kJar,
                                   "org.apache.zookeeper.server.ZooKeeperServerMain",
                                   dir_ + "/zoo.cfg"};
  std::string log = log_path();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    if (Answers()) return true;
    int st;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void ZooKeeperServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int st;
  for (int i = 0; i < 200 && waitpid(pid_, &st, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (waitpid(pid_, &st, WNOHANG) == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &st, 0);
  }
  pid_ = -1;
}

bool ZooKeeperServer::Answers() const {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && send(fd, "ruok", 4, MSG_NOSIGNAL) == 4) {
    char buf[16];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return reply == "imok";
}

}  // namespace meridian::testing
