// Atlas's notification wire format, both directions: the envelope
// (AtlasNotificationMessage), its GZIP compression (gzip, then base64) and the
// splitting of large messages into parts (AbstractNotification /
// AtlasNotificationMessageDeserializer). Used for ATLAS_HOOK records read here
// and for any record this server writes in Atlas's form (e.g. ATLAS_ENTITIES).
//
// Errors: InvalidArgument (ATLAS-400-00-01A) naming what is wrong with a record.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/status.h"

namespace meridian::hook {

// Atlas's limit for one record: 1,000,000 bytes minus 512 kept for the envelope.
inline constexpr size_t kMaxRecordBytes = 999488;
// Largest message accepted once decompressed or joined: 64 MiB.
inline constexpr size_t kMaxDecodedBytes = 64u << 20;

// base64(gzip(data)): Atlas's msgCompressionKind GZIP. The only gzip/base64 code of the server.
std::string GzipBase64(std::string_view data);
// The inverse; InvalidArgument on bad base64, a bad gzip stream or more than kMaxDecodedBytes.
Result<std::string> GunzipBase64(std::string_view text);

// A record read from the wire.
struct DecodedRecord {
  bool is_part = false;
  // A whole message (is_part false):
  nlohmann::json payload;       // the HookNotification / EntityNotification
  std::string created_by;       // msgCreatedBy ("" when absent)
  int64_t creation_time = 0;    // msgCreationTime (0 when absent)
  // One part of a split message (is_part true):
  std::string split_id;         // msgId
  catalog::HookPart part;
};

// Decodes one record: legacy (no `version`: the record is the payload), plain,
// compressed, or a part of a split message. A version above 1.0.0 is refused.
Result<DecodedRecord> DecodeRecord(std::string_view text);
// Joins all parts (indexes 0..count-1, any order) of one split message and decodes the message inside.
Result<DecodedRecord> JoinParts(const std::vector<catalog::HookPart>& parts);

// The envelope Atlas writes around `message` (version 1.0.0, msgCompressionKind NONE,
// msgSplitIdx 1, msgSplitCount 1, spooled false); `source` may be an empty object.
nlohmann::json MakeEnvelope(const nlohmann::json& message, const std::string& created_by, int64_t creation_ms,
                            const nlohmann::json& source = nlohmann::json::object());
// The records for one envelope, as Atlas's producer makes them: the envelope's
// JSON when it fits in `max_bytes`; else one GZIP wrapper when that fits; else
// parts of at most `max_bytes` (compressed unless `compress` is false).
std::vector<std::string> EncodeRecords(const nlohmann::json& envelope, size_t max_bytes = kMaxRecordBytes,
                                       bool compress = true);

// Hex SHA-256 of `text` (redelivery detection).
std::string Digest(std::string_view text);

}  // namespace meridian::hook
