#pragma once

// The gRPC adapter of kpo.kaizen.v1.KaizenEventsService: proto in, application call
// (KaizenEvents, ActionItems, Audits, Settings), proto/status out. Nothing else.

#include "action_items.h"
#include "audits.h"
#include "kaizen_events.h"
#include "kpo/auth/auth.h"
#include "kpo/kaizen/v1/kaizen_service.grpc.pb.h"
#include "kpo/rpc/server.h"
#include "settings.h"

namespace kpo::kaizen {

inline constexpr char kKaizenServiceName[] = "kpo.kaizen.v1.KaizenEventsService";

// Which roles may call which method of KaizenEventsService.
kpo::auth::PermissionTable& AddKaizenPermissions(kpo::auth::PermissionTable& table);

// The application classes the adapter calls; all must outlive the service.
struct KaizenApplication {
  KaizenEvents& events;
  ActionItems& action_items;
  Audits& audits;
  Settings& settings;
};

// `server` must outlive the service.
std::unique_ptr<grpc::Service> NewKaizenService(kpo::rpc::Server& server, KaizenApplication app);

}  // namespace kpo::kaizen
