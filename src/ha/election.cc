#include "meridian/ha/election.h"

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace meridian::ha {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kTick{100};          // the election thread's polling period
constexpr milliseconds kPublishEvery{200};  // how often a changed applied sequence is republished

// The client library retries a lost connection every few milliseconds and logs each try;
// the election logs the session's state changes itself.
void LogToSpdlog(const char* message) { spdlog::debug("zookeeper: {}", message); }

std::string EpochName(uint64_t epoch) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(epoch));
  return buf;
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Reads a JSON object's field, or `fallback` when it is missing or of another type.
std::string JsonString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
uint64_t JsonU64(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

// True when ZooKeeper answered the request for a live session (whatever the answer).
bool SessionAnswered(int rc) {
  return rc == ZOK || rc == ZNONODE || rc == ZNODEEXISTS || rc == ZBADVERSION || rc == ZNOTEMPTY;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kLeader: return "leader";
    case Role::kFollower: return "follower";
    case Role::kUnknown: break;
  }
  return "unknown";
}

bool SameLeader(const std::optional<LeaderInfo>& a, const std::optional<LeaderInfo>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->id == b->id && a->url == b->url && a->epoch == b->epoch);
}

}  // namespace

class Election::Impl {
 public:
  Impl(ElectionOptions options, std::function<uint64_t()> applied, std::function<void(Role, const LeaderInfo&)> on_change)
      : options_(std::move(options)),
        applied_sequence_(std::move(applied)),
        on_change_(std::move(on_change)),
        members_dir_(options_.root + "/members"),
        member_path_(members_dir_ + "/" + options_.server_id),
        leader_path_(options_.root + "/leader"),
        epoch_path_(options_.root + "/epoch"),
        epochs_dir_(options_.root + "/epochs") {}

  ~Impl() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (zh_ != nullptr) zookeeper_close(zh_);
  }

  Status Connect();
  Status Register();
  void StartThread() { thread_ = std::thread([this] { Run(); }); }

  Role role() const {
    std::lock_guard lock(mu_);
    return role_;
  }
  std::optional<LeaderInfo> leader() const {
    std::lock_guard lock(mu_);
    return leader_;
  }
  uint64_t epoch() const {
    std::lock_guard lock(mu_);
    return role_ == Role::kLeader && leader_ ? leader_->epoch : 0;
  }
  Status CheckLease() const;
  std::vector<Member> Members() const;
  std::map<uint64_t, uint64_t> EpochStarts() const;
  Role WaitForRole(milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return role_ != Role::kUnknown; });
    return role_;
  }

 private:
  static void Watcher(zhandle_t* zh, int type, int state, const char* path, void* context);
  void Run();
  void Step();
  void ReadLeader(Clock::time_point now);
  void TryTakeOver();
  void Publish(uint64_t applied);
  // Sets the role and leader; calls on_change when either changed. Election thread only.
  void Update(Role role, std::optional<LeaderInfo> leader);

  // ZooKeeper calls that record the session's confirmation.
  int Get(const std::string& path, std::string* data, Stat* stat) const;
  int Exists(const std::string& path, bool watch, Stat* stat) const;
  int Children(const std::string& path, std::vector<std::string>* names) const;
  void Confirm(Clock::time_point sent, int rc) const;
  int CreateIfAbsent(const std::string& path, const std::string& data) const;
  std::optional<std::vector<Member>> ReadMembers() const;
  std::string MemberData(uint64_t applied) const;
  bool Usable() const { return zoo_state(zh_) == ZOO_CONNECTED_STATE; }
  // The session timeout in force: the one asked for, or less if ZooKeeper granted less.
  milliseconds SessionTimeout() const { return milliseconds(std::min(options_.session_timeout_ms, zoo_recv_timeout(zh_))); }
  bool Mine(const Stat& stat) const {
    const clientid_t* session = zoo_client_id(zh_);
    return session != nullptr && stat.ephemeralOwner == session->client_id;
  }

  // Constant after construction.
  const ElectionOptions options_;
  const std::function<uint64_t()> applied_sequence_;
  const std::function<void(Role, const LeaderInfo&)> on_change_;
  const std::string members_dir_, member_path_, leader_path_, epoch_path_, epochs_dir_;
  zhandle_t* zh_ = nullptr;  // set by Connect before the thread starts; closed by the destructor

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  // Guarded by mu_.
  bool stopping_ = false;
  bool wake_ = false;          // a watch or session event arrived
  bool connected_ = false;
  bool expired_ = false;       // the session ended for good (expired or refused)
  bool leader_dirty_ = true;   // the leader node must be read again
  Role role_ = Role::kUnknown;
  std::optional<LeaderInfo> leader_;
  mutable Clock::time_point confirmed_{};  // send time of the last call ZooKeeper answered
  mutable std::vector<Member> members_cache_;
  mutable std::map<uint64_t, uint64_t> epochs_cache_;

  // Election thread only.
  std::optional<Clock::time_point> vacancy_since_;
  std::optional<uint64_t> published_;
  Clock::time_point published_at_{};
  std::thread thread_;
};

