#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "meridian/auth/auth.h"

namespace meridian::auth {
namespace {

TEST(Passwords, HashIsSaltedAndVerifies) {
  auto a = HashPassword("s3cret!");
  auto b = HashPassword("s3cret!");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*a, "s3cret!"));
  EXPECT_FALSE(VerifyPassword(*a, "s3cret"));
}

TEST(UserStore, CreatesAdminAndChangesPasswords) {
  char tmpl[] = "/tmp/meridian-auth-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/users.json";
  {
    auto users = UserStore::Open(path);
    ASSERT_TRUE(users.ok());
    EXPECT_TRUE((*users)->DefaultPasswordInUse());
    auto p = (*users)->Authenticate("admin", "admin");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->role, Role::kAdmin);
    EXPECT_FALSE((*users)->Authenticate("admin", "wrong").ok());
    EXPECT_FALSE((*users)->Authenticate("nobody", "admin").ok());
    ASSERT_TRUE((*users)->SetPassword("admin", "better-password", std::nullopt).ok());
    ASSERT_TRUE((*users)->SetPassword("ds", "readonly-pw", Role::kDataScientist).ok());
    EXPECT_FALSE((*users)->SetPassword("x", "abc", std::nullopt).ok());  // too short
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find("better-password"), std::string::npos);  // never stored in clear
  auto users = UserStore::Open(path);
  ASSERT_TRUE(users.ok());
  EXPECT_FALSE((*users)->DefaultPasswordInUse());
  EXPECT_FALSE((*users)->Authenticate("admin", "admin").ok());
  EXPECT_EQ((*users)->Authenticate("ds", "readonly-pw")->role, Role::kDataScientist);
  std::filesystem::remove_all(dir);
}

TEST(SessionStore, CreateFindRemove) {
  SessionStore sessions(std::chrono::seconds(60));
  std::string token = sessions.Create({"admin", Role::kAdmin});
  auto s = sessions.Find(token);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->principal.user, "admin");
  EXPECT_FALSE(s->csrf_token.empty());
  sessions.Remove(token);
  EXPECT_FALSE(sessions.Find(token).has_value());
  EXPECT_FALSE(sessions.Find("forged").has_value());
}

std::string TempUsersFile() {
  char tmpl[] = "/tmp/meridian-auth-XXXXXX";
  return std::string(mkdtemp(tmpl)) + "/users.json";
}

ThrottleOptions SmallThrottle() {
  ThrottleOptions o;
  o.max_user_failures = 3;
  o.max_address_failures = 6;
  o.window = std::chrono::minutes(1);
  o.first_delay = std::chrono::milliseconds(300);
  o.max_delay = std::chrono::milliseconds(1200);
  return o;
}

