// Test support: a real ZooKeeper standalone server (Debian's `zookeeper`
// package, run with `java`) as a child process on a free loopback port with a
// temporary data directory. Light JVM settings (-Xmx128m, serial GC, C1 only);
// it starts in well under a second on a quiet machine.
//
// Session timeouts: ZooKeeper grants between 2 and 20 ticks; the default tick of
// 500 ms allows 1 s to 10 s.
// Thread-safety: one thread at a time.
#pragma once

#include <sys/types.h>

#include <string>

namespace meridian::testing {

class ZooKeeperServer {
 public:
  // Empty when java and the ZooKeeper jar are installed; otherwise why the server
  // cannot run (for GTEST_SKIP).
  static std::string Unavailable();

  // Picks the port and creates the data directory; does not start.
  explicit ZooKeeperServer(int tick_ms = 500);
  ~ZooKeeperServer();  // kills the server and removes the data directory
  ZooKeeperServer(const ZooKeeperServer&) = delete;
  ZooKeeperServer& operator=(const ZooKeeperServer&) = delete;

  // Starts the server (again: same port, same data, so sessions and znodes
  // survive a Stop) and waits until it answers "ruok". False when it did not
  // answer within 30 s; its output is in log_path().
  bool Start();
  void Stop();  // SIGTERM and wait (SIGKILL after 10 s)
  bool running() const { return pid_ > 0; }

  int port() const { return port_; }
  std::string connect_string() const;  // "127.0.0.1:<port>"
  const std::string& dir() const { return dir_; }
  std::string log_path() const { return dir_ + "/zookeeper.log"; }

 private:
  bool Answers() const;

  int tick_ms_;
  int port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace meridian::testing
