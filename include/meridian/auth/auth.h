// Users, roles and browser sessions.
//
// Users live in a JSON file (default <data-dir>/users.json) holding argon2id
// hashes. Verified credentials are cached in memory (keyed by a SHA-256 of the
// pair) so HTTP Basic on every request does not pay the slow hash each time;
// the cache is dropped when the file changes. Thread-safe.
//
// Sign-in throttling (LoginThrottle): failed sign-ins are counted per user name
// and per client address. Once a key reaches its failure limit it is locked for
// a delay that doubles with every further failure, up to a maximum; while
// locked, attempts are refused without checking the password (HTTP 429 with
// Retry-After), except credentials verified and in use within the last 5
// minutes (a client that knows the password is not guessing). Unknown user names are
// counted and hashed exactly like known ones (against a dummy hash), so neither
// the answer nor its timing tells whether a user exists.
#pragma once

#include <atomic>
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

struct ThrottleOptions {
  // Default: 5. Failed sign-ins of one user name before it is locked.
  int max_user_failures = 5;
  // Default: 20. Failed sign-ins from one client address before it is locked.
  int max_address_failures = 20;
  // Default: 5 min. Failures are forgotten after this long without one (counted
  // from the end of the last lock).
  std::chrono::milliseconds window{std::chrono::minutes(5)};
  // Defaults: 1 s and 15 min. The first lock lasts `first_delay`; each further
  // failure doubles it, up to `max_delay`.
  std::chrono::milliseconds first_delay{std::chrono::seconds(1)};
  std::chrono::milliseconds max_delay{std::chrono::minutes(15)};
};

// Counts failures per user name and per address. Thread-safe. Memory is
// bounded: at most kMaxTracked keys, stale ones evicted first.
class LoginThrottle {
 public:
  static constexpr size_t kMaxTracked = 100000;
  explicit LoginThrottle(ThrottleOptions options) : options_(options) {}
  // Time left until `user` and `address` may try again; zero when allowed.
  std::chrono::milliseconds Blocked(const std::string& user, const std::string& address);
  // Records a failed attempt; returns the lock it starts (zero when none).
  std::chrono::milliseconds RecordFailure(const std::string& user, const std::string& address);
  // A successful sign-in clears the user's count (not the address's: one valid
  // account must not reset the guesses made against others).
  void RecordSuccess(const std::string& user);

 private:
  struct Entry {
    int failures = 0;
    std::chrono::steady_clock::time_point last;          // last failure or end of the lock, whichever is later
    std::chrono::steady_clock::time_point locked_until;
  };
  std::chrono::milliseconds Fail(const std::string& key, int limit, std::chrono::steady_clock::time_point now);
  std::chrono::milliseconds Left(const std::string& key, std::chrono::steady_clock::time_point now) const;
  void Evict(std::chrono::steady_clock::time_point now);  // REQUIRES: mu_ held

  const ThrottleOptions options_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // GUARDED_BY(mu_); "u:" + user or "a:" + address
};

// Counters of sign-in outcomes since start (for the metrics).
struct LoginStats {
  uint64_t failures = 0;           // wrong password or unknown user
  uint64_t unknown_user_checks = 0;  // of which: unknown users, hashed against the dummy hash
  uint64_t throttled = 0;          // refused while locked
  uint64_t locks = 0;              // locks started
};

class UserStore {
 public:
  // Opens `path`, creating it with admin/admin (role ADMIN) when missing.
  static Result<std::unique_ptr<UserStore>> Open(const std::string& path, ThrottleOptions throttle = {});

  // Checks a user name and password from `address` (the client's IP; may be
  // empty). Errors: Unauthenticated (401) for a wrong pair, whatever the
  // reason; RateLimited (HTTP 429, ATLAS-429-00-001) while the user or
  // address is locked, with the seconds to wait in *retry_after_s. Edits to
  // the users file by other processes apply within a second.
  Result<Principal> Authenticate(const std::string& user, const std::string& password,
                                 const std::string& address = "", int* retry_after_s = nullptr);
  LoginStats login_stats() const;
  // Creates or updates a user. `role` empty keeps the current role (ADMIN... for new users: DATA_SCIENTIST).
  Status SetPassword(const std::string& user, const std::string& password, std::optional<Role> role);
  // True while admin still has the password "admin".
  bool DefaultPasswordInUse();

 private:
  UserStore(std::string path, ThrottleOptions throttle) : path_(std::move(path)), throttle_(throttle) {}
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
  std::chrono::steady_clock::time_point next_file_check_;  // GUARDED_BY(mu_)
  std::string dummy_hash_;  // checked for unknown users; set at Open
  LoginThrottle throttle_;
  std::atomic<uint64_t> failures_{0}, unknown_user_checks_{0}, throttled_{0}, locks_{0};
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
