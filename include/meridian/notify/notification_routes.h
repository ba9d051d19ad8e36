// REST routes of the notification feed:
//   GET /api/meridian/v1/notifications?after=N&limit=M&wait=ms&consumer=name   (read role)
//       {"notifications":[{"sequence":..,"message":<Atlas envelope>}...],
//        "lastSequence":.., "oldestSequence":.., "truncated":bool}
//       after: default 0; limit: default 100, 1..1000; wait: long-poll ms when nothing
//       follows `after` (default 0, capped); consumer: records `after` as that
//       consumer's acknowledged position.
//   GET /api/meridian/v1/admin/notifications   (admin) NotificationFeed::Positions
#pragma once

#include "meridian/notify/notification_feed.h"
#include "meridian/server/http.h"

namespace meridian::notify {

// `feed` must outlive the router.
void RegisterNotificationRoutes(server::Router& router, NotificationFeed* feed);

}  // namespace meridian::notify
