#include "meridian/ha/log_shipper.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include <spdlog/spdlog.h>

#include "meridian/catalog/catalog.h"

namespace meridian::ha {

namespace fs = std::filesystem;
namespace keys = store::keys;

namespace {

constexpr size_t kFrameHeader = 16;
constexpr auto kPollEvery = std::chrono::milliseconds(50);  // writes that notify no observer (queue acks)
constexpr auto kCheckpointMaxAge = std::chrono::minutes(30);

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t GetBigEndian32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string RandomId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 16; ++i) id += kHex[rd() & 15];
  return id;
}

bool SafeName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

}  // namespace

std::string EncodeFrames(const std::vector<store::LogBatch>& batches) {
  std::string out;
  for (const auto& b : batches) {
    keys::PutBigEndian64(&out, b.sequence);
    PutBigEndian32(&out, b.count);
    PutBigEndian32(&out, static_cast<uint32_t>(b.data.size()));
    out += b.data;
  }
  return out;
}

Status DecodeFrames(std::string_view bytes, std::vector<store::LogBatch>* out) {
  while (!bytes.empty()) {
    if (bytes.size() < kFrameHeader) return Status::Internal("replication: truncated frame header");
    store::LogBatch b;
    b.sequence = keys::GetBigEndian64(bytes.substr(0, 8));
    b.count = GetBigEndian32(bytes.substr(8, 4));
    const uint32_t length = GetBigEndian32(bytes.substr(12, 4));
    if (bytes.size() < kFrameHeader + length) return Status::Internal("replication: truncated frame");
    b.data.assign(bytes.substr(kFrameHeader, length));
    bytes.remove_prefix(kFrameHeader + length);
    out->push_back(std::move(b));
  }
  return Status::Ok();
}

LogShipper::LogShipper(catalog::Catalog& catalog, std::string work_dir, std::chrono::seconds index_floor_grace)
    : catalog_(catalog), work_dir_(std::move(work_dir)), grace_(index_floor_grace) {
  catalog_.AddCommitObserver([this](const catalog::CommitInfo&) { OnCommit(); });
  std::error_code ec;
  fs::remove_all(work_dir_, ec);  // checkpoints of an earlier run are not being fetched any more
}

LogShipper::~LogShipper() {
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
}

void LogShipper::OnCommit() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++commits_;
  }
  changed_.notify_all();
}

Status LogShipper::Fetch(const std::string& id, uint64_t after, uint64_t index_applied, std::chrono::milliseconds wait,
                         size_t max_bytes, std::string* frames) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Follower& f = followers_[id];
    f.applied = after;
    f.index_applied = index_applied;
    f.seen = std::chrono::steady_clock::now();
  }
  changed_.notify_all();
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::vector<store::LogBatch> batches;
    uint64_t commits_before;
    {
      std::lock_guard<std::mutex> lock(mu_);
      commits_before = commits_;
    }
    RETURN_IF_ERROR(catalog_.ReadLog(after, max_bytes, &batches));
    if (!batches.empty() || std::chrono::steady_clock::now() >= until) {
      *frames = EncodeFrames(batches);
      return Status::Ok();
    }
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_until(lock, std::min(until, std::chrono::steady_clock::now() + kPollEvery),
                        [&] { return commits_ != commits_before; });
  }
}

Status LogShipper::WaitReplicated(uint64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto held = [&] {
    return std::any_of(followers_.begin(), followers_.end(), [&](const auto& f) { return f.second.applied >= position; });
  };
  if (changed_.wait_for(lock, timeout, held)) return Status::Ok();
  return Status::Unavailable("the write is committed on the leader, but no follower confirmed it within " +
                             std::to_string(timeout.count()) + " ms (quorum acknowledgement)");
}

uint64_t LogShipper::IndexFloor() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t floor = UINT64_MAX;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, f] : followers_)
    if (now - f.seen < grace_) floor = std::min(floor, f.index_applied);
  return floor;
}

std::vector<FollowerPosition> LogShipper::Followers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FollowerPosition> out;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, f] : followers_)
    out.push_back({id, f.applied, f.index_applied,
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - f.seen).count()});
  return out;
}

Result<nlohmann::json> LogShipper::CreateCheckpoint() {
  std::error_code ec;
  fs::create_directories(work_dir_, ec);
  if (ec) return Status::Internal("cannot create " + work_dir_ + ": " + ec.message());
  // Checkpoints nobody finished fetching.
  for (const auto& entry : fs::directory_iterator(work_dir_, ec)) {
    auto age = fs::file_time_type::clock::now() - entry.last_write_time(ec);
    if (!ec && age > kCheckpointMaxAge) fs::remove_all(entry.path(), ec);
  }
  const std::string id = RandomId();
  const std::string dir = work_dir_ + "/" + id;
  uint64_t sequence = 0, log_position = 0;
  RETURN_IF_ERROR(catalog_.Checkpoint(dir, &sequence, &log_position));
  nlohmann::json files = nlohmann::json::array();
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec)) files.push_back({{"name", entry.path().filename().string()}, {"size", entry.file_size(ec)}});
  if (ec) return Status::Internal("cannot list checkpoint " + dir + ": " + ec.message());
  spdlog::info("replication: checkpoint {} at log position {} ({} files) for a follower", id, log_position, files.size());
  return nlohmann::json{{"id", id}, {"logPosition", log_position}, {"sequence", sequence}, {"files", files}};
}

Result<std::string> LogShipper::LinkCheckpointFile(const std::string& id, const std::string& name) {
  if (!SafeName(id) || !SafeName(name)) return Status::InvalidArgument("invalid checkpoint file name");
  const fs::path file = fs::path(work_dir_) / id / name;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return Status::NotFound("no checkpoint file " + id + "/" + name);
  const std::string link = work_dir_ + "/." + RandomId();
  fs::create_hard_link(file, link, ec);
  if (ec) return Status::Internal("cannot link " + file.string() + ": " + ec.message());
  return link;
}

Status LogShipper::DropCheckpoint(const std::string& id) {
  if (!SafeName(id)) return Status::InvalidArgument("invalid checkpoint id");
  std::error_code ec;
  if (fs::remove_all(fs::path(work_dir_) / id, ec) == 0 && !ec) return Status::NotFound("no checkpoint " + id);
  if (ec) return Status::Internal("cannot remove checkpoint " + id + ": " + ec.message());
  return Status::Ok();
}

}  // namespace meridian::ha