void Election::Impl::Watcher(zhandle_t* /*zh*/, int type, int state, const char* path, void* context) {
  auto* self = static_cast<Impl*>(context);
  {
    std::lock_guard lock(self->mu_);
    if (type == ZOO_SESSION_EVENT) {
      bool was_connected = self->connected_;
      if (state == ZOO_CONNECTED_STATE) {
        if (!was_connected) spdlog::info("ha: member {} connected to ZooKeeper", self->options_.server_id);
        self->connected_ = true;
        self->leader_dirty_ = true;  // watches are restored, but events may have been missed
      } else if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
        self->connected_ = false;
        self->expired_ = true;
      } else {
        if (was_connected) spdlog::warn("ha: member {} lost its connection to ZooKeeper", self->options_.server_id);
        self->connected_ = false;
      }
    } else if (path != nullptr && self->leader_path_ == path) {
      self->leader_dirty_ = true;
    }
    self->wake_ = true;
  }
  self->cv_.notify_all();
}

Status Election::Impl::Connect() {
  static std::once_flag log_level_once;
  std::call_once(log_level_once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
  zh_ = zookeeper_init2(options_.zookeeper.c_str(), &Impl::Watcher, options_.session_timeout_ms, nullptr, this, 0,
                        &LogToSpdlog);
  if (zh_ == nullptr) {
    return Status::InvalidArgument("ha: cannot use ZooKeeper address '" + options_.zookeeper + "'");
  }
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, milliseconds(options_.session_timeout_ms), [&] { return connected_ || expired_; });
  if (!connected_) return Status::Unavailable("ha: cannot reach ZooKeeper at " + options_.zookeeper);
  confirmed_ = Clock::now();
  return Status::Ok();
}

void Election::Impl::Confirm(Clock::time_point sent, int rc) const {
  if (!SessionAnswered(rc)) return;
  std::lock_guard lock(mu_);
  confirmed_ = std::max(confirmed_, sent);
}

int Election::Impl::Get(const std::string& path, std::string* data, Stat* stat) const {
  std::vector<char> buf(1024);
  for (;;) {
    int len = static_cast<int>(buf.size());
    auto sent = Clock::now();
    int rc = zoo_get(zh_, path.c_str(), 0, buf.data(), &len, stat);
    Confirm(sent, rc);
    if (rc != ZOK) return rc;
    if (stat->dataLength <= static_cast<int>(buf.size())) {
      data->assign(buf.data(), len < 0 ? 0 : len);
      return ZOK;
    }
    buf.resize(stat->dataLength);
  }
}

int Election::Impl::Exists(const std::string& path, bool watch, Stat* stat) const {
  auto sent = Clock::now();
  int rc = zoo_exists(zh_, path.c_str(), watch ? 1 : 0, stat);
  Confirm(sent, rc);
  return rc;
}

int Election::Impl::Children(const std::string& path, std::vector<std::string>* names) const {
  String_vector children{};
  auto sent = Clock::now();
  int rc = zoo_get_children(zh_, path.c_str(), 0, &children);
  Confirm(sent, rc);
  if (rc != ZOK) return rc;
  names->assign(children.data, children.data + children.count);
  deallocate_String_vector(&children);
  return ZOK;
}

int Election::Impl::CreateIfAbsent(const std::string& path, const std::string& data) const {
  auto sent = Clock::now();
  int rc = zoo_create(zh_, path.c_str(), data.data(), static_cast<int>(data.size()), &ZOO_OPEN_ACL_UNSAFE,
                      ZOO_PERSISTENT, nullptr, 0);
  Confirm(sent, rc);
  return rc == ZNODEEXISTS ? ZOK : rc;
}

std::string Election::Impl::MemberData(uint64_t applied) const {
  return nlohmann::json{{"id", options_.server_id}, {"url", options_.url}, {"applied", applied}}.dump();
}

