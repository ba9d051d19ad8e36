// LogShipper: the leader's side of replication. Followers fetch the leader's write
// batches after their position (long-poll), and fetch a checkpoint of the store to
// start from; the position a follower asks from is the position it holds durably, so
// each fetch also acknowledges what came before (quorum writes wait for that).
//
// Wire format of a fetch: frames of [be64 sequence][be32 count][be32 length][length
// bytes of the RocksDB write batch], in log order.
//
// Errors: NotFound when the log no longer holds the asked position (the follower must
// start again from a checkpoint), Unavailable when no follower confirms a quorum write in
// time, the store's errors otherwise.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/status.h"
#include "meridian/store/store.h"

namespace meridian::catalog {
class Catalog;
}  // namespace meridian::catalog

namespace meridian::ha {

std::string EncodeFrames(const std::vector<store::LogBatch>& batches);
Status DecodeFrames(std::string_view bytes, std::vector<store::LogBatch>* out);

struct FollowerPosition {
  std::string id;
  uint64_t applied = 0;        // log position it holds
  uint64_t index_applied = 0;  // sequence its search index has applied
  int64_t seen_ms_ago = 0;
};

class LogShipper {
 public:
  // `work_dir` holds checkpoints being fetched (created when needed). `index_floor_grace`:
  // how long a silent follower still holds back the deletion of index-queue entries.
  LogShipper(catalog::Catalog& catalog, std::string work_dir,
             std::chrono::seconds index_floor_grace = std::chrono::seconds(3600));
  ~LogShipper();

  // Batches after `after` (at most about max_bytes), encoded; waits up to `wait` for the
  // first one. Records that follower `id` holds `after` and has indexed `index_applied`.
  Status Fetch(const std::string& id, uint64_t after, uint64_t index_applied, std::chrono::milliseconds wait,
               size_t max_bytes, std::string* frames);
  // Waits until some follower holds `position`; Unavailable after `timeout`.
  Status WaitReplicated(uint64_t position, std::chrono::milliseconds timeout);
  // Lowest index position of the followers heard from within the grace period (UINT64_MAX: none).
  uint64_t IndexFloor() const;
  std::vector<FollowerPosition> Followers() const;

  // A consistent checkpoint of the store for a follower to start from:
  // {"id", "logPosition", "sequence", "files": [{"name", "size"}]}.
  Result<nlohmann::json> CreateCheckpoint();
  // A path the caller may stream and must delete: a hard link to one file of checkpoint `id`.
  Result<std::string> LinkCheckpointFile(const std::string& id, const std::string& name);
  Status DropCheckpoint(const std::string& id);

 private:
  void OnCommit();

  catalog::Catalog& catalog_;
  const std::string work_dir_;
  const std::chrono::seconds grace_;
  mutable std::mutex mu_;
  std::condition_variable changed_;  // the log grew, or a follower reported a position
  struct Follower {
    uint64_t applied = 0;
    uint64_t index_applied = 0;
    std::chrono::steady_clock::time_point seen;
  };
  std::map<std::string, Follower> followers_;  // GUARDED_BY(mu_)
  uint64_t commits_ = 0;                        // GUARDED_BY(mu_)
};

}  // namespace meridian::ha
