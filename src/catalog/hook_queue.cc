// The hook message queue: received notification messages wait in the `queue`
// family until the hook worker applies them, each in the batch of its change.
//
// Keys (family `queue`):
//   hook \0 be64(seq)                     -> {text, source, digest, received}   waiting messages
//   hook_seen \0 digest                   -> be64(ms received)                  redelivery detection
//   hook_part \0 split id \0 be64(index)  -> {count, compression, chunk, received}
//   hook_failed \0 be64(seq)              -> {text, source, error, received, failed}
#include <set>

#include "write_context.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::catalog {

using store::Family;
namespace keys = store::keys;

namespace {

constexpr std::string_view kSeenTopic = "hook_seen";
constexpr std::string_view kPartTopic = "hook_part";
constexpr std::string_view kFailedTopic = "hook_failed";

std::string SeenKey(std::string_view digest) { return keys::QueuePrefix(kSeenTopic) + std::string(digest); }

std::string PartPrefix(std::string_view split_id) {
  return keys::QueuePrefix(kPartTopic) + std::string(split_id) + std::string(1, '\0');
}

std::string PartKey(std::string_view split_id, int index) {
  std::string k = PartPrefix(split_id);
  keys::PutBigEndian64(&k, static_cast<uint64_t>(index));
  return k;
}

std::vector<std::string> PartKeys(const store::Store& st, const std::string& split_id) {
  std::vector<std::string> out;
  if (split_id.empty()) return out;
  st.Scan(Family::kQueue, PartPrefix(split_id), [&](std::string_view k, std::string_view) {
    out.emplace_back(k);
    return true;
  }).PermitUnchecked();
  return out;
}

// The entity an AtlasObjectId names: by guid, else by unique attributes; nullopt when there is none.
Result<std::optional<std::string>> FindObject(WriteContext& ctx, const json& id) {
  if (!id.is_object()) return Status::InvalidArgument("invalid object id " + id.dump(), atlas_code::kInvalidParameters);
  auto g = id.find("guid");
  if (g != id.end() && g->is_string() && !g->get<std::string>().empty() && !IsPlaceholderGuid(g->get<std::string>())) {
    if (ctx.Exists(*g)) return std::optional<std::string>(g->get<std::string>());
  }
  auto ua = id.find("uniqueAttributes");
  if (ua == id.end() || !ua->is_object()) {
    if (g != id.end() && g->is_string()) return std::optional<std::string>();
    return Status::InvalidArgument("invalid object id " + id.dump() + ": needs guid or typeName+uniqueAttributes",
                                   atlas_code::kInvalidParameters);
  }
  const std::string type = id.value("typeName", "");
  if (!ctx.reg().FindEntity(type))
    return Status::InvalidArgument("Given typename " + type + " was invalid", atlas_code::kUnknownTypename);
  for (auto it = ua->begin(); it != ua->end(); ++it) {
    if (!it->is_string()) continue;
    if (auto found = ctx.FindUnique(type, it.key(), it->get<std::string>())) return found;
  }
  return std::optional<std::string>();
}

}  // namespace

Result<size_t> Catalog::EnqueueHookMessages(std::vector<HookMessage>& messages) {
  std::lock_guard<std::mutex> lock(write_mu_);
  store::Batch batch;
  std::set<std::string> digests;
  size_t added = 0;
  for (HookMessage& m : messages) {
    m.sequence = 0;
    if (!m.digest.empty() && (digests.count(m.digest) || store_->Exists(Family::kQueue, SeenKey(m.digest))))
      continue;
    m.sequence = store_->NextSequence();
    batch.Put(Family::kQueue, keys::Queue(kHookTopic, m.sequence),
              store::EncodeRecord({{"text", m.text}, {"source", m.source}, {"digest", m.digest},
                                   {"received", m.received_ms}}));
    if (!m.digest.empty()) {
      std::string ms;
      keys::PutBigEndian64(&ms, static_cast<uint64_t>(m.received_ms));
      batch.Put(Family::kQueue, SeenKey(m.digest), ms);
      digests.insert(m.digest);
    }
    ++added;
  }
  if (added > 0) RETURN_IF_ERROR(Commit(batch, nullptr));
  return added;
}

