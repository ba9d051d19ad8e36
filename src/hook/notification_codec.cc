#include "meridian/hook/notification_codec.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include <openssl/evp.h>
#include <zlib.h>

#include "meridian/request_json.h"

namespace meridian::hook {

using nlohmann::json;

namespace {

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Unbase64(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  if (text.size() % 4 != 0) return Status::InvalidArgument("message is not base64: its length is not a multiple of 4");
  std::string out(3 * (text.size() / 4), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return Status::InvalidArgument("message is not base64");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

Result<std::string> Gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Status::Internal("zlib inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::InvalidArgument(std::string("message is not a valid gzip stream: ") + (zs.msg ? zs.msg : "truncated"));
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > kMaxDecodedBytes) {
      inflateEnd(&zs);
      return Status::InvalidArgument("decompressed message exceeds " + std::to_string(kMaxDecodedBytes) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Status::InvalidArgument("message is not a valid gzip stream: truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// "1", "1.0" and "1.0.0" are equal: trailing zeros are dropped before comparing.
bool VersionAbove1(const std::string& v) {
  std::vector<long> parts;
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t dot = v.find('.', pos);
    std::string p = v.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    parts.push_back(std::strtol(p.c_str(), nullptr, 10));
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  while (!parts.empty() && parts.back() == 0) parts.pop_back();
  const std::vector<long> one{1};
  return std::lexicographical_compare(one.begin(), one.end(), parts.begin(), parts.end());
}

Result<DecodedRecord> Decode(std::string_view text, int depth) {
  auto parsed = ParseRequestJson(text, "notification message");
  if (!parsed.ok()) return parsed.status();
  json& j = *parsed;
  if (!j.is_object()) return Status::InvalidArgument("notification message must be a JSON object");
  DecodedRecord out;
  if (!j.contains("version")) {  // legacy: the record is the payload
    out.payload = std::move(j);
    return out;
  }
  const json& version = j["version"];
  std::string v = version.is_object() ? version.value("version", "") : version.is_string() ? version.get<std::string>() : "";
  if (VersionAbove1(v))
    return Status::InvalidArgument("incompatible message version " + v + ": this server reads up to 1.0.0");
  auto int_field = [&](const char* name, int64_t def) -> int64_t {
    auto it = j.find(name);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : def;
  };
  const int64_t count = int_field("msgSplitCount", 1);
  const std::string kind = j.contains("msgCompressionKind") && j["msgCompressionKind"].is_string()
                               ? j["msgCompressionKind"].get<std::string>() : "NONE";
  if (kind != "NONE" && kind != "GZIP") return Status::InvalidArgument("unknown msgCompressionKind " + kind);
  if (count > 1) {
    const std::string id = j.contains("msgId") && j["msgId"].is_string() ? j["msgId"].get<std::string>() : "";
    if (id.empty() || id.find('\0') != std::string::npos)
      return Status::InvalidArgument("split message part without a valid msgId");
    const int64_t idx = int_field("msgSplitIdx", -1);
    if (count > 100000 || idx < 0 || idx >= count)
      return Status::InvalidArgument("split message part " + std::to_string(idx) + " of " + std::to_string(count) +
                                     " is out of range");
    if (!j.contains("message") || !j["message"].is_string())
      return Status::InvalidArgument("split message part without a string message");
    out.is_part = true;
    out.split_id = id;
    out.part.index = static_cast<int>(idx);
    out.part.count = static_cast<int>(count);
    out.part.compression = kind;
    out.part.chunk = j["message"].get<std::string>();
    return out;
  }
  if (kind == "GZIP") {
    if (depth > 0) return Status::InvalidArgument("compressed message inside a compressed message");
    if (!j.contains("message") || !j["message"].is_string())
      return Status::InvalidArgument("compressed message without a string message");
    ASSIGN_OR_RETURN(std::string inner, GunzipBase64(j["message"].get<std::string>()));
    return Decode(inner, depth + 1);
  }
  if (!j.contains("message") || !j["message"].is_object())
    return Status::InvalidArgument("notification envelope without a message object");
  out.payload = std::move(j["message"]);
  if (j.contains("msgCreatedBy") && j["msgCreatedBy"].is_string()) out.created_by = j["msgCreatedBy"];
  out.creation_time = int_field("msgCreationTime", 0);
  return out;
}

}  // namespace

std::string GzipBase64(std::string_view data) { return Base64(Gzip(data)); }

Result<std::string> GunzipBase64(std::string_view text) {
  ASSIGN_OR_RETURN(std::string raw, Unbase64(text));
  return Gunzip(raw);
}

Result<DecodedRecord> DecodeRecord(std::string_view text) { return Decode(text, 0); }

Result<DecodedRecord> JoinParts(const std::vector<catalog::HookPart>& parts) {
  if (parts.empty()) return Status::InvalidArgument("split message without parts");
  std::vector<const catalog::HookPart*> sorted;
  for (const auto& p : parts) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->index < b->index; });
  const int count = sorted.front()->count;
  if (static_cast<int>(sorted.size()) != count)
    return Status::InvalidArgument("split message has " + std::to_string(sorted.size()) + " of " +
                                   std::to_string(count) + " parts");
  std::string joined;
  for (int i = 0; i < count; ++i) {
    const catalog::HookPart& p = *sorted[i];
    if (p.index != i || p.count != count || p.compression != sorted.front()->compression)
      return Status::InvalidArgument("split message parts disagree on their index, count or compression");
    joined += p.chunk;
    if (joined.size() > 2 * kMaxDecodedBytes) return Status::InvalidArgument("split message is too large");
  }
  std::string text;
  if (sorted.front()->compression == "GZIP") {
    ASSIGN_OR_RETURN(text, GunzipBase64(joined));
  } else {
    ASSIGN_OR_RETURN(text, Unbase64(joined));
  }
  ASSIGN_OR_RETURN(DecodedRecord inner, Decode(text, 1));
  if (inner.is_part) return Status::InvalidArgument("split message inside a split message");
  return inner;
}

json MakeEnvelope(const json& message, const std::string& created_by, int64_t creation_ms, const json& source) {
  return {{"version", {{"version", "1.0.0"}}},
          {"source", source},
          {"msgCreatedBy", created_by},
          {"msgCreationTime", creation_ms},
          {"msgCompressionKind", "NONE"},
          {"msgSplitIdx", 1},
          {"msgSplitCount", 1},
          {"spooled", false},
          {"message", message}};
}

std::vector<std::string> EncodeRecords(const json& envelope, size_t max_bytes, bool compress) {
  std::string text = envelope.dump();
  if (text.size() <= max_bytes) return {text};
  static std::atomic<uint64_t> counter{0};
  static const std::string run = catalog::NewGuid();
  const std::string id = run + "_" + std::to_string(counter.fetch_add(1));
  const json version = {{"version", "1.0.0"}};
  std::string payload = compress ? GzipBase64(text) : Base64(text);
  const char* kind = compress ? "GZIP" : "NONE";
  if (compress && payload.size() <= max_bytes)
    return {json{{"version", version}, {"msgId", id}, {"msgCompressionKind", kind}, {"msgSplitIdx", 1},
                 {"msgSplitCount", 1}, {"message", payload}}.dump()};
  const size_t n = (payload.size() + max_bytes - 1) / max_bytes;
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(json{{"version", version}, {"msgId", id}, {"msgCompressionKind", kind},
                       {"msgSplitIdx", i}, {"msgSplitCount", n},
                       {"message", payload.substr(i * max_bytes, max_bytes)}}.dump());
  return out;
}

std::string Digest(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", md[i]);
    hex += b;
  }
  return hex;
}

}  // namespace meridian::hook