// Retries the right password until the lock passes (bounded); returns how many were refused with 429.
int RefusedUntilAllowed(UserStore& users, const std::string& user, const std::string& pw, const std::string& addr) {
  int refused = 0;
  for (int i = 0; i < 100; ++i) {
    int retry_after = 0;
    auto p = users.Authenticate(user, pw, addr, &retry_after);
    if (p.ok()) return refused;
    EXPECT_EQ(p.status().atlas_code(), "ATLAS-429-00-001") << p.status().ToString();
    EXPECT_GE(retry_after, 1);
    ++refused;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "still locked after 10 s";
  return refused;
}

TEST(LoginThrottle, WrongPasswordsLockTheUserUntilTheBackOffPasses) {
  std::string path = TempUsersFile();
  auto users = UserStore::Open(path, SmallThrottle());
  ASSERT_TRUE(users.ok());
  for (int i = 0; i < 10; ++i) {
    auto p = (*users)->Authenticate("admin", "wrong" + std::to_string(i), "10.0.0.1");
    ASSERT_FALSE(p.ok());
    // The first failures are plain 401s; from the limit on, 429 without a password check.
    EXPECT_EQ(p.status().code(), i < 3 ? StatusCode::kUnauthenticated : StatusCode::kRateLimited) << i;
  }
  int retry_after = 0;
  auto right = (*users)->Authenticate("admin", "admin", "10.0.0.2", &retry_after);
  ASSERT_FALSE(right.ok());
  EXPECT_EQ(right.status().atlas_code(), "ATLAS-429-00-001");
  EXPECT_GE(retry_after, 1);
  EXPECT_GE(RefusedUntilAllowed(**users, "admin", "admin", "10.0.0.2"), 1);
  auto stats = (*users)->login_stats();
  EXPECT_EQ(stats.failures, 3u);
  EXPECT_GE(stats.throttled, 8u);
  EXPECT_EQ(stats.locks, 1u);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(LoginThrottle, EachFailureAfterALockDoublesIt) {
  LoginThrottle t(SmallThrottle());
  EXPECT_EQ(t.RecordFailure("u", "").count(), 0);
  EXPECT_EQ(t.RecordFailure("u", "").count(), 0);
  EXPECT_EQ(t.RecordFailure("u", "").count(), 300);
  EXPECT_GT(t.Blocked("u", "").count(), 0);
  EXPECT_EQ(t.Blocked("other", "").count(), 0);
  EXPECT_EQ(t.RecordFailure("u", "").count(), 600);
  EXPECT_EQ(t.RecordFailure("u", "").count(), 1200);
  EXPECT_EQ(t.RecordFailure("u", "").count(), 1200);  // the maximum
  t.RecordSuccess("u");
  EXPECT_EQ(t.Blocked("u", "").count(), 0);
}

TEST(LoginThrottle, OneAddressGuessingManyNamesIsLocked) {
  LoginThrottle t(SmallThrottle());
  for (int i = 0; i < 6; ++i) t.RecordFailure("user" + std::to_string(i), "10.0.0.9");
  EXPECT_GT(t.Blocked("fresh-name", "10.0.0.9").count(), 0);
  EXPECT_EQ(t.Blocked("fresh-name", "10.0.0.10").count(), 0);
  // A successful sign-in of one account does not reset the address.
  t.RecordSuccess("user0");
  EXPECT_GT(t.Blocked("fresh-name", "10.0.0.9").count(), 0);
}

TEST(LoginThrottle, UnknownAndKnownUsersFailTheSameWay) {
  std::string path = TempUsersFile();
  auto users = UserStore::Open(path, SmallThrottle());
  ASSERT_TRUE(users.ok());
  auto known = (*users)->Authenticate("admin", "wrong", "10.0.0.1");
  EXPECT_EQ((*users)->login_stats().unknown_user_checks, 0u);
  auto unknown = (*users)->Authenticate("nobody", "wrong", "10.0.0.1");
  ASSERT_FALSE(known.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(known.status().code(), unknown.status().code());
  EXPECT_EQ(known.status().atlas_code(), unknown.status().atlas_code());
  EXPECT_EQ(known.status().message(), unknown.status().message());
  // The unknown user's password went through the same slow hash (against the dummy hash).
  auto stats = (*users)->login_stats();
  EXPECT_EQ(stats.unknown_user_checks, 1u);
  EXPECT_EQ(stats.failures, 2u);
  // Unknown names are locked like known ones, so locking does not reveal them either.
  for (int i = 0; i < 3; ++i) (*users)->Authenticate("nobody", "wrong", "").status().PermitUnchecked();
  EXPECT_EQ((*users)->Authenticate("nobody", "wrong", "").status().atlas_code(), "ATLAS-429-00-001");
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(LoginThrottle, RecentlyVerifiedCredentialsStillWorkDuringALock) {
  std::string path = TempUsersFile();
  auto users = UserStore::Open(path, SmallThrottle());
  ASSERT_TRUE(users.ok());
  ASSERT_TRUE((*users)->Authenticate("admin", "admin", "10.0.0.1").ok());
  for (int i = 0; i < 5; ++i) (*users)->Authenticate("admin", "guess", "10.0.0.66").status().PermitUnchecked();
  EXPECT_EQ((*users)->Authenticate("admin", "guess", "10.0.0.66").status().atlas_code(), "ATLAS-429-00-001");
  EXPECT_TRUE((*users)->Authenticate("admin", "admin", "10.0.0.1").ok());
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

}  // namespace
}  // namespace meridian::auth
