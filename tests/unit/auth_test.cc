#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace meridian::auth