Status Election::Impl::Register() {
  auto failed = [&](const std::string& what, int rc) {
    return Status::Unavailable("ha: " + what + ": " + zerror(rc));
  };
  // The root and every ancestor, then the cluster's folders and counter.
  for (size_t slash = options_.root.find('/', 1);; slash = options_.root.find('/', slash + 1)) {
    std::string path = options_.root.substr(0, slash);
    if (int rc = CreateIfAbsent(path, ""); rc != ZOK) return failed("cannot create " + path, rc);
    if (slash == std::string::npos) break;
  }
  for (const auto& [path, data] : {std::pair{members_dir_, ""}, {epochs_dir_, ""}, {epoch_path_, "0"}}) {
    if (int rc = CreateIfAbsent(path, data); rc != ZOK) return failed("cannot create " + path, rc);
  }

  uint64_t applied = applied_sequence_();
  std::string data = MemberData(applied);
  // A previous incarnation's node lingers until its session expires; a live duplicate never goes.
  auto give_up = Clock::now() + 2 * milliseconds(options_.session_timeout_ms) + milliseconds(options_.settle_ms);
  for (;;) {
    auto sent = Clock::now();
    int rc = zoo_create(zh_, member_path_.c_str(), data.data(), static_cast<int>(data.size()), &ZOO_OPEN_ACL_UNSAFE,
                        ZOO_EPHEMERAL, nullptr, 0);
    Confirm(sent, rc);
    if (rc == ZOK) break;
    if (rc != ZNODEEXISTS) return failed("cannot register " + member_path_, rc);
    Stat stat;
    if (Exists(member_path_, false, &stat) == ZOK && Mine(stat)) break;  // an answer lost on the way
    if (Clock::now() > give_up) {
      return Status::AlreadyExists("ha: server id '" + options_.server_id + "' is registered by another live member",
                                   atlas_code::kInvalidParameters);
    }
    std::this_thread::sleep_for(kTick);
  }
  published_ = applied;
  published_at_ = Clock::now();
  return Status::Ok();
}

void Election::Impl::Run() {
  bool reported_expiry = false;
  for (;;) {
    bool expired = false;
    bool connected = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kTick, [&] { return stopping_ || wake_; });
      if (stopping_) return;
      wake_ = false;
      expired = expired_;
      connected = connected_;
    }
    if (expired) {
      if (!reported_expiry) {
        spdlog::warn("ha: ZooKeeper session of member {} ended; this member no longer takes part in the election",
                     options_.server_id);
        Update(Role::kUnknown, std::nullopt);
        reported_expiry = true;
      }
      continue;
    }
    if (connected) Step();
  }
}

void Election::Impl::Step() {
  auto now = Clock::now();
  Clock::time_point confirmed;
  bool dirty;
  {
    std::lock_guard lock(mu_);
    confirmed = confirmed_;
    dirty = std::exchange(leader_dirty_, false);
  }
  if (now - confirmed >= SessionTimeout() / 5) {
    Stat stat;
    Exists(member_path_, false, &stat);
  }
  uint64_t applied = applied_sequence_();
  if (applied != published_ && now - published_at_ >= kPublishEvery) Publish(applied);
  // During a vacancy the leader node is polled, as the candidates' ranks evolve with time.
  if (dirty || vacancy_since_) ReadLeader(now);
}

void Election::Impl::Publish(uint64_t applied) {
  std::string data = MemberData(applied);
  auto sent = Clock::now();
  int rc = zoo_set(zh_, member_path_.c_str(), data.data(), static_cast<int>(data.size()), -1);
  if (rc == ZNONODE) {  // removed by hand while the session lives: register again
    rc = zoo_create(zh_, member_path_.c_str(), data.data(), static_cast<int>(data.size()), &ZOO_OPEN_ACL_UNSAFE,
                    ZOO_EPHEMERAL, nullptr, 0);
  }
  Confirm(sent, rc);
  if (rc == ZOK) {
    published_ = applied;
    published_at_ = Clock::now();
  }
}

