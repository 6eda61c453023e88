#pragma once

// The gRPC adapter of kpo.daily.v1.DailyKaizenService: proto in, application call (Ideas,
// Circles, Settings, Storyboards, Coaching, Gemba,
// Yokoten), proto/status out. Nothing else.

#include <memory>

#include "circles.h"
#include "coaching.h"
#include "gemba.h"
#include "ideas.h"
#include "kata.h"
#include "kpo/auth/auth.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "kpo/rpc/server.h"
#include "settings.h"
#include "yokoten.h"

namespace kpo::daily {

inline constexpr char kDailyKaizenServiceName[] = "kpo.daily.v1.DailyKaizenService";

// Which roles may call which method of DailyKaizenService.
kpo::auth::PermissionTable& AddDailyPermissions(kpo::auth::PermissionTable& table);

// The application classes the adapter calls; all must outlive the service.
struct DailyApplication {
  const Ideas& ideas;
  const Circles& circles;
  const Settings& settings;
  const Storyboards& storyboards;
  const Coaching& coaching;
  const Gemba& gemba;
  const Yokoten& yokoten;
};

// `server` must outlive the service.
std::unique_ptr<grpc::Service> NewDailyKaizenService(kpo::rpc::Server& server,
                                                     const DailyApplication& app);

}  // namespace kpo::daily
