#include "meridian/auth/auth.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace meridian::auth {

namespace {

constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKiB = 19456;  // OWASP's argon2id baseline
constexpr uint32_t kParallelism = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr auto kVerifiedTtl = std::chrono::minutes(5);
constexpr auto kFileCheckEvery = std::chrono::seconds(1);

std::string CacheKey(const std::string& user, const std::string& password) {
  std::string in = user + '\0' + password;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

int64_t MtimeOf(const std::string& path) {
  std::error_code ec;
  auto t = std::filesystem::last_write_time(path, ec);
  return ec ? 0 : static_cast<int64_t>(t.time_since_epoch().count());
}

// A client-chosen name made safe for one log line.
std::string ForLog(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 64)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return s.size() > 64 ? out + "..." : out;
}

int CeilSeconds(std::chrono::milliseconds ms) { return static_cast<int>((ms.count() + 999) / 1000); }

}  // namespace

std::chrono::milliseconds LoginThrottle::Left(const std::string& key, std::chrono::steady_clock::time_point now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

std::chrono::milliseconds LoginThrottle::Blocked(const std::string& user, const std::string& address) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto left = Left("u:" + user, now);
  if (!address.empty()) left = std::max(left, Left("a:" + address, now));
  return left;
}

std::chrono::milliseconds LoginThrottle::Fail(const std::string& key, int limit,
                                              std::chrono::steady_clock::time_point now) {
  Entry& e = entries_[key];
  if (e.failures > 0 && now - e.last > options_.window) e.failures = 0;
  ++e.failures;
  e.last = now;
  if (e.failures < limit) return std::chrono::milliseconds(0);
  int doublings = std::min(e.failures - limit, 30);
  auto delay = std::min<std::chrono::milliseconds>(options_.first_delay * (int64_t{1} << doublings), options_.max_delay);
  e.locked_until = now + delay;
  e.last = e.locked_until;
  return delay;
}

std::chrono::milliseconds LoginThrottle::RecordFailure(const std::string& user, const std::string& address) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxTracked) Evict(now);
  auto delay = Fail("u:" + user, options_.max_user_failures, now);
  if (!address.empty()) delay = std::max(delay, Fail("a:" + address, options_.max_address_failures, now));
  return delay;
}

void LoginThrottle::RecordSuccess(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase("u:" + user);
}

void LoginThrottle::Evict(std::chrono::steady_clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = now - it->second.last > options_.window ? entries_.erase(it) : std::next(it);
  // Still full of live entries (a flood of names): drop half of them. The
  // per-address count still stops a flood from one client.
  if (entries_.size() < kMaxTracked) return;
  while (entries_.size() > kMaxTracked / 2) entries_.erase(entries_.begin());
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kAdmin: return "ADMIN";
    case Role::kDataSteward: return "DATA_STEWARD";
    case Role::kDataScientist: return "DATA_SCIENTIST";
  }
  return "DATA_SCIENTIST";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "ADMIN") return Role::kAdmin;
  if (name == "DATA_STEWARD") return Role::kDataSteward;
  if (name == "DATA_SCIENTIST") return Role::kDataScientist;
  return std::nullopt;
}

std::string RandomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Result<std::string> HashPassword(const std::string& password) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Status::Internal("no randomness for a password salt");
  size_t len = argon2_encodedlen(kTimeCost, kMemoryKiB, kParallelism, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kParallelism, password.data(), password.size(), salt,
                                 sizeof salt, kHashBytes, encoded.data(), len);
  if (rc != ARGON2_OK) return Status::Internal(std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0') == std::string::npos ? encoded.size() : encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  return argon2id_verify(hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Result<std::unique_ptr<UserStore>> UserStore::Open(const std::string& path, ThrottleOptions throttle) {
  std::unique_ptr<UserStore> s(new UserStore(path, throttle));
  ASSIGN_OR_RETURN(s->dummy_hash_, HashPassword(RandomToken()));
  std::lock_guard<std::mutex> lock(s->mu_);
  if (!std::filesystem::exists(path)) {
    ASSIGN_OR_RETURN(std::string hash, HashPassword("admin"));
    s->users_["admin"] = Entry{hash, Role::kAdmin};
    RETURN_IF_ERROR(s->Save());
  }
  RETURN_IF_ERROR(s->Reload());
  return s;
}