std::vector<HookMessage> Catalog::PendingHookMessages(uint64_t after, size_t limit) const {
  std::vector<HookMessage> out;
  std::string start = after > 0 ? keys::Queue(kHookTopic, after) : std::string();
  store_->Scan(Family::kQueue, keys::QueuePrefix(kHookTopic), [&](std::string_view k, std::string_view v) {
    HookMessage m;
    m.sequence = keys::QueueSeq(k);
    auto rec = store::DecodeRecord(v);
    if (rec.ok() && rec->is_object()) {
      m.text = rec->value("text", "");
      m.source = rec->value("source", "");
      m.digest = rec->value("digest", "");
      m.received_ms = rec->value("received", int64_t{0});
    }
    out.push_back(std::move(m));
    return out.size() < limit;
  }, start).PermitUnchecked();
  return out;
}

size_t Catalog::CountHookMessages() const {
  size_t n = 0;
  store_->Scan(Family::kQueue, keys::QueuePrefix(kHookTopic), [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }).PermitUnchecked();
  return n;
}

Result<Mutation> Catalog::ApplyHookMessage(uint64_t sequence, const HookChange& change, const std::string& split_id) {
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, change.user.empty() ? "UNKNOWN" : change.user);
  switch (change.kind) {
    case HookChange::Kind::kUpsert: {
      std::map<std::string, std::string> assigned;
      ASSIGN_OR_RETURN(std::vector<json> bodies, internal::EntityBodies(change.entities, change.referred));
      RETURN_IF_ERROR(internal::UpsertEntities(ctx, std::move(bodies), &assigned, /*create_shells=*/true));
      break;
    }
    case HookChange::Kind::kPartialUpdate: {
      ASSIGN_OR_RETURN(std::optional<std::string> guid, FindObject(ctx, change.entity_id));
      if (!guid)
        return Status::NotFound("Instance " + change.entity_id.value("typeName", std::string()) +
                                    " with unique attribute " + change.entity_id.value("uniqueAttributes", json()).dump() +
                                    " does not exist", atlas_code::kInstanceByUniqueAttributeNotFound);
      RETURN_IF_ERROR(internal::PartiallyUpdateEntity(ctx, *guid, change.attributes, change.relationship_attributes));
      break;
    }
    case HookChange::Kind::kDelete: {
      if (!change.ids.is_array()) return Status::InvalidArgument("entities to delete must be a list", atlas_code::kInvalidParameters);
      for (const json& id : change.ids) {
        ASSIGN_OR_RETURN(std::optional<std::string> guid, FindObject(ctx, id));
        if (guid) RETURN_IF_ERROR(ctx.SoftDelete(*guid));
      }
      break;
    }
  }
  ctx.AddBookkeeping(Family::kQueue, keys::Queue(kHookTopic, sequence), std::nullopt);
  for (auto& k : PartKeys(*store_, split_id)) ctx.AddBookkeeping(Family::kQueue, std::move(k), std::nullopt);
  Mutation m;
  RETURN_IF_ERROR(ctx.Commit(&m.sequence));
  return m;
}

Status Catalog::FailHookMessage(const HookMessage& message, const std::string& error, const std::string& split_id) {
  std::lock_guard<std::mutex> lock(write_mu_);
  store::Batch batch;
  // A message never queued (an abandoned split message) gets a sequence of its own.
  const uint64_t seq = message.sequence != 0 ? message.sequence : store_->NextSequence();
  batch.Delete(Family::kQueue, keys::Queue(kHookTopic, message.sequence));
  for (const auto& k : PartKeys(*store_, split_id)) batch.Delete(Family::kQueue, k);
  batch.Put(Family::kQueue, keys::Queue(kFailedTopic, seq),
            store::EncodeRecord({{"text", message.text}, {"source", message.source}, {"error", error},
                                 {"received", message.received_ms}, {"failed", NowMillis()}}));
  return Commit(batch, nullptr);
}

