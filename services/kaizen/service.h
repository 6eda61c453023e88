#pragma once

// gRPC adapter of kpo.kaizen.v1.KaizenEventsService: proto in, KaizenEvents call,
// proto/status out.

#include "kaizen_events.h"
#include "kpo/auth/auth.h"
#include "kpo/kaizen/v1/kaizen_service.grpc.pb.h"
#include "kpo/rpc/server.h"

namespace kpo::kaizen {

inline constexpr char kKaizenServiceName[] = "kpo.kaizen.v1.KaizenEventsService";

// Which roles may call which method of KaizenEventsService.
kpo::auth::PermissionTable& AddKaizenPermissions(kpo::auth::PermissionTable& table);

// `server` and `events` must outlive the service.
std::unique_ptr<grpc::Service> NewKaizenService(kpo::rpc::Server& server, KaizenEvents& events);

}  // namespace kpo::kaizen
