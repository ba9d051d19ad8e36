// POST /api/meridian/v1/admin/backup: an online backup into a folder on the server.
#include <memory>
#include <mutex>

#include "handler_util.h"
#include "meridian/backup/backup.h"
#include "routes.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

void RegisterBackupRoutes(Router& r, const Services& s) {
  auto running = std::make_shared<std::mutex>();
  r.Add("POST", "/api/meridian/v1/admin/backup", Access::kAdmin,
        [catalog = s.catalog, users_file = s.users_file, running](HttpRequest& req) {
          auto body = req.JsonBody();
          if (!body.ok()) return HttpResponse::Error(body.status());
          auto to = body->is_object() ? body->find("to") : body->end();
          if (!body->is_object() || to == body->end() || !to->is_string())
            return HttpResponse::Error(
                Status::InvalidArgument("body must be {\"to\": \"/absolute/folder\"}", atlas_code::kInvalidParameters));
          std::unique_lock<std::mutex> lock(*running, std::try_to_lock);
          if (!lock.owns_lock()) return HttpResponse::Error(Status::Conflict("a backup is already running"));
          auto manifest = backup::CreateBackup(*catalog, users_file, to->get<std::string>());
          if (!manifest.ok()) return HttpResponse::Error(manifest.status());
          return HttpResponse::Json({{"to", to->get<std::string>()},
                                     {"storeSequence", (*manifest)["storeSequence"]},
                                     {"files", (*manifest)["files"].size()},
                                     {"bytes", (*manifest)["bytes"]},
                                     {"createdAt", (*manifest)["createdAt"]}});
        });
}

}  // namespace meridian::server
