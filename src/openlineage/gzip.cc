// The one place that inflates request bodies (zlib).
#include <zlib.h>

#include "openlineage_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::openlineage::internal {

Result<std::string> Gunzip(std::string_view compressed, size_t limit) {
  z_stream zs{};
  // 32 + MAX_WBITS: a gzip or zlib header, detected.
  if (inflateInit2(&zs, 32 + MAX_WBITS) != Z_OK) return Status::Internal("zlib inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::InvalidArgument("Content-Encoding gzip: the body is not valid gzip data", atlas_code::kInvalidParameters);
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > limit) {
      inflateEnd(&zs);
      return Status::TooLarge("the gzip body inflates to more than " + std::to_string(limit) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Status::InvalidArgument("Content-Encoding gzip: the body is truncated", atlas_code::kInvalidParameters);
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace meridian::openlineage::internal
