// Leader election among the members of a Meridian cluster, coordinated by
// ZooKeeper (the C client; all ZooKeeper use of the server is in src/ha).
//
// Znodes under `root`:
//   members/<id>         ephemeral, {"id","url","applied"}: one per live member; each
//                        member republishes its applied sequence (~every 200 ms, when
//                        it changed)
//   leader               ephemeral, {"id","url","epoch"}: exists while a leader holds
//                        its session
//   epoch                persistent decimal counter of leaderships
//   epochs/<epoch>       persistent, decimal: the leader's applied sequence when it
//                        took over (<epoch> zero-padded to 20 digits so names sort)
//
// Election. While `leader` exists every other member is a follower (it watches the
// node). When `leader` is absent (at start, or deleted because its owner's session
// ended), each member publishes its applied sequence, waits `settle_ms` so the others
// publish their final one, and ranks the registered members by applied sequence
// (highest first; ties: smallest id). The member ranked r attempts the takeover after
// (r + 1) * settle_ms of vacancy, re-ranking on every attempt, so a best candidate that
// crashed (its member node lingering until its session expires) delays the election by
// one settle period per rank instead of blocking it. The takeover is one ZooKeeper
// transaction: create `leader` (ephemeral, with the new epoch), compare-and-set `epoch`
// to its next value, and create `epochs/<epoch>` with the applied sequence at takeover.
// The first member whose transaction commits wins; the others fail on the existing
// `leader` and become followers. Only after the commit does the winner report kLeader.
//
// Fencing. A leader may write only while CheckLease() is Ok: it is leader and its
// session was confirmed alive (a ZooKeeper call issued less than
// min(session_timeout, negotiated timeout)/2 ago by the steady clock succeeded).
// ZooKeeper expires a session that it has not heard from for the whole timeout, so a
// lease never outlives the session: a leader stopped past its session (SIGSTOP, a
// partition) fails CheckLease at once when it resumes, before its client library
// notices the expiry. The session is confirmed by a zoo_exists on the member's own
// node every session_timeout/5.
//
// Session states. Connection lost while the session lives: the role is kept, the
// lease lapses after timeout/2 and returns when a call succeeds again. Session
// expired: the role becomes kUnknown at once (on_change is called), CheckLease fails,
// and the Election stays inert; the owner rejoins by destroying it and starting a new
// one (a new session).
//
// Roles: kUnknown until this member first sees a leader (or after its session
// expired); kLeader after it won; kFollower otherwise, also while a vacancy is being
// resolved (then leader() is empty).
//
// Errors: Start fails with Unavailable when ZooKeeper cannot be reached within the
// session timeout, AlreadyExists when a live member already uses `server_id` (a
// previous incarnation's node is waited for until its session expires), InvalidArgument
// for empty or malformed options. CheckLease fails with Unavailable (HTTP 503).
// Thread-safety: every public method may be called from any thread. Callbacks run on
// the election's thread; on_change never runs concurrently with itself, must not
// destroy the Election, and should return quickly (the session is confirmed on the
// same thread, so a slow on_change lets the lease lapse). Members() and EpochStarts() read ZooKeeper (a few round trips)
// and return the last successful reading when ZooKeeper is unreachable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/status.h"

namespace meridian::ha {

struct ElectionOptions {
  std::string zookeeper;           // required: "host:port[,host:port...]"
  std::string root = "/meridian";  // Default: /meridian. Znode root of this cluster (created when absent).
  std::string server_id;           // required: unique per member, e.g. "m1" (no '/')
  std::string url;                 // required: advertised base URL, e.g. "http://127.0.0.1:21001"
  int session_timeout_ms = 6000;   // Default: 6 s. ZooKeeper may clamp it to [2, 20] ticks.
  int settle_ms = 1000;            // Default: 1 s. Wait for the final applied sequences after a leader is lost.
};

enum class Role { kUnknown, kLeader, kFollower };

struct Member {
  std::string id;
  std::string url;
  uint64_t applied = 0;  // last published applied sequence
  bool leader = false;
};

struct LeaderInfo {
  std::string id;
  std::string url;
  uint64_t epoch = 0;
};

class Election {
 public:
  // Connects, registers this member and starts electing (Start returns before a
  // role is known; see WaitForRole).
  // applied_sequence: this member's last applied/written log position; called from
  //   the election's thread, must be thread-safe and quick.
  // on_change: called whenever this member's role or the leader changes.
  static Result<std::unique_ptr<Election>> Start(const ElectionOptions& options,
                                                 std::function<uint64_t()> applied_sequence,
                                                 std::function<void(Role role, const LeaderInfo& leader)> on_change);
  ~Election();  // resigns: closes the session, so this member's ephemeral nodes vanish at once

  Election(const Election&) = delete;
  Election& operator=(const Election&) = delete;

  Role role() const;
  std::optional<LeaderInfo> leader() const;  // the leader as last seen; empty while none is known
  uint64_t epoch() const;                    // the epoch this member leads in; 0 when not leader
  // Ok only while this member is leader and its session was confirmed alive within
  // half the session timeout; Unavailable otherwise.
  Status CheckLease() const;
  // Every registered member with its last published applied sequence, sorted by id.
  std::vector<Member> Members() const;
  // epoch -> the leader's applied sequence when it took over, for every recorded epoch.
  std::map<uint64_t, uint64_t> EpochStarts() const;
  // Blocks until role() != kUnknown or `timeout` passes; returns role().
  Role WaitForRole(std::chrono::milliseconds timeout);

  class Impl;

 private:
  explicit Election(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::ha