void Election::Impl::ReadLeader(Clock::time_point now) {
  Stat stat;
  std::string data;
  int rc = Exists(leader_path_, /*watch=*/true, &stat);
  if (rc == ZOK) rc = Get(leader_path_, &data, &stat);
  if (rc != ZOK && rc != ZNONODE) {
    std::lock_guard lock(mu_);
    leader_dirty_ = true;  // read again on the next tick
    return;
  }
  if (rc == ZOK) {
    vacancy_since_.reset();
    auto j = nlohmann::json::parse(data, nullptr, false);
    LeaderInfo info;
    if (j.is_object()) info = {JsonString(j, "id"), JsonString(j, "url"), JsonU64(j, "epoch")};
    Update(Mine(stat) ? Role::kLeader : Role::kFollower, info);
    return;
  }

  if (!vacancy_since_) {
    vacancy_since_ = now;
    spdlog::info("ha: no leader; member {} waits {} ms for the final applied sequences", options_.server_id,
                 options_.settle_ms);
    Publish(applied_sequence_());
  }
  Update(role() == Role::kUnknown ? Role::kUnknown : Role::kFollower, std::nullopt);
  auto vacant = now - *vacancy_since_;
  auto settle = milliseconds(options_.settle_ms);
  if (vacant < settle) return;
  auto members = ReadMembers();
  if (!members) return;
  std::sort(members->begin(), members->end(), [](const Member& a, const Member& b) {
    return a.applied != b.applied ? a.applied > b.applied : a.id < b.id;
  });
  auto self = std::find_if(members->begin(), members->end(), [&](const Member& m) { return m.id == options_.server_id; });
  if (self == members->end()) return;
  auto rank = self - members->begin();
  if (vacant >= settle * (rank + 1)) TryTakeOver();
}

void Election::Impl::TryTakeOver() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    Stat epoch_stat;
    std::string epoch_data;
    if (Get(epoch_path_, &epoch_data, &epoch_stat) != ZOK) return;
    auto current = ParseU64(epoch_data);
    if (!current) {
      spdlog::error("ha: {} holds '{}', not an epoch number", epoch_path_, epoch_data);
      return;
    }
    uint64_t epoch = *current + 1;
    uint64_t start = applied_sequence_();
    std::string leader_data =
        nlohmann::json{{"id", options_.server_id}, {"url", options_.url}, {"epoch", epoch}}.dump();
    std::string epoch_text = std::to_string(epoch);
    std::string start_text = std::to_string(start);
    std::string epoch_node = epochs_dir_ + "/" + EpochName(epoch);

    // One transaction: whoever creates the leader node also owns the next epoch.
    zoo_op_t ops[3];
    zoo_op_result_t results[3];
    zoo_create_op_init(&ops[0], leader_path_.c_str(), leader_data.data(), static_cast<int>(leader_data.size()),
                       &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, nullptr, 0);
    zoo_set_op_init(&ops[1], epoch_path_.c_str(), epoch_text.data(), static_cast<int>(epoch_text.size()),
                    epoch_stat.version, nullptr);
    zoo_create_op_init(&ops[2], epoch_node.c_str(), start_text.data(), static_cast<int>(start_text.size()),
                       &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, nullptr, 0);
    auto sent = Clock::now();
    int rc = zoo_multi(zh_, 3, ops, results);
    Confirm(sent, rc);
    if (rc == ZOK) {
      spdlog::info("ha: member {} is leader in epoch {} from applied sequence {}", options_.server_id, epoch, start);
      vacancy_since_.reset();
      Update(Role::kLeader, LeaderInfo{options_.server_id, options_.url, epoch});
      return;
    }
    if (rc != ZBADVERSION) break;  // another member won, or the outcome is unknown
  }
  std::lock_guard lock(mu_);
  leader_dirty_ = true;
}

void Election::Impl::Update(Role role, std::optional<LeaderInfo> leader) {
  {
    std::lock_guard lock(mu_);
    if (role_ == role && SameLeader(leader_, leader)) return;
    role_ = role;
    leader_ = leader;
  }
  cv_.notify_all();
  spdlog::info("ha: member {} is {}; leader {}", options_.server_id, RoleName(role),
               leader ? leader->id + " (epoch " + std::to_string(leader->epoch) + ")" : std::string("unknown"));
  if (on_change_) on_change_(role, leader.value_or(LeaderInfo{}));
}

Status Election::Impl::CheckLease() const {
  std::lock_guard lock(mu_);
  if (role_ != Role::kLeader) {
    return Status::Unavailable("ha: this server is not the leader" + (leader_ ? "; the leader is " + leader_->url : ""));
  }
  if (expired_) return Status::Unavailable("ha: the leader's ZooKeeper session ended");
  auto age = Clock::now() - confirmed_;
  if (age >= SessionTimeout() / 2) {
    return Status::Unavailable("ha: the leader's ZooKeeper session was last confirmed " +
                               std::to_string(std::chrono::duration_cast<milliseconds>(age).count()) + " ms ago");
  }
  return Status::Ok();
}

