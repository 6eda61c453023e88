#pragma once

// The gRPC adapter of kpo.reporting.v1.ReportingService: proto in, application call
// (Scorecards, Rankings), proto/status out. Nothing else.

#include <memory>

#include "kpo/auth/auth.h"
#include "kpo/reporting/v1/reporting_service.grpc.pb.h"
#include "kpo/rpc/server.h"
#include "rankings.h"
#include "scorecards.h"

namespace kpo::reporting {

inline constexpr char kReportingServiceName[] = "kpo.reporting.v1.ReportingService";

// Which roles may call which method of ReportingService: every member of the
// organization reads its figures (visual management: the figures are everybody's).
kpo::auth::PermissionTable& AddReportingPermissions(kpo::auth::PermissionTable& table);

// `server`, `scorecards` and `rankings` must outlive the service.
std::unique_ptr<grpc::Service> NewReportingService(kpo::rpc::Server& server,
                                                   const Scorecards& scorecards,
                                                   const Rankings& rankings);

}  // namespace kpo::reporting
