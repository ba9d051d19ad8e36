// Users, roles and browser sessions.
//
// Users live in a JSON file (default <data-dir>/users.json) holding argon2id
// hashes. Verified credentials are cached in memory (keyed by a SHA-256 of the
// pair) so HTTP Basic on every request does not pay the slow hash each time;
// the cache is dropped when the file changes. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "meridian/status.h"

namespace meridian::auth {

// Atlas simple-authorizer roles.
enum class Role { kDataScientist = 0, kDataSteward = 1, kAdmin = 2 };  // read-only < read/write < admin

std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);

struct Principal {
  std::string user;
  Role role = Role::kDataScientist;
};

class UserStore {
 public:
  // Opens `path`, creating it with admin/admin (role ADMIN) when missing.
  static Result<std::unique_ptr<UserStore>> Open(const std::string& path);

  Result<Principal> Authenticate(const std::string& user, const std::string& password);
  // Creates or updates a user. `role` empty keeps the current role (ADMIN... for new users: DATA_SCIENTIST).
  Status SetPassword(const std::string& user, const std::string& password, std::optional<Role> role);
  // True while admin still has the password "admin".
  bool DefaultPasswordInUse();

 private:
  explicit UserStore(std::string path) : path_(std::move(path)) {}
  Status Reload();  // REQUIRES: mu_ held
  Status Save();    // REQUIRES: mu_ held

  struct Entry {
    std::string hash;
    Role role;
  };
  const std::string path_;
  std::mutex mu_;
  std::map<std::string, Entry> users_;                                             // GUARDED_BY(mu_)
  std::map<std::string, std::pair<Principal, std::chrono::steady_clock::time_point>> verified_;  // GUARDED_BY(mu_)
  int64_t file_mtime_ = 0;  // GUARDED_BY(mu_)
};

// Server-side browser sessions (cookie token -> principal, with a CSRF token).
class SessionStore {
 public:
  struct Session {
    Principal principal;
    std::string csrf_token;
    std::chrono::steady_clock::time_point expires;
  };
  explicit SessionStore(std::chrono::seconds ttl) : ttl_(ttl) {}
  // Returns the new session token.
  std::string Create(const Principal& p);
  std::optional<Session> Find(const std::string& token);
  void Remove(const std::string& token);

 private:
  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;  // GUARDED_BY(mu_)
};

// Random token (hex) from the OS CSPRNG.
std::string RandomToken(size_t bytes = 24);
// argon2id hash (PHC string) and its check.
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);

}  // namespace meridian::auth
