#include "client_args.h"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace meridian::importer {

namespace {

std::string PromptPassword(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old_mode{};
  const bool restore = tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (restore) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (restore) tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  std::cerr << "\n";
  return password;
}

// The password from --password-file, $MERIDIAN_PASSWORD or a prompt.
std::string ReadPassword(const ServerArgs& args) {
  if (!args.password_file.empty()) {
    std::ifstream in(args.password_file);
    if (!in) Fail(kExitBadArgs, "cannot read password file " + args.password_file);
    std::string password;
    std::getline(in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
  }
  if (const char* env = std::getenv("MERIDIAN_PASSWORD")) return env;
  if (isatty(STDIN_FILENO)) return PromptPassword("Password for " + args.user + ": ");
  Fail(kExitBadArgs,
       "no password: use --password-file, set MERIDIAN_PASSWORD or run on a terminal");
}

}  // namespace

void AddServerOptions(CLI::App* cmd, ServerArgs* args) {
  cmd->add_option("--url", args->url, "Meridian server URL (http:// or https://)")->capture_default_str();
  cmd->add_option("--user", args->user, "server user (HTTP Basic auth)")->capture_default_str();
  cmd->add_option("--password-file", args->password_file,
                  "file whose first line is the password; otherwise $MERIDIAN_PASSWORD, "
                  "otherwise a prompt when stdin is a terminal");
  cmd->add_option("--ca-file", args->ca_file,
                  "PEM file of the CA that signed an https server's certificate (default: the system's CAs)");
}

[[noreturn]] void Fail(int code, const std::string& message) {
  std::cerr << "meridian: " << message << "\n";
  throw CLI::RuntimeError(code);
}

std::unique_ptr<AtlasClient> ConnectServer(const ServerArgs& args) {
  RestClientOptions options;
  options.base_url = args.url;
  options.ca_file = args.ca_file;
  options.user = args.user;
  options.password = ReadPassword(args);
  auto rest = RestClient::Create(options);
  if (!rest.ok()) Fail(kExitBadArgs, rest.status().message());
  return std::make_unique<AtlasClient>(std::move(rest).value());
}

}  // namespace meridian::importer
