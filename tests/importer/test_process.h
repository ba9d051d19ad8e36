// Child processes for the importer tests: long-running servers whose first
// stdout line can be awaited, and commands run to completion with captured
// output. Children are killed (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "test_server.h"

namespace meridian::importer::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` with `env` added to the environment and `input` on stdin.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& input = "");

class ChildProcess {
 public:
  // Starts `argv` with stdout on a pipe and stderr to `stderr_path`
  // (or /dev/null when empty).
  ChildProcess(const std::vector<std::string>& argv, const std::string& stderr_path = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // Reads stdout until a line containing `needle`; returns it or "" on timeout.
  std::string WaitForLine(const std::string& needle, std::chrono::milliseconds timeout);
  void Stop();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string pending_;
};

using meridian::testing::FreePort;

// A fresh temporary directory, removed by the caller.
std::string MakeTempDir();

}  // namespace meridian::importer::testing
