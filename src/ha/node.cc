#include "meridian/ha/node.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "meridian/catalog/catalog.h"

namespace meridian::ha {

namespace fs = std::filesystem;

namespace {

constexpr auto kJoinTimeout = std::chrono::seconds(60);
constexpr char kBootstrapMarker[] = "/ha-bootstrap";  // the next start fetches a checkpoint
constexpr char kStateFile[] = "/ha.json";

uint64_t ReadRecordedEpoch(const std::string& data_dir) {
  std::ifstream in(data_dir + kStateFile);
  auto j = nlohmann::json::parse(in, nullptr, false);
  return j.is_object() ? j.value("epoch", uint64_t{0}) : 0;
}

// First log position of the epochs after `epoch` up to `through`: past it, a store holds
// writes the leader of `through` never had. UINT64_MAX when there is no such epoch.
uint64_t DivergencePoint(const std::map<uint64_t, uint64_t>& starts, uint64_t epoch, uint64_t through) {
  uint64_t point = UINT64_MAX;
  for (auto it = starts.upper_bound(epoch); it != starts.end() && it->first <= through; ++it)
    point = std::min(point, it->second);
  return point;
}

std::string RoleName(bool leading) { return leading ? "ACTIVE" : "PASSIVE"; }

}  // namespace

Result<std::unique_ptr<Node>> Node::Join(const HaOptions& options, const std::string& data_dir) {
  if (options.server_id.empty() || options.url.empty() || options.cluster_secret.empty())
    return Status::InvalidArgument("[ha] needs server_id, url and cluster_secret as well as zookeeper");
  std::unique_ptr<Node> node(new Node(options, data_dir));
  uint64_t position = 0;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return Status::Internal("cannot create data directory " + data_dir + ": " + ec.message());
  const bool have_store = fs::exists(data_dir + "/store/CURRENT", ec);
  if (have_store) RETURN_IF_ERROR(catalog::Catalog::ReadCheckpointLogPosition(data_dir + "/store", &position));
  node->disk_position_ = position;

  ElectionOptions eo;
  eo.zookeeper = options.zookeeper;
  eo.root = options.root;
  eo.server_id = options.server_id;
  eo.url = options.url;
  eo.session_timeout_ms = options.session_timeout_ms;
  Node* self = node.get();
  ASSIGN_OR_RETURN(node->election_,
                   Election::Start(eo, [self] { return self->log_position(); },
                                   [self](Role role, const LeaderInfo& leader) { self->OnRoleChange(role, leader); }));
  const Role role = node->election_->WaitForRole(kJoinTimeout);
  if (role == Role::kUnknown) return Status::Unavailable("no leader was elected within a minute (ZooKeeper " + options.zookeeper + ")");
  if (role == Role::kLeader) {
    spdlog::info("ha: {} leads (epoch {}) from log position {}", options.server_id, node->election_->epoch(), position);
    node->RecordEpoch(node->election_->epoch());
    return node;
  }
  auto leader = node->election_->leader();
  if (!leader) return Status::Unavailable("the elected leader vanished while joining");
  bool fetch = !have_store || fs::exists(data_dir + kBootstrapMarker, ec);
  const uint64_t recorded = ReadRecordedEpoch(data_dir);
  if (!fetch && leader->epoch > recorded) {
    const uint64_t point = DivergencePoint(node->election_->EpochStarts(), recorded, leader->epoch);
    if (position > point) {
      spdlog::warn("ha: this store holds {} log positions ({}..{}) that leader {} never had: they are discarded",
                   position - point, point + 1, position, leader->id);
      node->discarded_ = position - point;
      fetch = true;
    }
  }
  if (fetch) {
    // The leader may still be starting its HTTP server.
    Result<uint64_t> fetched = Status::Unavailable("not tried");
    for (auto until = std::chrono::steady_clock::now() + kJoinTimeout;;) {
      if (auto l = node->election_->leader()) leader = l;
      fetched = Bootstrap({options.server_id, options.cluster_secret}, leader->url, data_dir);
      if (fetched.ok() || fetched.status().code() != StatusCode::kUnavailable ||
          std::chrono::steady_clock::now() >= until)
        break;
      spdlog::info("ha: waiting for leader {} to serve a checkpoint: {}", leader->id, fetched.status().message());
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ASSIGN_OR_RETURN(position, std::move(fetched));
    node->disk_position_ = position;
    fs::remove(data_dir + kBootstrapMarker, ec);
  }
  node->followed_epoch_ = leader->epoch;
  node->RecordEpoch(leader->epoch);
  spdlog::info("ha: {} follows {} (epoch {}) from log position {}", options.server_id, leader->id, leader->epoch, position);
  return node;
}

Node::~Node() {
  Detach();
  election_.reset();  // resigns: the ephemeral nodes vanish at once
}

void Node::Attach(catalog::Catalog* catalog, std::function<uint64_t()> index_applied,
                  std::function<void(const std::string&)> restart) {
  {
    std::lock_guard<std::mutex> lock(restart_mu_);
    restart_ = std::move(restart);
  }
  shipper_ = std::make_unique<LogShipper>(*catalog, data_dir_ + "/replication");
  catalog->SetQueueAckFloor(catalog::kIndexTopic, [this] { return shipper_->IndexFloor(); });
  catalog->SetWriteFence([this] { return CheckWrite(); });
  follower_ = std::make_unique<LogFollower>(
      *catalog, PeerOptions{options_.server_id, options_.cluster_secret},
      [this]() -> std::optional<std::string> {
        if (promoted_) return std::nullopt;
        auto l = election_->leader();
        if (!l || l->id == options_.server_id) return std::nullopt;
        return l->url;
      },
      std::move(index_applied),
      [this](const std::string& reason) {
        std::ofstream(data_dir_ + kBootstrapMarker) << reason << "\n";
        Restart(reason);
      });
  {
    std::lock_guard<std::mutex> lock(catalog_mu_);  // log_position() reads follower_ from here on
    catalog_ = catalog;
  }
  attached_ = true;
  if (election_->role() == Role::kLeader) {
    promoted_ = true;
  } else {
    follower_->Start();
  }
}

void Node::OnPromoted(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(restart_mu_);
  on_promoted_.push_back(std::move(fn));
}

void Node::Detach() {
  std::thread promotion;
  {
    std::lock_guard<std::mutex> lock(restart_mu_);
    promotion = std::move(promotion_);
  }
  if (promotion.joinable()) promotion.join();
  if (follower_) follower_->Stop();
  // The election keeps asking for the position until it is destroyed: from here on it gets
  // the last one, not a catalog that is about to close.
  std::lock_guard<std::mutex> lock(catalog_mu_);
  if (catalog_) disk_position_ = catalog_->LogPosition();
  catalog_ = nullptr;
  attached_ = false;
}

void Node::OnRoleChange(Role role, const LeaderInfo& leader) {
  if (role == Role::kLeader) {
    RecordEpoch(leader.epoch);
    if (!attached_ || promoted_) {
      promoted_ = true;
      return;
    }
    // Off the election's thread, which must keep confirming the lease: the follower may
    // need a moment to give up its fetch from the old leader.
    std::lock_guard<std::mutex> lock(restart_mu_);
    if (promotion_.joinable()) return;
    promotion_ = std::thread([this, epoch = leader.epoch] {
      follower_->Stop();  // nothing more comes from the old leader; apply nothing after this
      promoted_ = true;
      spdlog::info("ha: {} promoted to leader (epoch {}) at log position {}", options_.server_id, epoch, log_position());
      std::lock_guard<std::mutex> lock(restart_mu_);
      for (auto& fn : on_promoted_) fn();
    });
    return;
  }
  if (promoted_) {
    Restart("lost leadership (ZooKeeper session lost or another leader elected)");
    return;
  }
  if (role == Role::kUnknown && attached_) {
    Restart("the ZooKeeper session expired");
    return;
  }
  if (role != Role::kFollower || !attached_ || leader.epoch <= followed_epoch_) return;
  // A new leader: this store must not hold writes it never had.
  const uint64_t point = DivergencePoint(election_->EpochStarts(), followed_epoch_, leader.epoch);
  const uint64_t position = log_position();
  if (position > point) {
    std::ofstream(data_dir_ + kBootstrapMarker) << "diverged\n";
    Restart("this store holds " + std::to_string(position - point) + " log positions new leader " + leader.id +
            " never had");
    return;
  }
  followed_epoch_ = leader.epoch;
  RecordEpoch(leader.epoch);
  spdlog::info("ha: following new leader {} (epoch {})", leader.id, leader.epoch);
}

void Node::RecordEpoch(uint64_t epoch) const {
  const std::string path = data_dir_ + kStateFile;
  {
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << nlohmann::json{{"epoch", epoch}}.dump() << "\n";
  }
  std::error_code ec;
  fs::rename(path + ".tmp", path, ec);
  if (ec) spdlog::error("ha: cannot record epoch {} in {}: {}", epoch, path, ec.message());
}

void Node::Restart(const std::string& reason) {
  if (restarting_.exchange(true)) return;
  spdlog::warn("ha: {} rejoins the cluster: {}", options_.server_id, reason);
  std::lock_guard<std::mutex> lock(restart_mu_);
  if (restart_) restart_(reason);
}

bool Node::leading() const { return promoted_.load() && election_->role() == Role::kLeader; }

Status Node::CheckWrite() const {
  if (!promoted_.load())
    return Status::Unavailable("this server is PASSIVE (a follower): writes are served by the leader");
  return election_->CheckLease();
}

uint64_t Node::log_position() const {
  std::lock_guard<std::mutex> lock(catalog_mu_);
  if (!catalog_) return disk_position_.load();
  // While following, what readers see in full (a batch being applied is not yet).
  if (!promoted_.load() && follower_ && follower_->running()) return follower_->visible_position();
  return catalog_->LogPosition();
}

bool Node::WaitApplied(uint64_t position, std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (log_position() < position) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

nlohmann::json Node::Describe() const {
  const bool lead = leading();
  const uint64_t position = log_position();
  nlohmann::json j = {{"serverId", options_.server_id},
                      {"url", options_.url},
                      {"role", RoleName(lead)},
                      {"epoch", lead ? election_->epoch() : followed_epoch_},
                      {"logPosition", position},
                      {"ack", options_.quorum_ack ? "quorum" : "leader"},
                      {"lagMs", follower_ && !lead ? follower_->lag_ms() : 0},
                      {"discardedOnJoin", discarded_}};
  if (auto l = election_->leader()) j["leader"] = {{"id", l->id}, {"url", l->url}, {"epoch", l->epoch}};
  uint64_t leader_position = position;
  if (!lead && follower_) leader_position = std::max(position, follower_->leader_position());
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : election_->Members())
    members.push_back({{"id", m.id}, {"url", m.url}, {"role", RoleName(m.leader)}, {"logPosition", m.applied},
                       {"behind", leader_position > m.applied ? leader_position - m.applied : 0}});
  j["members"] = members;
  if (lead && shipper_) {
    nlohmann::json followers = nlohmann::json::array();
    for (const auto& f : shipper_->Followers())
      followers.push_back({{"id", f.id}, {"logPosition", f.applied}, {"indexSequence", f.index_applied},
                           {"seenMsAgo", f.seen_ms_ago}});
    j["followers"] = followers;
  }
  return j;
}

}  // namespace meridian::ha