Status UserStore::Reload() {
  std::ifstream in(path_);
  if (!in) return Status::Internal("cannot read users file " + path_);
  auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Status::Internal("users file " + path_ + " is not valid JSON");
  std::map<std::string, Entry> users;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    auto role = ParseRole(it.value().value("role", ""));
    if (!role) return Status::Internal("users file: unknown role for " + it.key());
    users[it.key()] = Entry{it.value().value("hash", ""), *role};
  }
  users_ = std::move(users);
  verified_.clear();
  file_mtime_ = MtimeOf(path_);
  return Status::Ok();
}

Status UserStore::Save() {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [u, e] : users_) doc[u] = {{"role", RoleName(e.role)}, {"hash", e.hash}};
  std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) return Status::Internal("cannot write users file " + tmp);
  }
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) return Status::Internal("cannot replace users file " + path_ + ": " + ec.message());
  verified_.clear();
  file_mtime_ = MtimeOf(path_);
  return Status::Ok();
}

Result<Principal> UserStore::Authenticate(const std::string& user, const std::string& password,
                                          const std::string& address, int* retry_after_s) {
  const std::string key = CacheKey(user, password);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    // One stat of the users file a second, not one a request.
    if (now >= next_file_check_) {
      if (MtimeOf(path_) != file_mtime_) RETURN_IF_ERROR(Reload());
      next_file_check_ = now + kFileCheckEvery;
    }
    auto v = verified_.find(key);
    if (v != verified_.end() && v->second.second > now) {
      v->second.second = now + kVerifiedTtl;  // sliding: a busy client is not re-hashed (nor locked out)
      return v->second.first;
    }
  }
  if (auto left = throttle_.Blocked(user, address); left.count() > 0) {
    ++throttled_;
    if (retry_after_s) *retry_after_s = CeilSeconds(left);
    return Status::RateLimited("too many failed sign-ins for this user or address; retry in " + std::to_string(CeilSeconds(left)) +
                      " s");
  }
  std::string hash;
  Role role = Role::kDataScientist;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(user);
    known = it != users_.end();
    hash = known ? it->second.hash : dummy_hash_;
    if (known) role = it->second.role;
  }
  // The slow hash runs outside the lock, for unknown users too (against the dummy hash).
  bool verified = VerifyPassword(hash, password);
  if (!known) ++unknown_user_checks_;
  if (!verified || !known) {
    ++failures_;
    auto lock = throttle_.RecordFailure(user, address);
    if (lock.count() > 0) {
      ++locks_;
      spdlog::warn("failed sign-in for user '{}' from {}: locked for {} s", ForLog(user),
                   address.empty() ? "-" : address, CeilSeconds(lock));
    } else {
      spdlog::info("failed sign-in for user '{}' from {}", ForLog(user), address.empty() ? "-" : address);
    }
    return Status::Unauthenticated("invalid user name or password");
  }
  throttle_.RecordSuccess(user);
  Principal p{user, role};
  std::lock_guard<std::mutex> lock(mu_);
  if (verified_.size() > 10000) verified_.clear();
  verified_[key] = {p, std::chrono::steady_clock::now() + kVerifiedTtl};
  return p;
}

LoginStats UserStore::login_stats() const {
  return LoginStats{failures_.load(), unknown_user_checks_.load(), throttled_.load(), locks_.load()};
}

Status UserStore::SetPassword(const std::string& user, const std::string& password, std::optional<Role> role) {
  if (user.empty() || user.find_first_of(":\n") != std::string::npos)
    return Status::InvalidArgument("invalid user name '" + user + "'");
  if (password.size() < 5) return Status::InvalidArgument("password must have at least 5 characters");
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(Reload());
  auto it = users_.find(user);
  Role r = role ? *role : (it != users_.end() ? it->second.role : Role::kDataScientist);
  users_[user] = Entry{hash, r};
  return Save();
}

bool UserStore::DefaultPasswordInUse() {
  std::string hash;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find("admin");
    if (it == users_.end()) return false;
    hash = it->second.hash;
  }
  return VerifyPassword(hash, "admin");
}

std::string SessionStore::Create(const Principal& p) {
  std::string token = RandomToken();
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = it->second.expires < now ? sessions_.erase(it) : std::next(it);
  sessions_[token] = Session{p, RandomToken(16), now + ttl_};
  return token;
}

std::optional<SessionStore::Session> SessionStore::Find(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  if (it->second.expires < now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.expires = now + ttl_;  // sliding expiry
  return it->second;
}

void SessionStore::Remove(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token);
}

}  // namespace meridian::auth