std::optional<std::vector<Member>> Election::Impl::ReadMembers() const {
  std::vector<std::string> ids;
  if (Children(members_dir_, &ids) != ZOK) return std::nullopt;
  std::vector<Member> members;
  for (const auto& id : ids) {
    Stat stat;
    std::string data;
    int rc = Get(members_dir_ + "/" + id, &data, &stat);
    if (rc == ZNONODE) continue;  // left meanwhile
    if (rc != ZOK) return std::nullopt;
    auto j = nlohmann::json::parse(data, nullptr, false);
    Member m;
    m.id = id;
    if (j.is_object()) {
      m.url = JsonString(j, "url");
      m.applied = JsonU64(j, "applied");
    }
    members.push_back(std::move(m));
  }
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.id < b.id; });
  return members;
}

std::vector<Member> Election::Impl::Members() const {
  if (Usable()) {
    auto members = ReadMembers();
    Stat stat;
    std::string data;
    int rc = members ? Get(leader_path_, &data, &stat) : ZCONNECTIONLOSS;
    if (rc == ZOK || rc == ZNONODE) {
      auto j = rc == ZOK ? nlohmann::json::parse(data, nullptr, false) : nlohmann::json();
      std::string leader_id = j.is_object() ? JsonString(j, "id") : std::string();
      for (auto& m : *members) m.leader = !leader_id.empty() && m.id == leader_id;
      std::lock_guard lock(mu_);
      members_cache_ = *members;
    }
  }
  std::lock_guard lock(mu_);
  return members_cache_;
}

std::map<uint64_t, uint64_t> Election::Impl::EpochStarts() const {
  // An epochs/<n> node never changes once created: only new ones are read.
  std::vector<std::string> names;
  if (Usable() && Children(epochs_dir_, &names) == ZOK) {
    for (const auto& name : names) {
      auto epoch = ParseU64(name);
      if (!epoch) continue;  // not one of ours
      {
        std::lock_guard lock(mu_);
        if (epochs_cache_.count(*epoch) != 0) continue;
      }
      Stat stat;
      std::string data;
      if (Get(epochs_dir_ + "/" + name, &data, &stat) != ZOK) break;
      if (auto start = ParseU64(data)) {
        std::lock_guard lock(mu_);
        epochs_cache_[*epoch] = *start;
      }
    }
  }
  std::lock_guard lock(mu_);
  return epochs_cache_;
}

Result<std::unique_ptr<Election>> Election::Start(const ElectionOptions& options,
                                                   std::function<uint64_t()> applied_sequence,
                                                   std::function<void(Role role, const LeaderInfo& leader)> on_change) {
  if (options.zookeeper.empty()) return Status::InvalidArgument("ha: the ZooKeeper address is empty");
  if (options.server_id.empty() || options.server_id.find('/') != std::string::npos) {
    return Status::InvalidArgument("ha: the server id must be non-empty and contain no '/'");
  }
  if (options.root.size() < 2 || options.root.front() != '/' || options.root.back() == '/') {
    return Status::InvalidArgument("ha: the ZooKeeper root must be an absolute path such as /meridian");
  }
  if (options.session_timeout_ms <= 0 || options.settle_ms < 0) {
    return Status::InvalidArgument("ha: the session timeout must be positive and the settle time not negative");
  }
  if (!applied_sequence) return Status::InvalidArgument("ha: an applied-sequence function is required");
  auto impl = std::make_unique<Impl>(options, std::move(applied_sequence), std::move(on_change));
  RETURN_IF_ERROR(impl->Connect());
  RETURN_IF_ERROR(impl->Register());
  impl->StartThread();
  return std::unique_ptr<Election>(new Election(std::move(impl)));
}

Election::Election(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Election::~Election() = default;
Role Election::role() const { return impl_->role(); }
std::optional<LeaderInfo> Election::leader() const { return impl_->leader(); }
uint64_t Election::epoch() const { return impl_->epoch(); }
Status Election::CheckLease() const { return impl_->CheckLease(); }
std::vector<Member> Election::Members() const { return impl_->Members(); }
std::map<uint64_t, uint64_t> Election::EpochStarts() const { return impl_->EpochStarts(); }
Role Election::WaitForRole(std::chrono::milliseconds timeout) { return impl_->WaitForRole(timeout); }

}  // namespace meridian::ha