Status Catalog::StashHookPart(uint64_t sequence, const std::string& split_id, const HookPart& part) {
  std::lock_guard<std::mutex> lock(write_mu_);
  store::Batch batch;
  batch.Delete(Family::kQueue, keys::Queue(kHookTopic, sequence));
  batch.Put(Family::kQueue, PartKey(split_id, part.index),
            store::EncodeRecord({{"count", part.count}, {"compression", part.compression}, {"chunk", part.chunk},
                                 {"received", part.received_ms}}));
  return Commit(batch, nullptr);
}

std::vector<HookPart> Catalog::HookParts(const std::string& split_id) const {
  std::vector<HookPart> out;
  store_->Scan(Family::kQueue, PartPrefix(split_id), [&](std::string_view k, std::string_view v) {
    auto rec = store::DecodeRecord(v);
    if (!rec.ok() || !rec->is_object()) return true;
    HookPart p;
    p.index = static_cast<int>(keys::QueueSeq(k));
    p.count = rec->value("count", 0);
    p.compression = rec->value("compression", "NONE");
    p.chunk = rec->value("chunk", "");
    p.received_ms = rec->value("received", int64_t{0});
    out.push_back(std::move(p));
    return true;
  }).PermitUnchecked();
  return out;
}

std::vector<std::string> Catalog::StaleHookParts(int64_t before_ms) const {
  std::set<std::string> ids;
  const std::string prefix = keys::QueuePrefix(kPartTopic);
  store_->Scan(Family::kQueue, prefix, [&](std::string_view k, std::string_view v) {
    auto rec = store::DecodeRecord(v);
    if (rec.ok() && rec->is_object() && rec->value("received", int64_t{0}) < before_ms && k.size() > prefix.size() + 9)
      ids.emplace(k.substr(prefix.size(), k.size() - prefix.size() - 9));
    return true;
  }).PermitUnchecked();
  return {ids.begin(), ids.end()};
}

std::vector<HookFailure> Catalog::HookFailures(size_t offset, size_t limit) const {
  std::vector<HookFailure> out;
  size_t seen = 0;
  store_->Scan(Family::kQueue, keys::QueuePrefix(kFailedTopic), [&](std::string_view k, std::string_view v) {
    if (seen++ < offset) return true;
    auto rec = store::DecodeRecord(v);
    HookFailure f;
    f.sequence = keys::QueueSeq(k);
    if (rec.ok() && rec->is_object()) {
      f.text = rec->value("text", "");
      f.source = rec->value("source", "");
      f.error = rec->value("error", "");
      f.received_ms = rec->value("received", int64_t{0});
      f.failed_ms = rec->value("failed", int64_t{0});
    }
    out.push_back(std::move(f));
    return out.size() < limit;
  }).PermitUnchecked();
  return out;
}

Status Catalog::PruneHookDigests(int64_t before_ms) {
  std::vector<std::string> old;
  RETURN_IF_ERROR(store_->Scan(Family::kQueue, keys::QueuePrefix(kSeenTopic), [&](std::string_view k, std::string_view v) {
    if (v.size() == 8 && static_cast<int64_t>(keys::GetBigEndian64(v)) < before_ms) old.emplace_back(k);
    return true;
  }));
  for (size_t i = 0; i < old.size(); i += 10000) {
    std::lock_guard<std::mutex> lock(write_mu_);
    store::Batch batch;
    for (size_t j = i; j < old.size() && j < i + 10000; ++j) batch.Delete(Family::kQueue, old[j]);
    RETURN_IF_ERROR(Commit(batch, nullptr));
  }
  return Status::Ok();
}

}  // namespace meridian::catalog
