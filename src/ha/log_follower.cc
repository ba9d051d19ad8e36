#include "meridian/ha/log_follower.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "meridian/catalog/catalog.h"
#include "meridian/client/rest_client.h"
#include "meridian/ha/log_shipper.h"

namespace meridian::ha {

namespace fs = std::filesystem;

namespace {

constexpr int kWaitMs = 1000;               // long-poll of one fetch
constexpr size_t kMaxFetchBytes = 8 << 20;  // batches per fetch
constexpr auto kRetryDelay = std::chrono::milliseconds(200);

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<client::RestClient>> PeerClient(const std::string& url, std::chrono::milliseconds timeout) {
  client::RestClientOptions options;
  options.base_url = url;
  options.user.clear();  // the cluster secret authenticates
  options.timeout = timeout;
  options.retries = 0;
  return client::RestClient::Create(options);
}

}  // namespace

LogFollower::LogFollower(catalog::Catalog& catalog, PeerOptions peer,
                         std::function<std::optional<std::string>()> leader_url,
                         std::function<uint64_t()> index_applied, std::function<void(const std::string&)> on_lost)
    : catalog_(catalog),
      peer_(std::move(peer)),
      leader_url_(std::move(leader_url)),
      index_applied_(std::move(index_applied)),
      on_lost_(std::move(on_lost)) {}

LogFollower::~LogFollower() { Stop(); }

void LogFollower::Start() {
  if (running_.exchange(true)) return;
  stop_ = false;
  visible_position_ = catalog_.LogPosition();  // what the store held when it opened is all loaded
  thread_ = std::thread([this] { Run(); });
}

void LogFollower::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  running_ = false;
}

int64_t LogFollower::lag_ms() const {
  const int64_t since = behind_since_ms_.load();
  return since == 0 ? 0 : SteadyMs() - since;
}

void LogFollower::Run() {
  std::string url;
  std::unique_ptr<client::RestClient> client;
  const client::Headers headers{{kSecretHeader, peer_.cluster_secret}};
  while (!stop_) {
    auto leader = leader_url_();
    if (!leader) {
      std::this_thread::sleep_for(kRetryDelay);
      continue;
    }
    if (!client || *leader != url) {
      url = *leader;
      auto created = PeerClient(url, std::chrono::milliseconds(kWaitMs + 2000));
      if (!created.ok()) {
        spdlog::error("replication: leader URL {}: {}", url, created.status().message());
        std::this_thread::sleep_for(kRetryDelay);
        continue;
      }
      client = std::move(*created);
      spdlog::info("replication: following {} from log position {}", url, catalog_.LogPosition());
    }
    const uint64_t position = catalog_.LogPosition();
    const std::string target = "/api/meridian/v1/replication/log?after=" + std::to_string(position) +
                               "&id=" + client::UrlEncode(peer_.server_id) +
                               "&index=" + std::to_string(index_applied_()) + "&waitMs=" + std::to_string(kWaitMs) +
                               "&maxBytes=" + std::to_string(kMaxFetchBytes);
    auto response = client->Request("GET", target, "", "application/json", headers);
    if (!response.ok() || response->status != 200) {
      if (response.ok() && response->status == 410) {
        spdlog::error("replication: the leader no longer holds log position {}: {}", position, response->body);
        running_ = false;
        on_lost_("the leader's log no longer holds position " + std::to_string(position));
        return;
      }
      spdlog::warn("replication: fetch from {} failed: {}", url,
                   response.ok() ? std::to_string(response->status) + " " + response->body : response.status().message());
      client.reset();
      std::this_thread::sleep_for(kRetryDelay);
      continue;
    }
    std::vector<store::LogBatch> batches;
    Status s = DecodeFrames(response->body, &batches);
    for (size_t i = 0; s.ok() && i < batches.size(); ++i) {
      s = catalog_.ApplyReplicated(batches[i]);
      if (s.ok()) visible_position_ = batches[i].sequence + batches[i].count - 1;
    }
    if (!s.ok()) {
      spdlog::error("replication: cannot apply the leader's batch: {}", s.message());
      std::this_thread::sleep_for(kRetryDelay);
      continue;
    }
    const std::string reported = response->Header(kLogPositionHeader);
    const uint64_t leader_position = reported.empty() ? 0 : std::stoull(reported);
    leader_position_ = leader_position;
    if (catalog_.LogPosition() >= leader_position) {
      behind_since_ms_ = 0;
    } else if (behind_since_ms_.load() == 0) {
      behind_since_ms_ = SteadyMs();
    }
  }
}

Result<uint64_t> Bootstrap(const PeerOptions& peer, const std::string& leader_url, const std::string& data_dir) {
  ASSIGN_OR_RETURN(auto client, PeerClient(leader_url, std::chrono::minutes(10)));
  const client::Headers headers{{kSecretHeader, peer.cluster_secret}};
  ASSIGN_OR_RETURN(auto created, client->Request("POST", "/api/meridian/v1/replication/checkpoint", "{}",
                                                 "application/json", headers));
  if (created.status != 200)
    return Status::Unavailable("the leader " + leader_url + " refused a checkpoint: " + std::to_string(created.status) +
                               " " + created.body);
  auto manifest = nlohmann::json::parse(created.body, nullptr, false);
  if (!manifest.is_object() || !manifest["id"].is_string() || !manifest["files"].is_array() ||
      !manifest["logPosition"].is_number_unsigned())
    return Status::Internal("the leader's checkpoint manifest is malformed");
  const std::string id = manifest["id"];
  const std::string incoming = data_dir + "/store.incoming";
  std::error_code ec;
  fs::remove_all(incoming, ec);
  fs::create_directories(incoming, ec);
  if (ec) return Status::Internal("cannot create " + incoming + ": " + ec.message());
  uint64_t bytes = 0;
  for (const auto& f : manifest["files"]) {
    const std::string name = f.value("name", "");
    if (name.empty() || name.find('/') != std::string::npos) return Status::Internal("bad file name in the manifest");
    const std::string path = incoming + "/" + name;
    ASSIGN_OR_RETURN(auto got, client->Download("/api/meridian/v1/replication/checkpoint/" + id + "/" +
                                                    client::UrlEncode(name),
                                                path, headers));
    if (got.status != 200)
      return Status::Unavailable("cannot fetch checkpoint file " + name + ": " + std::to_string(got.status));
    if (fs::file_size(path, ec) != f.value("size", uint64_t{0}))
      return Status::Internal("checkpoint file " + name + " arrived truncated");
    bytes += f.value("size", uint64_t{0});
  }
  client->Request("DELETE", "/api/meridian/v1/replication/checkpoint/" + id, "", "application/json", headers)
      .status()
      .PermitUnchecked();
  fs::remove_all(data_dir + "/store", ec);
  if (ec) return Status::Internal("cannot remove the old store: " + ec.message());
  fs::rename(incoming, data_dir + "/store", ec);
  if (ec) return Status::Internal("cannot move the checkpoint in place: " + ec.message());
  fs::remove_all(data_dir + "/index", ec);
  const uint64_t position = manifest["logPosition"];
  spdlog::info("replication: bootstrapped from {}: {} files, {} MB, log position {}", leader_url,
               manifest["files"].size(), bytes >> 20, position);
  return position;
}

}  // namespace meridian::ha
