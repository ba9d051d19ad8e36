// User records (saved searches, download files) and the admin audit log: the
// user_data and admin_audit column families.
#include <algorithm>

#include "catalog_internal.h"

namespace meridian::catalog {

using store::Family;

Status Catalog::ChangeUserRecords(const std::function<Result<UserRecordChanges>()>& change) {
  std::lock_guard<std::mutex> lock(write_mu_);
  ASSIGN_OR_RETURN(UserRecordChanges changes, change());
  if (changes.empty()) return Status::Ok();
  store::Batch batch;
  for (const auto& [key, value] : changes) {
    if (value) batch.Put(Family::kUserData, key, store::EncodeRecord(*value));
    else batch.Delete(Family::kUserData, key);
  }
  return Commit(batch, nullptr);
}

Result<json> Catalog::GetUserRecord(std::string_view key) const {
  std::string bytes;
  RETURN_IF_ERROR(store_->Get(Family::kUserData, key, &bytes));
  return store::DecodeRecord(bytes);
}

std::vector<std::pair<std::string, json>> Catalog::ScanUserRecords(std::string_view prefix) const {
  std::vector<std::pair<std::string, json>> out;
  store_->Scan(Family::kUserData, prefix, [&](std::string_view k, std::string_view v) {
    auto rec = store::DecodeRecord(v);
    if (rec.ok()) out.emplace_back(std::string(k), std::move(*rec));
    return true;
  }).PermitUnchecked();
  return out;
}

void Catalog::AddAdminAudit(store::Batch& batch, const std::string& operation, const std::string& user,
                            int64_t start_ms, const json& params, const json& result, int result_count) {
  const int64_t now = NowMillis();
  std::string key;
  store::keys::PutBigEndian64(&key, static_cast<uint64_t>(now));
  store::keys::PutBigEndian64(&key, store_->NextSequence());
  json entry = {{"guid", NewGuid()},
                {"operation", operation},
                {"userName", user},
                {"clientId", ""},
                {"startTime", start_ms},
                {"endTime", now},
                {"params", params.is_string() ? params.get<std::string>() : params.dump()},
                {"result", result.is_string() ? result.get<std::string>() : result.dump()},
                {"resultCount", result_count}};
  batch.Put(Family::kAdminAudit, key, store::EncodeRecord(entry));
}

namespace {
constexpr std::string_view kExchangePrefix = "expimp/";
}  // namespace

Status Catalog::RecordExchange(const std::string& operation, const std::string& user, int64_t start_ms,
                               const json& params, const json& result, int result_count, const json& exchange_entry) {
  std::lock_guard<std::mutex> lock(write_mu_);
  store::Batch batch;
  AddAdminAudit(batch, operation, user, start_ms, params, result, result_count);
  std::string key(kExchangePrefix);
  store::keys::PutBigEndian64(&key, static_cast<uint64_t>(NowMillis()));
  store::keys::PutBigEndian64(&key, store_->NextSequence());
  batch.Put(Family::kUserData, key, store::EncodeRecord(exchange_entry));
  return Commit(batch, nullptr);
}

std::vector<json> Catalog::ExchangeAudits() const {
  std::vector<json> out;
  for (auto& [key, entry] : ScanUserRecords(kExchangePrefix)) out.push_back(std::move(entry));
  return out;
}

std::vector<json> Catalog::AdminAudits(const AdminAuditQuery& query) const {
  std::vector<json> all;
  store_->Scan(Family::kAdminAudit, "", [&](std::string_view, std::string_view v) {
    auto e = store::DecodeRecord(v);
    if (!e.ok()) return true;
    if (!query.operation.empty() && e->value("operation", "") != query.operation) return true;
    if (!query.user.empty() && e->value("userName", "") != query.user) return true;
    int64_t t = e->value("startTime", int64_t{0});
    if (t < query.from_ms || (query.to_ms > 0 && t > query.to_ms)) return true;
    all.push_back(std::move(*e));
    return true;
  }).PermitUnchecked();
  std::reverse(all.begin(), all.end());  // keys sort oldest first
  std::vector<json> out;
  for (size_t i = static_cast<size_t>(std::max(0, query.offset));
       i < all.size() && static_cast<int>(out.size()) < query.limit; ++i)
    out.push_back(std::move(all[i]));
  return out;
}

}  // namespace meridian::catalog
